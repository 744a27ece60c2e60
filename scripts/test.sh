#!/usr/bin/env bash
# `make test`: installs what the tests need, builds, starts a throwaway PostgreSQL, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/requirements.sh
require_swift
require_packages pkg-config libargon2-dev postgresql chromium chromium-driver \
    obs-studio xvfb xauth ffmpeg nginx libnginx-mod-rtmp

# axe-core, the accessibility checker the browser tests run in Chromium: taken from PyPI's
# axe-core-python (4.4.3, the script alone), once, into .build.
axe_js=.build/axe-core/axe.min.js
if [ ! -s "$axe_js" ]; then
    echo "==> fetching axe-core (axe-core-python from PyPI)"
    python3 -m pip --version >/dev/null 2>&1 || require_packages python3-pip
    axe_dir=$(mktemp -d)
    python3 -m pip download --quiet --no-deps --dest "$axe_dir" axe-core-python==0.1.0
    mkdir -p .build/axe-core
    python3 - "$axe_dir" "$axe_js" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/axe_core_python-*.whl")[0]
with zipfile.ZipFile(wheel) as archive, open(sys.argv[2], "wb") as out:
    out.write(archive.read("axe_core_python/axe.min.js"))
PY
    rm -rf "$axe_dir"
fi
export MOTHERSTREAM_AXE_JS="$PWD/$axe_js"

# The OTLP collector stand-in the tracing tests export to decodes with the OpenTelemetry
# project's own protobuf definitions.
if ! python3 -c 'import opentelemetry.proto.collector.trace.v1.trace_service_pb2' 2>/dev/null; then
    echo "==> installing opentelemetry-proto (PyPI)"
    python3 -m pip --version >/dev/null 2>&1 || require_packages python3-pip
    python3 -m pip install --quiet opentelemetry-proto==1.45.2 \
        || python3 -m pip install --quiet --break-system-packages opentelemetry-proto==1.45.2
fi

# The OpenAPI tests validate each service's document and fuzz it from there.
if ! command -v schemathesis >/dev/null || ! command -v openapi-spec-validator >/dev/null; then
    echo "==> installing schemathesis and openapi-spec-validator (PyPI)"
    python3 -m pip --version >/dev/null 2>&1 || require_packages python3-pip
    python3 -m pip install --quiet schemathesis==4.32.5 openapi-spec-validator==0.9.0 \
        || python3 -m pip install --quiet --break-system-packages schemathesis==4.32.5 openapi-spec-validator==0.9.0
fi

echo "==> building"
swift build --build-tests

pg_dir=$(mktemp -d /tmp/motherstream-pg.XXXXXX)
trap 'scripts/throwaway-postgres.sh stop "$pg_dir"' EXIT
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 54329)
MOTHERSTREAM_TEST_DATABASE_URL=$(scripts/throwaway-postgres.sh start "$pg_dir" "$pg_port")
export MOTHERSTREAM_TEST_DATABASE_URL
echo "==> throwaway PostgreSQL on port $pg_port"

echo "==> testing"
if [ "$#" -gt 0 ]; then
    swift test --skip-build "$@"
else
    # Unit and route tests in parallel; then, one at a time, the tests that run real media
    # (ffmpeg, nginx, a real OBS) and the system tests: on two cores they would starve each
    # other and the route tests' peer deadlines.
    media='^(SystemTests\.|HookGatewayTests\.(RecordingCaptureTests|FFmpegRelayTests)\b)'
    swift test --skip-build --skip "$media"
    swift test --skip-build --filter "$media" --no-parallel
fi

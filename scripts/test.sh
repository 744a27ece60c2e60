#!/usr/bin/env bash
# `make test`: installs what the tests need, builds, starts a throwaway PostgreSQL, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/requirements.sh
require_swift
require_packages pkg-config libargon2-dev postgresql chromium chromium-driver \
    obs-studio xvfb xauth ffmpeg nginx libnginx-mod-rtmp

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

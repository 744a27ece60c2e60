#!/usr/bin/env bash
# on_publish of an unknown stream key through HookGateway, as SRS sends it (the recorded body),
# at 16 connections: requests/s and latency percentiles. Needs `swift build -c release` and wrk.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
trap stop_services EXIT
DURATION=${DURATION:-20s}

start_service AccountService 18187
start_service QueueService 18186
ACCOUNT_SERVICE_URL=http://127.0.0.1:18187 QUEUE_SERVICE_URL=http://127.0.0.1:18186 start_service HookGateway 18185

cat >"$BENCH_DIR/publish.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("Tests/Fixtures/srs/on_publish.json", "rb")
wrk.body = f:read("*all")
f:close()
LUA
curl -s -o /dev/null -w "sanity: HTTP %{http_code}\n" -X POST --data-binary @Tests/Fixtures/srs/on_publish.json "http://127.0.0.1:18185/srs/hooks?secret=$HOOK_SECRET"
wrk -t2 -c16 -d"$DURATION" --latency -s "$BENCH_DIR/publish.lua" "http://127.0.0.1:18185/srs/hooks?secret=$HOOK_SECRET"

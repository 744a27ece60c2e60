#!/usr/bin/env bash
# Where the hook path's time goes: the three services on the release build, wrk sending the
# recorded on_publish of an unknown key (16 connections), and `perf record` sampling one service
# (software clock: this machine has no hardware counters; valgrind 3.19 cannot run Swift 6.3's
# binaries). Prints the functions by inclusive share of that service's samples.
#
#   scripts/bench/profile-hooks.sh HookGateway      # or AccountService, QueueService
set -euo pipefail
cd "$(dirname "$0")/../.."
export LOG_LEVEL=${LOG_LEVEL:-info}
. scripts/bench/lib.sh
PROFILED=${1:?name the service to profile: HookGateway, AccountService or QueueService}
command -v perf >/dev/null || { echo "needs perf (apt-get install linux-perf)" >&2; exit 1; }
trap stop_services EXIT

start_service AccountService 18187; pid_AccountService=$LAST_PID
start_service QueueService 18186; pid_QueueService=$LAST_PID
ACCOUNT_SERVICE_URL=http://127.0.0.1:18187 QUEUE_SERVICE_URL=http://127.0.0.1:18186 start_service HookGateway 18185; pid_HookGateway=$LAST_PID
pid_var="pid_$PROFILED"
sed -e 's/"stream":"KEY123"/"stream":"nobodyskey1"/' Tests/Fixtures/srs/on_publish.json >"$BENCH_DIR/unknown.json"
cat >"$BENCH_DIR/body.lua" <<LUA
local f = io.open("$BENCH_DIR/unknown.json", "rb")
wrk.body = f:read("*all")
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
LUA
perf record -e cpu-clock -F 499 -g -p "${!pid_var}" -o "$BENCH_DIR/perf.data" -- sleep 8 >/dev/null 2>&1 &
recorder=$!
wrk -t2 -c16 -d8s -s "$BENCH_DIR/body.lua" "http://127.0.0.1:18185/srs/hooks?secret=$HOOK_SECRET" | grep Requests/sec
wait "$recorder"
perf report -i "$BENCH_DIR/perf.data" --children --sort symbol --stdio -g none >"$BENCH_DIR/children.txt" 2>/dev/null
perf report -i "$BENCH_DIR/perf.data" --no-children --sort dso,symbol --stdio -g none >"$BENCH_DIR/self.txt" 2>/dev/null
echo "==> by inclusive share"
grep '%' "$BENCH_DIR/children.txt" | grep -v '^#' | sed -n 1,60p | cut -c1-180
echo
echo "==> by own (self) share"
grep '%' "$BENCH_DIR/self.txt" | grep -v '^#' | sed -n 1,40p | cut -c1-180

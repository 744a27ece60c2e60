#!/usr/bin/env bash
# Where a hook's instructions go: the three services of the hook path on the release build, one
# of them under valgrind's callgrind, then REQUESTS on_publish hooks of an unknown key (or, with
# SCENARIO=churn, publish + unpublish of a known one) sent one at a time. Instruction counts are
# repeatable on a noisy machine, unlike seconds. Prints the functions by inclusive cost per hook.
#
#   scripts/bench/callgrind-hooks.sh HookGateway        # or AccountService, QueueService
#   SCENARIO=churn REQUESTS=300 scripts/bench/callgrind-hooks.sh QueueService
set -euo pipefail
cd "$(dirname "$0")/../.."
export LOG_LEVEL=${LOG_LEVEL:-info}
. scripts/bench/lib.sh
PROFILED=${1:?name the service to profile: HookGateway, AccountService or QueueService}
REQUESTS=${REQUESTS:-500}
SCENARIO=${SCENARIO:-unknown}
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
trap stop_services EXIT

# start NAME PORT: as lib.sh's start_service, but under callgrind when it is the one profiled.
start() {
    local name=$1 port=$2 dir
    dir="$BENCH_DIR/$(echo "$name" | tr '[:upper:]' '[:lower:]')"
    if [ "$name" = "$PROFILED" ]; then
        # Counted from start to exit: callgrind_control's switches wait for the program to run,
        # and an idle server sits in epoll_wait, so they would hang. Start-up and shutdown are in
        # the total; run with REQUESTS=0 to see their share.
        DATA_DIR=$dir HTTP_PORT=$port valgrind --tool=callgrind --callgrind-out-file="$BENCH_DIR/callgrind.out" \
            "$BIN/$name" >"$BENCH_DIR/$name.log" 2>&1 &
        profiled_pid=$!
    else
        DATA_DIR=$dir HTTP_PORT=$port "$BIN/$name" >"$BENCH_DIR/$name.log" 2>&1 &
    fi
    bench_pids+=("$!")
    until curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; do sleep 0.05; done
}
start AccountService 18187
start QueueService 18186
ACCOUNT_SERVICE_URL=http://127.0.0.1:18187 QUEUE_SERVICE_URL=http://127.0.0.1:18186 start HookGateway 18185
HOOKS="http://127.0.0.1:18185/srs/hooks?secret=$HOOK_SECRET"
fixture() { sed -e "s/\"stream\":\"KEY123\"/\"stream\":\"$2\"/" -e "s#/live/KEY123#/live/$2#" -e "s/\"client_id\":\"a45n3q74\"/\"client_id\":\"$3\"/" "Tests/Fixtures/srs/$1.json"; }
post() { curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @- "$HOOKS"; }
key=$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d '{"email":"profiled@bench.example","password":"correct horse battery","dj_name":"Profiled","timezone":"UTC"}' \
    http://127.0.0.1:18187/api/v1/users/signup | python3 -c 'import json,sys; print(json.load(sys.stdin)["stream_key"])')

send() {
    for i in $(seq 1 "$1"); do
        if [ "$SCENARIO" = churn ]; then
            fixture on_publish "$key" "warm$2$i" | post; fixture on_unpublish "$key" "warm$2$i" | post
        else
            fixture on_publish "nobodyskey$i" "stranger$i" | post || true
        fi
    done
}
send "$REQUESTS" measured
kill -TERM "$profiled_pid"
while kill -0 "$profiled_pid" 2>/dev/null; do sleep 0.2; done
out="$BENCH_DIR/callgrind.out"
total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}')
echo "$PROFILED, $SCENARIO, $REQUESTS hooks: $total instructions, $((total / REQUESTS)) per hook"
callgrind_annotate --inclusive=yes "$out" 2>/dev/null | sed -n '/file:function/,$p' | head -45 | cut -c1-200

# shellcheck shell=bash
# Starts the release executables on loopback with throwaway data and secrets, for benchmarks.

BIN=${BIN:-.build/release}
BENCH_DIR=$(mktemp -d /tmp/motherstream-bench.XXXXXX)
export JWT_SECRET=bench-jwt-secret-0123456789-abcdefghijklmnopqrstuvwxyz
export INTERNAL_TOKEN=bench-internal-token-0123456789
export HOOK_SECRET=bench-hook-secret-0123456789
export RELAY_SECRET=bench-relay-secret-0123456789
export LOG_LEVEL=${LOG_LEVEL:-warning}
bench_pids=()

stop_services() {
    for pid in "${bench_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    # BENCH_LOGS=DIR keeps the services' logs of the run there.
    [ -n "${BENCH_LOGS:-}" ] && mkdir -p "$BENCH_LOGS" && cp "$BENCH_DIR"/*.log "$BENCH_LOGS"/ 2>/dev/null
    rm -rf "$BENCH_DIR"
}

# start_service NAME PORT: starts it; sets LAST_PID and LAST_MS (milliseconds until /health answered).
start_service() {
    local name=$1 port=$2
    local dir
    dir="$BENCH_DIR/$(echo "$name" | tr '[:upper:]' '[:lower:]')"
    local started
    started=$(date +%s%N)
    DATA_DIR=$dir HTTP_PORT=$port "$BIN/$name" >"$BENCH_DIR/$name.log" 2>&1 &
    LAST_PID=$!
    bench_pids+=("$LAST_PID")
    until curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; do sleep 0.002; done
    LAST_MS=$(( ($(date +%s%N) - started) / 1000000 ))
}

rss_kib() {
    ps -o rss= -p "$1" | tr -d ' '
}

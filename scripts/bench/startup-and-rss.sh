#!/usr/bin/env bash
# Time from exec to /health answering, and idle resident memory, of each service (release build).
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
trap stop_services EXIT
RUNS=${RUNS:-5}

printf "%-16s %s\n" service "start→/health ms (runs: $RUNS) | idle RSS KiB"
for entry in AccountService:18287 QueueService:18286 HookGateway:18285; do
    name=${entry%%:*}; port=${entry##*:}
    times=()
    for _ in $(seq "$RUNS"); do
        start_service "$name" "$port"
        times+=("$LAST_MS")
        sleep 2
        rss=$(rss_kib "$LAST_PID")
        kill -TERM "$LAST_PID"; wait "$LAST_PID" 2>/dev/null || true
    done
    median=$(printf "%s\n" "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf "%-16s median %s ms (all: %s) | %s KiB\n" "$name" "$median" "${times[*]}" "$rss"
done

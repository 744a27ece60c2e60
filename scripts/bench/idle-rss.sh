#!/usr/bin/env bash
# Idle memory of all five services together (release build), started wired to each other on
# loopback as `make run` starts them, measured after they have sat idle. Two sums: RSS, which
# counts the Swift runtime and Foundation libraries the five share once per process, and PSS
# (/proc/PID/smaps_rollup), which splits each shared page among the processes mapping it: what
# the five take from the machine together.
#
#   scripts/bench/idle-rss.sh            # 5 s idle, one sample
#   IDLE_SECONDS=30 scripts/bench/idle-rss.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
trap stop_services EXIT
export STREAM_READER_TOKEN=bench-stream-reader-0123456789 PROGRAMME_KEY=bench-programme-key-0123456789
export ACCOUNT_SERVICE_URL=http://127.0.0.1:18387 QUEUE_SERVICE_URL=http://127.0.0.1:18386 HOOK_GATEWAY_URL=http://127.0.0.1:18385
export OBS_BRIDGE_URL=http://127.0.0.1:18388 NOTIFIER_URL=http://127.0.0.1:18389

start_service AccountService 18387; pids=("$LAST_PID")
start_service QueueService 18386; pids+=("$LAST_PID")
start_service HookGateway 18385; pids+=("$LAST_PID")
start_service OBSBridge 18388; pids+=("$LAST_PID")
start_service Notifier 18389; pids+=("$LAST_PID")
sleep "${IDLE_SECONDS:-5}"

total=0
total_pss=0
names=(AccountService QueueService HookGateway OBSBridge Notifier)
printf "%-16s %10s %10s %10s\n" service "RSS KiB" "PSS KiB" "anon KiB"
for i in "${!pids[@]}"; do
    rss=$(rss_kib "${pids[$i]}")
    pss=$(awk '/^Pss:/ {print $2}' "/proc/${pids[$i]}/smaps_rollup")
    anon=$(awk '/^Anonymous:/ {print $2}' "/proc/${pids[$i]}/smaps_rollup")
    total=$((total + rss))
    total_pss=$((total_pss + pss))
    printf "%-16s %10d %10d %10d\n" "${names[$i]}" "$rss" "$pss" "$anon"
done
mb() { python3 -c "print(f'{$1 * 1024 / 1e6:.1f}')"; }
printf "%-16s %10d %10d   = RSS %s MB, PSS %s MB\n" total "$total" "$total_pss" "$(mb "$total")" "$(mb "$total_pss")"

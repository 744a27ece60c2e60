#!/usr/bin/env bash
# The hook path against the machine's own limit, in one run: four scenarios through the release
# build (AccountService, QueueService, HookGateway at the default LOG_LEVEL) and, in the same
# invocation, a bare nginx answering the same POST with a fixed 403 (one worker, no access log).
# Every figure is printed with its ratio to that limit, since absolute numbers move with the machine.
#
#   scripts/bench/hooks.sh            # 8 s per scenario
#   DURATION=20s scripts/bench/hooks.sh
#   SCENARIOS=b scripts/bench/hooks.sh   # some of a b c d (the limit always runs)
#   BENCH_LOGS=/tmp/logs scripts/bench/hooks.sh   # keep the services' logs
#   PROFILE=QueueService SCENARIOS=b scripts/bench/hooks.sh   # perf samples of one service per scenario
#
# Needs `swift build -c release`, wrk and nginx (Debian's); everything listens on loopback.
set -euo pipefail
cd "$(dirname "$0")/../.."
export LOG_LEVEL=${LOG_LEVEL:-info}
. scripts/bench/lib.sh
DURATION=${DURATION:-8s}
for tool in wrk nginx curl python3; do
    command -v "$tool" >/dev/null || { echo "hooks.sh needs $tool (apt-get install wrk nginx curl)" >&2; exit 1; }
done
[ -x "$BIN/HookGateway" ] || { echo "no release build in $BIN: run swift build -c release" >&2; exit 1; }

nginx_pid=
cleanup() {
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
    stop_services
}
trap cleanup EXIT

# The limit: nginx answering every POST at once, as cheaply as an HTTP server can.
mkdir -p "$BENCH_DIR/nginx/logs"
cat >"$BENCH_DIR/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $BENCH_DIR/nginx/nginx.pid;
error_log $BENCH_DIR/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $BENCH_DIR/nginx/body;
    server {
        listen 127.0.0.1:18190;
        location / { return 403 '{"code":1}'; }
    }
}
NGINX
nginx -p "$BENCH_DIR/nginx" -c "$BENCH_DIR/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
until curl -s -o /dev/null "http://127.0.0.1:18190/"; do sleep 0.01; done

start_service AccountService 18187; pid_AccountService=$LAST_PID
start_service QueueService 18186; pid_QueueService=$LAST_PID
ACCOUNT_SERVICE_URL=http://127.0.0.1:18187 QUEUE_SERVICE_URL=http://127.0.0.1:18186 start_service HookGateway 18185; pid_HookGateway=$LAST_PID
HOOKS="http://127.0.0.1:18185/srs/hooks?secret=$HOOK_SECRET"

# 16 DJs for the churn (one per connection), and one on air for on_forward.
signup() {
    curl -sf -X POST -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1@bench.example\",\"password\":\"correct horse battery\",\"dj_name\":\"$1\",\"timezone\":\"UTC\"}" \
        http://127.0.0.1:18187/api/v1/users/signup | python3 -c 'import json,sys; print(json.load(sys.stdin)["stream_key"])'
}
keys=()
for i in $(seq 1 16); do keys+=("$(signup "churn$i")"); done
lead_key=$(signup lead)
fixture() { # fixture NAME KEY CLIENT
    sed -e "s/\"stream\":\"KEY123\"/\"stream\":\"$2\"/" -e "s#/live/KEY123#/live/$2#" -e "s/\"client_id\":\"a45n3q74\"/\"client_id\":\"$3\"/" "Tests/Fixtures/srs/$1.json"
}
fixture on_publish "$lead_key" leadclient1 | curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @- "$HOOKS"

# Each script sends recorded SRS bodies.
fixture on_publish nobodyskey1 strangerclient1 >"$BENCH_DIR/unknown.json"
fixture on_forward "$lead_key" leadclient1 >"$BENCH_DIR/forward.json"
cat >"$BENCH_DIR/body.lua" <<'LUA'
local path = os.getenv("BODY")
local f = io.open(path, "rb")
local body = f:read("*all")
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = body
LUA
publish_template=$(fixture on_publish STREAMKEY CLIENTID)
unpublish_template=$(fixture on_unpublish STREAMKEY CLIENTID)
{
    echo "local keys = {"; for k in "${keys[@]}"; do echo "  \"$k\","; done; echo "}"
    printf 'local publish = [[%s]]\nlocal unpublish = [[%s]]\n' "$publish_template" "$unpublish_template"
    cat <<'LUA'
local threads = 0
function setup(thread)
    thread:set("index", threads)
    threads = threads + 1
end
-- Every other request publishes a fresh client id for one of this thread's 8 DJs; the others
-- unpublish the oldest of the 8 clients last published, so each DJ churns while others wait.
local n, published, first, last = 0, {}, 1, 0
function request()
    n = n + 1
    local body
    if n % 2 == 0 and last - first + 1 >= 8 then
        local p = published[first]
        published[first] = nil
        first = first + 1
        body = unpublish:gsub("STREAMKEY", p[1]):gsub("CLIENTID", p[2])
    else
        last = last + 1
        local key = keys[(index * 8) + (last % 8) + 1]
        local client = "t" .. index .. "p" .. last
        published[last] = {key, client}
        body = publish:gsub("STREAMKEY", key):gsub("CLIENTID", client)
    end
    return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
LUA
} >"$BENCH_DIR/churn.lua"

results="$BENCH_DIR/results"
# CPU time (user + system, in clock ticks) each service has used so far, in start order.
cpu_ticks() {
    local pid ticks=()
    for pid in "${bench_pids[@]}"; do ticks+=("$(awk '{print $14 + $15}' "/proc/$pid/stat")"); done
    (IFS=,; echo "${ticks[*]}")
}
: >"$results"
run() { # run LABEL CONNECTIONS URL SCRIPT [BODY]
    local label=$1 connections=$2 url=$3 script=$4 body=${5:-}
    local threads=2
    [ "$connections" = 1 ] && threads=1
    local recorder=
    if [ -n "${PROFILE:-}" ] && [[ $label != limit-* ]]; then
        local pid_var="pid_$PROFILE"
        perf record -e cpu-clock -F 499 -g -p "${!pid_var}" -o "$BENCH_DIR/$label.perf" -- sleep "${DURATION%s}" >/dev/null 2>&1 &
        recorder=$!
    fi
    local before
    before=$(cpu_ticks)
    BODY=$body wrk -t"$threads" -c"$connections" -d"$DURATION" --latency -s "$script" "$url" >"$BENCH_DIR/$label.out" 2>&1
    echo "$label $before $(cpu_ticks)" >>"$BENCH_DIR/cpu"
    if [ -n "$recorder" ]; then
        wait "$recorder" || true
        {
            echo "==> $PROFILE during $label, by own share"
            perf report -i "$BENCH_DIR/$label.perf" --no-children --sort dso,symbol --stdio -g none 2>/dev/null | grep '%' | grep -v '^#' | sed -n 1,30p | cut -c1-160
            echo "==> $PROFILE during $label, by inclusive share"
            perf report -i "$BENCH_DIR/$label.perf" --children --sort symbol --stdio -g none 2>/dev/null | grep '%' | grep -v '^#' | sed -n 1,80p | cut -c1-160
        } >&2
    fi
    python3 - "$label" "$BENCH_DIR/$label.out" >>"$results" <<'PY'
import re, sys
label, path = sys.argv[1], sys.argv[2]
text = open(path).read()
def ms(value):
    found = re.match(r"([\d.]+)(us|ms|s|m)$", value)
    if not found:
        sys.exit(f"{label}: cannot read wrk's latency {value!r}:\n{text}")
    number, unit = found.groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
# Anchored: "Req/Sec … 67.50%" above the distribution contains "50%" too.
p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
total = int(re.search(r"(\d+) requests in", text).group(1))
print(f"{label} {rps:.0f} {p50:.3f} {p99:.3f} {errors.group(1) if errors else 0} {total}")
PY
}

echo "==> $DURATION per scenario, $(nproc) cores, $(date -u +%FT%TZ)"
run limit-16 16 "http://127.0.0.1:18190/srs/hooks" "$BENCH_DIR/body.lua" "$BENCH_DIR/unknown.json"
run limit-1 1 "http://127.0.0.1:18190/srs/hooks" "$BENCH_DIR/body.lua" "$BENCH_DIR/unknown.json"
SCENARIOS=${SCENARIOS:-a b c d}
wanted() { [[ " $SCENARIOS " == *" $1 "* ]]; }
wanted a && run a 16 "$HOOKS" "$BENCH_DIR/body.lua" "$BENCH_DIR/unknown.json"
wanted b && run b 16 "$HOOKS" "$BENCH_DIR/churn.lua"
wanted c && run c 16 "$HOOKS" "$BENCH_DIR/body.lua" "$BENCH_DIR/forward.json"
wanted d && run d 1 "$HOOKS" "$BENCH_DIR/body.lua" "$BENCH_DIR/unknown.json"

rss=0
for pid in "${bench_pids[@]}"; do rss=$((rss + $(rss_kib "$pid"))); done

python3 - "$results" "$rss" "$BENCH_DIR/cpu" "$(getconf CLK_TCK)" <<'PY'
import sys
rows = {line.split()[0]: line.split()[1:] for line in open(sys.argv[1])}
limit16, limit1 = rows["limit-16"], rows["limit-1"]
names = {
    "a": "a: unknown key refused, 16 connections",
    "b": "b: publish + unpublish churn, 16 connections",
    "c": "c: on_forward of a known key, 16 connections",
    "d": "d: unknown key, 1 connection",
}
print(f"| scenario | req/s | p50 ms | p99 ms | req/s ÷ limit | p50 ÷ limit's |")
print(f"|---|---|---|---|---|---|")
print(f"| bare nginx, 16 connections (limit) | {float(limit16[0]):,.0f} | {float(limit16[1]):.3f} | {float(limit16[2]):.3f} | 1 | 1 |")
print(f"| bare nginx, 1 connection (limit) | {float(limit1[0]):,.0f} | {float(limit1[1]):.3f} | {float(limit1[2]):.3f} | 1 | 1 |")
for key in (k for k in "abcd" if k in rows):
    rps, p50, p99, non2xx, _ = rows[key]
    limit = limit1 if key == "d" else limit16
    print(f"| {names[key]} | {float(rps):,.0f} | {float(p50):.3f} | {float(p99):.3f} | {float(rps) / float(limit[0]):.1%} | {float(p50) / float(limit[1]):.1f} × |")
print(f"\nidle-after RSS of the three services: {int(sys.argv[2]) / 1024:.0f} MiB")
# Where the time went, by process: CPU used during the scenario over the requests it answered.
tick_ms = 1000 / int(sys.argv[4])
print("\n| CPU ms per request | AccountService | QueueService | HookGateway |")
print("|---|---|---|---|")
for line in open(sys.argv[3]):
    label, before, after = line.split()
    if label not in rows or label.startswith("limit"):
        continue
    requests = int(rows[label][4])
    used = [(int(b) - int(a)) * tick_ms / requests for a, b in zip(before.split(","), after.split(","))]
    print(f"| {label} | " + " | ".join(f"{ms:.3f}" for ms in used) + " |")
PY

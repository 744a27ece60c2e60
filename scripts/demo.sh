#!/usr/bin/env bash
# `make demo`: while `make run` is running (in another terminal), signs up a few demo DJs and
# publishes ffmpeg test patterns as their encoders — a colour and a tone each, staggered, one
# dropping out and coming back — so the queue, the overlays and the handovers can be watched
# without an encoder of your own. Stops by itself after DEMO_SECONDS (default 180), or on Ctrl-C.
# For quick handovers start the system with a short turn: SWAP_INTERVAL=30 make run
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/requirements.sh
require_packages ffmpeg curl

accounts=${ACCOUNT_SERVICE_URL:-http://127.0.0.1:8087}
queue=${QUEUE_SERVICE_URL:-http://127.0.0.1:8086}
rtmp=${RTMP_URL:-rtmp://127.0.0.1:1935/live}
seconds=${DEMO_SECONDS:-180}
password="demo password 0123456789"

if ! curl -fsS -o /dev/null "$accounts/health" || ! curl -fsS -o /dev/null "$queue/health"; then
    echo "error: Motherstream is not running at $accounts / $queue — start it with: make run" >&2
    exit 1
fi

json_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

# The demo DJ's stream key: a new account, or the one a previous demo made.
stream_key() {
    local name=$1 email
    email="$(echo "$name" | tr "[:upper:] " "[:lower:].")@example.org"
    local reply status
    reply=$(curl -sS -w '\n%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"$password\",\"dj_name\":\"$name\",\"timezone\":\"UTC\"}" \
        "$accounts/api/v1/users/signup")
    status=${reply##*$'\n'}
    if [ "$status" = 201 ]; then
        echo "${reply%$'\n'*}" | json_field stream_key
        return
    fi
    local token
    token=$(curl -fsS --data-urlencode "username=$email" --data-urlencode "password=$password" \
        "$accounts/api/v1/login/access-token" | json_field access_token) || {
        echo "error: could not sign up or log in $name (signup answered HTTP $status: ${reply%$'\n'*})" >&2
        exit 1
    }
    curl -fsS -H "Authorization: Bearer $token" "$accounts/api/v1/users/me/stream-key" | json_field stream_key
}

# name colour tone(Hz) start(s) stop(s, 0 = the end)
djs=(
    "Demo Red|red|220|0|0"
    "Demo Blue|blue|330|6|0"
    "Demo Green|green|440|12|0"
    "Demo Amber|orange|550|18|60"
    "Demo Amber|orange|550|75|0"
)

echo "==> signing up the demo DJs"
declare -A keys
for entry in "${djs[@]}"; do
    IFS='|' read -r name _ <<<"$entry"
    [ -n "${keys[$name]:-}" ] && continue
    keys[$name]=$(stream_key "$name")
    [ -n "${keys[$name]}" ] || { echo "error: no stream key for $name" >&2; exit 1; }
    echo "    $name"
done

pids=()
stop_all() {
    trap - INT TERM EXIT
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    echo "==> demo over"
}
trap stop_all INT TERM EXIT

# One encoder: waits for its start, publishes until its stop (or the demo's end), then leaves.
# Its waits run in the background so that the TERM from stop_all ends them (and ffmpeg) at once.
encoder() {
    local name=$1 colour=$2 tone=$3 start=$4 stop=$5
    local until=$(( stop > 0 ? stop : seconds ))
    local child=""
    trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null; exit 0' TERM
    [ "$start" -ge "$until" ] && return
    sleep "$start" & child=$!
    wait "$child"
    echo "    +$start s  $name starts publishing ($colour, $tone Hz)"
    ffmpeg -hide_banner -loglevel error -re \
        -f lavfi -i "color=c=$colour:size=640x360:rate=30" -f lavfi -i "sine=frequency=$tone:sample_rate=44100" \
        -t $(( until - start )) -c:v libx264 -preset ultrafast -tune zerolatency -g 60 -pix_fmt yuv420p \
        -c:a aac -b:a 96k -f flv "$rtmp/${keys[$name]}" </dev/null & child=$!
    if ! wait "$child"; then
        echo "    $name's encoder was dropped (refused, turn over or kicked)"
    elif [ "$stop" -gt 0 ]; then
        echo "    +$stop s  $name's encoder drops out"
    fi
}

echo "==> publishing to $rtmp for $seconds s (Ctrl-C stops); the queue: $queue/queue-json"
for entry in "${djs[@]}"; do
    IFS='|' read -r name colour tone start stop <<<"$entry"
    encoder "$name" "$colour" "$tone" "$start" "$stop" &
    pids+=("$!")
done

end=$(( SECONDS + seconds ))
last=""
while [ "$SECONDS" -lt "$end" ]; do
    line=$(curl -fsS "$queue/queue-json" 2>/dev/null || echo "(QueueService did not answer)")
    if [ "$line" != "$last" ]; then
        echo "    queue: $line"
        last=$line
    fi
    sleep 2
done

#!/usr/bin/env bash
# How long a valid DJ's on_publish takes through HookGateway (the recorded SRS body), without and
# with a flood of 16 parallel signups (each an Argon2id hash of the shipped cost: 64 MiB, 3 passes)
# hitting AccountService. Each flood request comes from its own loopback address, so the per-address
# signup limit does not hide the hashing: this is the distributed flood. Prints the medians, p95s,
# the ratio and what the flood got back. Needs `swift build -c release` and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/bench/lib.sh
trap stop_services EXIT
FLOOD_SECONDS=${FLOOD_SECONDS:-10}
SAMPLES=${SAMPLES:-60}

start_service AccountService 18387
LEAD_GRACE_SECONDS=0 start_service QueueService 18386
ACCOUNT_SERVICE_URL=http://127.0.0.1:18387 QUEUE_SERVICE_URL=http://127.0.0.1:18386 start_service HookGateway 18385

python3 - "$FLOOD_SECONDS" "$SAMPLES" <<'PY'
import http.client, json, statistics, sys, threading, time, os

flood_seconds, samples = float(sys.argv[1]), int(sys.argv[2])
secret = os.environ["HOOK_SECRET"]
fixtures = "Tests/Fixtures/srs"

def post(port, path, body, content_type="application/json", source=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0) if source else None)
    try:
        connection.request("POST", path, body=body.encode(), headers={"Content-Type": content_type})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()

status, body = post(18387, "/api/v1/users/signup", json.dumps(
    {"email": "steady@example.org", "password": "correct horse battery", "dj_name": "Steady", "timezone": "UTC"}))
assert status == 201, (status, body)
key = json.loads(body)["stream_key"]

def hook(name, client):
    text = open(f"{fixtures}/{name}").read().replace("KEY123", key).replace('"client_id":"a45n3q74"', f'"client_id":"{client}"')
    return post(18385, f"/srs/hooks?secret={secret}", text)

def publish_cycle(index):
    client = f"steady{index}"
    started = time.perf_counter()
    status, _ = hook("on_publish.json", client)
    elapsed = (time.perf_counter() - started) * 1000
    hook("on_unpublish.json", client)
    hook("on_close.json", client)
    return elapsed, status

def measure(count, pause=0.0):
    latencies, refused = [], 0
    for index in range(count):
        elapsed, status = publish_cycle(index)
        latencies.append(elapsed)
        refused += status != 200
        time.sleep(pause)
    return latencies, refused

def summary(values):
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]

for index in range(5):
    publish_cycle(1000 + index)
quiet, quiet_refused = measure(samples, pause=0.05)

stop = time.monotonic() + flood_seconds
counts, lock = {}, threading.Lock()
def flood(worker):
    sequence = 0
    while time.monotonic() < stop:
        sequence += 1
        source = f"127.{worker + 1}.{(sequence // 250) % 250 + 1}.{sequence % 250 + 1}"
        body = json.dumps({"email": f"flood{worker}-{sequence}@example.org", "password": "correct horse battery",
                           "dj_name": f"Flood {worker}-{sequence}", "timezone": "UTC"})
        try:
            status, _ = post(18387, "/api/v1/users/signup", body, source=source)
        except Exception as error:
            status = type(error).__name__
        with lock:
            counts[status] = counts.get(status, 0) + 1
workers = [threading.Thread(target=flood, args=(worker,)) for worker in range(16)]
for worker in workers:
    worker.start()
time.sleep(0.5)
loaded, loaded_refused = [], 0
while time.monotonic() < stop - 0.5:
    elapsed, status = publish_cycle(len(loaded))
    loaded.append(elapsed)
    loaded_refused += status != 200
    time.sleep(0.05)
for worker in workers:
    worker.join()

(quiet_median, quiet_p95), (loaded_median, loaded_p95) = summary(quiet), summary(loaded)
print(f"valid on_publish through the gateway, without a flood: median {quiet_median:.2f} ms, p95 {quiet_p95:.2f} ms (n={len(quiet)}, refused {quiet_refused})")
print(f"during {flood_seconds:.0f} s of 16 parallel signups:       median {loaded_median:.2f} ms, p95 {loaded_p95:.2f} ms (n={len(loaded)}, refused {loaded_refused})")
print(f"ratio of medians: {loaded_median / quiet_median:.2f}")
print("signup answers during the flood: " + ", ".join(f"{status}: {count}" for status, count in sorted(counts.items(), key=lambda item: str(item[0]))))
PY

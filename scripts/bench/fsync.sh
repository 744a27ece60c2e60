#!/usr/bin/env bash
# What one durable append costs on this disk: a 4 KiB pwrite + fdatasync, the operation each
# QueueService group commit performs. Prints the median and p99 of N runs.
set -euo pipefail
DIR=${1:-./data}
mkdir -p "$DIR"
python3 - "$DIR" <<'PY'
import os, sys, time, statistics
path = os.path.join(sys.argv[1], "fsync-probe.tmp")
fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
samples, offset, block = [], 0, b"x" * 4096
for _ in range(500):
    start = time.perf_counter()
    os.pwrite(fd, block, offset)
    os.fdatasync(fd)
    samples.append((time.perf_counter() - start) * 1000)
    offset += len(block)
os.close(fd); os.remove(path)
samples.sort()
print(f"4 KiB pwrite+fdatasync in {sys.argv[1]}: median {statistics.median(samples):.3f} ms, p99 {samples[int(len(samples)*0.99)]:.3f} ms, n={len(samples)}")
PY

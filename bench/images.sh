#!/usr/bin/env bash
# The two-platform image build of the hello module with podman, as
# `gov export dockerfile --platform linux/amd64,linux/arm64` writes it:
# RUNS runs of the real test that builds it (cold: no layer cache, empty
# cache mounts; warm: after a one-line edit), each printing the whole
# builds and each platform's `go build` step. Prints every run's line and
# the medians, with the warm arm64/amd64 step ratio (target <= 1.5:
# cross-compiling; emulation would be about 10).
# Needs podman (scripts/test.sh installs it) and target/go-mirror.
#
#   bench/images.sh        RUNS=3 by default
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
cargo build -q --tests
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for _ in $(seq "$runs"); do
  cargo test -q --test real export::a_two_platform -- --nocapture 2>&1 \
    | grep '^two-platform Dockerfile:' | tee -a "$log"
done
python3 - "$log" <<'PY'
import re, statistics, sys
rows = []
for line in open(sys.argv[1]):
    nums = [float(x) for x in re.findall(r"(\d+\.\d+) s", line)]
    rows.append(nums)  # cold, cold amd64, cold arm64, warm, warm amd64, warm arm64
med = lambda i: statistics.median(r[i] for r in rows)
print(f"medians of {len(rows)} runs: cold {med(0):.1f} s (go build amd64 {med(1):.1f} s, arm64 {med(2):.1f} s); "
      f"warm {med(3):.1f} s (go build amd64 {med(4):.2f} s, arm64 {med(5):.2f} s); "
      f"warm arm64/amd64 {statistics.median(r[5] / r[4] for r in rows):.2f}")
PY

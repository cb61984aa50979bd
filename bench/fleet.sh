#!/usr/bin/env bash
# A rollout of real Go 1.22 to a fleet of four podman nodes on Go 1.21,
# with contrib/ansible/playbooks/rollout.yml (batches 1, 25%, 100%; each
# node's checks: a build of a small service, its answer, its probe), from a
# `gov mirror` nginx serves on loopback: RUNS runs of the real test that
# does it, each printing the playbook's wall time and, from each node's
# `gov upgrade --json`, the time gov spent there (in all, installing, in
# the checks). Prints every run's lines and the medians.
# Needs podman and Ansible (scripts/test.sh installs them) and target/go-mirror.
#
#   bench/fleet.sh         RUNS=3 by default
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
cargo build -q --tests
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for _ in $(seq "$runs"); do
  cargo test -q --test real ansible::a_rollout_where_every_check_passes -- --nocapture 2>&1 \
    | grep -E '^rollout of|^  gov-node' | tee -a "$log"
done
python3 - "$log" <<'PY'
import re, statistics, sys
walls, nodes = [], []
for line in open(sys.argv[1]):
    if line.startswith("rollout of"):
        walls.append(float(re.search(r"(\d+\.\d+) s wall", line).group(1)))
    else:
        nodes.append([float(x) for x in re.findall(r"(\d+\.\d+) s", line)])
med = lambda i: statistics.median(n[i] for n in nodes)
print(f"medians of {len(walls)} runs: rollout {statistics.median(walls):.1f} s wall; "
      f"per node ({len(nodes)} upgrades) gov {med(0):.1f} s: install {med(1):.1f} s, checks {med(2):.1f} s")
PY

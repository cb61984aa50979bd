#!/usr/bin/env bash
# How long `gov history` takes with 10,000 records. Needs hyperfine.
#
#   bench/history.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"
mkdir -p "$GOV_HOME"
for i in $(seq 5000); do
  printf '{"time":"2026-12-01T15:20:07Z","before":"1.21.13","after":"1.22.12","command":"gov global 1.22"}\n'
  printf '{"time":"2026-12-01T15:20:08Z","before":"1.22.12","after":"1.21.13","command":"gov rollback"}\n'
done > "$GOV_HOME/history.jsonl"
"$gov" history | wc -l
hyperfine -N --warmup 10 --runs 100 "$gov history" "$gov history --json" 2>/dev/null | grep -E 'Benchmark|Time'

#!/usr/bin/env bash
# What `gov upgrade` costs beyond installing and checking: both releases
# already installed (linked fakes), one trivial check (`true`), the global
# default switched and recorded, then put back before the next run.
# Needs hyperfine.
#
#   bench/upgrade.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"
export GOV_OFFLINE=1
for v in 1.22.4 1.22.12; do
  mkdir -p "$tmp/go$v/bin" "$tmp/go$v/pkg/tool"
  cp "$(type -P true)" "$tmp/go$v/bin/go"
  echo "go$v" > "$tmp/go$v/VERSION"
  "$gov" --quiet link "$v" "$tmp/go$v"
done
cd "$tmp"
hyperfine -N --warmup 5 --runs 100 --prepare "$gov --quiet global 1.22.4" \
  "$gov --quiet upgrade 1.22.12 --check true" \
  "sh -c true" 2>/dev/null | grep -E 'Benchmark|Time'

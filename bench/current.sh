#!/usr/bin/env bash
# How long `gov current` takes in a go.work workspace, from a module ten
# directories below the go.work (gov walks up past the go.mod to it).
# Needs hyperfine.
#
#   bench/current.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"

mkdir -p "$tmp/go/bin" "$tmp/go/pkg/tool"
cp "$(type -P true)" "$tmp/go/bin/go"
echo go1.22.12 > "$tmp/go/VERSION"
"$gov" --quiet link 1.22.12 "$tmp/go"

ws="$tmp/workspace"
module="$ws/a/b/c/d/e/f/g/h/i/j"
mkdir -p "$module"
printf 'go 1.22.0\n\nuse ./a/b/c/d/e/f/g/h/i/j\n' > "$ws/go.work"
printf 'module example.com/j\n\ngo 1.21\n' > "$module/go.mod"
cd "$module"
"$gov" current
hyperfine -N --warmup 20 --runs 500 "$gov current" 2>/dev/null | grep -E 'Time|Range'

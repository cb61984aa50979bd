#!/usr/bin/env bash
# How long `gov audit` takes over a tree of 1,000 projects (generated
# version files: go.mod, .go-version, .tool-versions, go.work, with vendor/
# and testdata/ directories it must skip) with the database cached: three
# installed releases, a database of about vuln.go.dev's size for Go's own
# modules (the real entries of tests/data/vulndb, repeated under other IDs
# to 255 entries — the timing needs the size, not the facts), read from a
# directory (GOVULNDB as a path: one read of db.json per run, as against a
# server) and offline (GOV_OFFLINE=1: the cache only). Needs hyperfine.
# The target: under 200 ms.
#
#   bench/audit.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"

db="$tmp/vulndb"
mkdir -p "$db/index" "$db/ID"
python3 - "$here/tests/data/vulndb" "$db" <<'PY'
import json, os, sys
src, dst = sys.argv[1], sys.argv[2]
entries = [json.load(open(os.path.join(src, "ID", f))) for f in sorted(os.listdir(os.path.join(src, "ID")))]
vulns = []
for n in range(15):
    for e in entries:
        e = dict(e, id=e["id"] if n == 0 else "GO-9%03d-%s" % (n, e["id"][8:]))
        json.dump(e, open(os.path.join(dst, "ID", e["id"] + ".json"), "w"))
        vulns.append({"id": e["id"], "modified": e["modified"]})
json.dump({"modified": "2026-08-21T20:38:00Z"}, open(os.path.join(dst, "index/db.json"), "w"))
json.dump([{"path": "stdlib", "vulns": vulns}], open(os.path.join(dst, "index/modules.json"), "w"))
PY

for v in 1.21.13 1.22.12 1.23.8; do
  root="$tmp/roots/$v"
  mkdir -p "$root/bin" "$root/pkg/tool"
  printf '#!/bin/sh\necho go%s\n' "$v" > "$root/bin/go"
  chmod +x "$root/bin/go"
  printf 'go%s\ntime 2025-01-01T00:00:00Z\n' "$v" > "$root/VERSION"
  "$gov" link --quiet "$v" "$root"
done
"$gov" global --quiet 1.23.8

tree="$tmp/tree"
for i in $(seq 1000); do
  p="$tree/team$((i % 20))/p$i"
  mkdir -p "$p/cmd/app" "$p/internal/x" "$p/vendor/dep" "$p/testdata"
  case $((i % 4)) in
    0) printf 'module p%s\n\ngo 1.21\n' "$i" > "$p/go.mod" ;;
    1) printf 'module p%s\n\ngo 1.22.0\n\ntoolchain go1.22.12\n' "$i" > "$p/go.mod" ;;
    2) echo 1.23 > "$p/.go-version" ;;
    3) printf 'golang 1.22.12\n' > "$p/.tool-versions" ;;
  esac
  echo 1.17 > "$p/vendor/dep/.go-version"
  printf 'module t\n\ngo 1.16\n' > "$p/testdata/go.mod"
  : > "$p/cmd/app/main.go"
done

export GOVULNDB="$db"
set +e
"$gov" audit "$tree" > /dev/null
code=$?
set -e
echo "gov audit: exit $code"
"$gov" audit --json "$tree" | python3 -c 'import json,sys; r=json.load(sys.stdin); print("releases in use:", [x["version"] for x in r["releases"]], "version files:", r["walk"]["version_files"], "entries:", r["database"]["entries"])' || true
hyperfine -N -i --warmup 3 --runs 30 \
  "$gov audit $tree" \
  "env GOV_OFFLINE=1 $gov audit $tree" \
  "$gov audit --json $tree" 2>/dev/null | grep -E 'Benchmark|Time'

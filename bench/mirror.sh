#!/usr/bin/env bash
# `gov mirror` of two real releases from a loopback server, against curl of
# the same archives plus sha256sum: what verifying, writing aside and
# indexing costs over a bare download. Needs hyperfine, curl, python3 and
# the mirror of scripts/go-mirror.sh (target/go-mirror).
#
#   bench/mirror.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"
source_dir="$here/target/go-mirror"
[ -f "$source_dir/index.json" ] || { echo "run scripts/go-mirror.sh target/go-mirror first" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$source_dir" >/dev/null 2>&1 &
server=$!
trap 'kill $server; rm -rf "$tmp"' EXIT
sleep 1
base="http://127.0.0.1:$port"
export GOV_INDEX_URL="$base/index.json" GOV_DOWNLOAD_URL="$base/"
files=$(python3 -c 'import json,sys; print(" ".join(r["files"][0]["filename"] for r in json.load(open(sys.argv[1]))[:2]))' "$source_dir/index.json")
versions=$(python3 -c 'import json,sys; print(" ".join(r["version"][2:] for r in json.load(open(sys.argv[1]))[:2]))' "$source_dir/index.json")
curls=""
for f in $files; do curls="$curls curl -fsS -o $tmp/curl/$f $base/$f &&"; done
hyperfine --warmup 1 --runs 5 --export-json "$tmp/mirror.json" \
  --prepare "rm -rf $tmp/gov-mirror $tmp/curl && mkdir -p $tmp/curl" \
  -n "gov mirror" "$gov --quiet mirror $tmp/gov-mirror $versions" \
  -n "curl + sha256sum" "sh -c '$curls sha256sum $tmp/curl/*'" >/dev/null
python3 - "$tmp/mirror.json" <<'PY'
import json, sys
gov, curl = json.load(open(sys.argv[1]))["results"]
print(f"gov mirror {gov['median']:.2f} s, curl + sha256sum {curl['median']:.2f} s, ratio {gov['median'] / curl['median']:.2f} (medians of 5)")
PY

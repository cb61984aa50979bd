#!/usr/bin/env bash
# `gov install` of a real toolchain from a loopback mirror against the
# unverified shell pipeline `curl | tee file | tar -xz; sha256sum file`,
# plus gov's peak memory and `gov list-remote` from the cache.
# Needs hyperfine, curl, python3 and the mirror of scripts/go-mirror.sh.
#
#   bench/install.sh [MIRROR_DIR] [VERSION]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mirror=${1:-$here/target/go-mirror}
version=${2:-$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["version"][2:])' "$mirror/index.json")}
gov="$here/$("$here/install.sh" --build --quiet | tail -n 1)"

tmp=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
(cd "$mirror" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
server=$!
trap 'kill $server; rm -rf "$tmp"' EXIT
sleep 1
base="http://127.0.0.1:$port"
archive="go$version.linux-amd64.tar.gz"
export GOV_HOME="$tmp/gov" GOV_INDEX_URL="$base/index.json" GOV_DOWNLOAD_URL="$base/" RUST_BACKTRACE=1

hyperfine --warmup 1 --runs 5 --export-json "$tmp/install.json" \
  --prepare "rm -rf '$GOV_HOME/versions' '$tmp/shell'; mkdir -p '$tmp/shell'" \
  -n "gov install $version" "'$gov' --quiet install $version" \
  -n "curl | tee | tar -xz; sha256sum" "curl -s '$base/$archive' | tee '$tmp/shell/a.tgz' | tar -xz -C '$tmp/shell' && sha256sum '$tmp/shell/a.tgz' >/dev/null"

rm -rf "$GOV_HOME/versions"
/usr/bin/time -f "gov install peak memory: %M KiB" "$gov" --quiet install "$version"

"$gov" --quiet list-remote >/dev/null
hyperfine -N --warmup 20 --runs 200 --export-json "$tmp/list.json" -n "gov list-remote (cached)" "'$gov' list-remote"

python3 - "$tmp/install.json" "$tmp/list.json" <<'PY'
import json, sys
gov, shell = json.load(open(sys.argv[1]))["results"]
listing = json.load(open(sys.argv[2]))["results"][0]
print(f"install: gov {gov['median']:.2f} s, shell pipeline {shell['median']:.2f} s, ratio {gov['median']/shell['median']:.2f}")
print(f"list-remote from cache: median {listing['median']*1e3:.2f} ms")
PY

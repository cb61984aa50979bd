#!/usr/bin/env bash
# The shim's cost over running a toolchain's binary directly, with the
# version file four directories up. Needs hyperfine and a Go root
# (default: Debian's golang-1.19-go).
#
#   bench/shim.sh [GOROOT]
set -euo pipefail
goroot=${1:-/usr/lib/go-1.19}
here=$(cd "$(dirname "$0")/.." && pwd)
# Built as ./install.sh builds it.
gov="$here/$("$here/install.sh" --build --quiet | tail -n 1)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GOV_HOME="$tmp/gov" RUST_BACKTRACE=1
unset GOV_VERSION GOROOT GOTOOLCHAIN

# A trivial toolchain: bin/go is a binary that does nothing.
mkdir -p "$tmp/trivial/bin" "$tmp/trivial/pkg/tool"
cp "$(type -P true)" "$tmp/trivial/bin/go"
echo go1.99.0 > "$tmp/trivial/VERSION"
"$gov" --quiet link 1.99.0 "$tmp/trivial"
"$gov" --quiet link "$(sed -n 1p "$goroot/VERSION" | sed 's/^go//')" "$goroot"

project="$tmp/project"
deep="$project/a/b/c/d"
mkdir -p "$deep"
cd "$deep"

echo "1.99.0" > "$project/.go-version"
hyperfine -N --warmup 50 --runs 1000 --export-json "$tmp/trivial.json" \
  -n "trivial binary, direct" "$tmp/trivial/bin/go version" \
  -n "trivial binary, through the shim" "$GOV_HOME/bin/go version"

sed -n 1p "$goroot/VERSION" > "$project/.go-version"
hyperfine -N --warmup 20 --runs 300 --export-json "$tmp/go.json" \
  -n "go version, direct" "$goroot/bin/go version" \
  -n "go version, through the shim" "$GOV_HOME/bin/go version"

# The figure the target is about: median through the shim minus median direct.
for run in trivial go; do
  python3 - "$tmp/$run.json" <<'PY'
import json, sys
direct, shim = json.load(open(sys.argv[1]))["results"]
print(f"{shim['command']}: median {shim['median']*1e3:.2f} ms, direct {direct['median']*1e3:.2f} ms, "
      f"shim cost {(shim['median'] - direct['median'])*1e3:.2f} ms")
PY
done

#!/usr/bin/env bash
# The shim's cost over running a toolchain's binary directly, with the
# version file four directories up, with a system store present, side by
# side in one run with the least
# a shim can do: a small static C program (bench/cshim.c) that walks up for
# .go-version and execs. Needs hyperfine, a C compiler and a Go root
# (default: Debian's golang-1.19-go).
#
#   bench/shim.sh [GOROOT]
set -euo pipefail
goroot=${1:-/usr/lib/go-1.19}
. "$(dirname "$0")/common.sh"

# A trivial toolchain: bin/go is a binary that does nothing.
mkdir -p "$tmp/trivial/bin" "$tmp/trivial/pkg/tool"
cp "$(type -P true)" "$tmp/trivial/bin/go"
echo go1.99.0 > "$tmp/trivial/VERSION"
# The trivial release is in a system store, the Go root in the user's: a
# shim finds the first past the user's store, the second in it.
export GOV_SYSTEM_HOME="$tmp/system"
"$gov" --quiet --system link 1.99.0 "$tmp/trivial"
"$gov" --quiet link "$(sed -n 1p "$goroot/VERSION" | sed 's/^go//')" "$goroot"

# The yardstick, linked statically as gov is.
mkdir -p "$tmp/cshim"
cc -O2 -static -o "$tmp/cshim/go" "$here/bench/cshim.c"

project="$tmp/project"
deep="$project/a/b/c/d"
mkdir -p "$deep"
cd "$deep"

# Several rounds of the three side by side, so that the machine's drift
# during a run hits all three alike; the figures are medians over rounds.
measure() { # name rounds runs direct-program
  local name=$1 rounds=$2 runs=$3 direct=$4
  for round in $(seq "$rounds"); do
    hyperfine -N --warmup 20 --runs "$runs" --export-json "$tmp/$name.$round.json" \
      -n "$name, direct" "$direct version" \
      -n "$name, through the shim" "$GOV_HOME/bin/go version" \
      -n "$name, through the C yardstick" "$tmp/cshim/go version" >/dev/null 2>&1
  done
  python3 - "$name" "$tmp" "$rounds" <<'PY'
import json, statistics, sys
name, tmp, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
direct, gov, c = [], [], []
for r in range(1, rounds + 1):
    d, s, y = json.load(open(f"{tmp}/{name}.{r}.json"))["results"]
    direct.append(d["median"]); gov.append(s["median"] - d["median"]); c.append(y["median"] - d["median"])
g, y = statistics.median(gov) * 1e3, statistics.median(c) * 1e3
print(f"{name}: direct {statistics.median(direct)*1e3:.2f} ms, shim cost {g:.2f} ms, "
      f"C yardstick cost {y:.2f} ms, ratio {g / y:.2f} (medians of {rounds} rounds)")
PY
}

# The figures the target is about (SPEC: at most 0.5 ms over running the
# binary directly, and at most 1.5 times the yardstick's cost).
echo "1.99.0" > "$project/.go-version"
measure "trivial binary" 6 500 "$tmp/trivial/bin/go"
sed -n 1p "$goroot/VERSION" > "$project/.go-version"
measure "go version" 6 200 "$goroot/bin/go"

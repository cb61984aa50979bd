#!/usr/bin/env bash
# What `gov init` costs a shell: start-up of an interactive bash with and
# without it, and the prompt hook's `gov env --hook` (run on `cd` only).
# Needs hyperfine.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
gov="$here/$("$here/install.sh" --build --quiet | tail -n 1)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GOV_HOME="$tmp/gov" RUST_BACKTRACE=1
mkdir -p "$tmp/t/bin" "$tmp/t/pkg/tool" "$tmp/project/a/b/c"
cp "$(type -P true)" "$tmp/t/bin/go"
echo go1.99.0 > "$tmp/t/VERSION"
"$gov" --quiet link 1.99.0 "$tmp/t"
echo 1.99.0 > "$tmp/project/.go-version"
echo "eval \"\$('$gov' init bash)\"" > "$tmp/rc"
: > "$tmp/empty"
cd "$tmp/project/a/b/c"
hyperfine -N --warmup 10 --runs 100 --export-json "$tmp/start.json" \
  -n "bash -i" "bash --rcfile $tmp/empty -i -c exit" \
  -n "bash -i with gov init" "bash --rcfile $tmp/rc -i -c exit"
hyperfine -N --warmup 20 --runs 300 --export-json "$tmp/hook.json" \
  -n "prompt hook after cd" "$gov env --hook bash"
python3 - "$tmp/start.json" "$tmp/hook.json" <<'PY'
import json, sys
plain, init = json.load(open(sys.argv[1]))["results"]
hook = json.load(open(sys.argv[2]))["results"][0]
print(f"shell start-up: bash {plain['median']*1e3:.2f} ms, with gov init {init['median']*1e3:.2f} ms "
      f"(+{(init['median'] - plain['median'])*1e3:.2f} ms)")
print(f"prompt hook after cd: median {hook['median']*1e3:.2f} ms")
PY

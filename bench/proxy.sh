#!/usr/bin/env bash
# Installing Go from Go's own channel (the module proxy and the checksum
# database), on a loopback proxy and database (target/goproxy-server):
#   (a) `gov install --source proxy VERSION`, a fresh GOV_HOME each run;
#   (b) `tar -xzf` of the same release's go.dev tarball (no download, no
#       check): the parallel unpack against the usual one;
#   (c) Go's own switch: Go OLD running `GOTOOLCHAIN=goVERSION go version`
#       with a fresh module cache each run (it downloads, verifies against
#       the same database and unpacks the same module zip).
# All three write to the same disk (one scratch parent) and end with
# `sync`, in ROUNDS interleaved rounds of RUNS runs each; medians and the
# spread over all runs, the ratios a/b and a/c of the medians. Then
# `cargo bench --bench verify` (what the checksum database client adds
# with its tiles cached), also against the live database.
# Needs hyperfine, python3, target/go-proxy (scripts/go-proxy.sh),
# target/go-mirror (scripts/go-mirror.sh) and target/goproxy-server.
#
#   bench/proxy.sh [VERSION [OLD]]     ROUNDS=3 RUNS=2 by default
set -euo pipefail
. "$(dirname "$0")/common.sh"
version=${1:-1.22.12}
old=${2:-1.21.13}
rounds=${ROUNDS:-3}
runs=${RUNS:-2}
proxy_dir="$here/target/go-proxy"
server_bin="$here/target/goproxy-server"
tarball="$here/target/go-mirror/go$version.linux-amd64.tar.gz"
old_tarball="$here/target/go-mirror/go$old.linux-amd64.tar.gz"
for f in "$proxy_dir/golang.org/toolchain/@v/v0.0.1-go$version.linux-amd64.zip" "$server_bin" "$tarball" "$old_tarball"; do
  [ -e "$f" ] || { echo "missing $f (scripts/go-mirror.sh, scripts/go-proxy.sh)" >&2; exit 1; }
done

# The server runs until its stdin closes: a fifo held open by this script.
# 100000 other records first: a log three tile levels deep, as a real
# database's proofs are several (sum.golang.org's: four).
mkfifo "$tmp/server.in"
"$server_bin" serve -extra 100000 -dir "$proxy_dir" <"$tmp/server.in" >"$tmp/ready.json" 2>"$tmp/server.log" &
server=$!
exec 3>"$tmp/server.in"
trap 'exec 3>&-; wait $server 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do [ -s "$tmp/ready.json" ] && break; sleep 0.1; done
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$tmp/ready.json" "$1"; }
export GOPROXY GOSUMDB GOENV=off GOFLAGS=-modcacherw GONOSUMDB= GOPRIVATE= GONOPROXY=
GOPROXY=$(field proxy)
GOSUMDB="$(field key) $(field url)"

# Go OLD, to switch from.
mkdir "$tmp/old"
tar -xzf "$old_tarball" -C "$tmp/old"
go_old="$tmp/old/go/bin/go"

work="$tmp/work"   # every run writes here: one disk for all three
mkdir "$work"
a="$gov --quiet install --source proxy $version"
b="tar -xzf $tarball -C $work/tar"
c="env GOTOOLCHAIN=go$version GOMODCACHE=$work/gopath/pkg/mod GOPATH=$work/gopath $go_old version"

# Nothing is deleted until the end: ext4 does not reuse an inode freed in
# the last minute (five, while its table block is dirty) and scans past
# each one when it creates a file, so a run right after `rm -rf` of the
# previous tree (~10000 files) spends seconds in the kernel on that alone
# (`recently_deleted` in `perf`), whichever command it times. Each run
# moves the previous run's trees aside instead.
trash="$tmp/trash"
mkdir "$trash"
cat >"$tmp/clear.sh" <<EOF
for d in "$GOV_HOME" "$work/tar" "$work/gopath"; do
  if [ -e "\$d" ]; then mv "\$d" "\$(mktemp -d -p "$trash")/"; fi
done
mkdir -p "$work/tar"
sync
EOF

# Each once, untimed: it works, and the zip and tarball are in the page cache.
sh "$tmp/clear.sh"
$a
test -x "$GOV_HOME/versions/linux-amd64/$version/bin/go" ||
  test -n "$(find "$GOV_HOME" -path "*/$version/bin/go" -print -quit)"
$b
out=$($c)
case "$out" in *"go$version "*) ;; *) echo "Go's switch printed: $out" >&2; exit 1 ;; esac

for round in $(seq "$rounds"); do
  echo "round $round of $rounds" >&2
  hyperfine -N --runs "$runs" --export-json "$tmp/round$round.json" \
    --prepare "sh $tmp/clear.sh" -n "gov install --source proxy $version" "sh -c '$a && sync'" \
    --prepare "sh $tmp/clear.sh" -n "tar -xzf go$version.linux-amd64.tar.gz" "sh -c '$b && sync'" \
    --prepare "sh $tmp/clear.sh" -n "go$old: GOTOOLCHAIN=go$version go version" "sh -c '$c >/dev/null && sync'" \
    >/dev/null
done

python3 - "$tmp"/round*.json <<'PY'
import json, statistics, sys
names, times = [], {}
per_round = []
for path in sys.argv[1:]:
    results = json.load(open(path))["results"]
    medians = []
    for r in results:
        if r["command"] not in times:
            names.append(r["command"])
            times[r["command"]] = []
        times[r["command"]] += r["times"]
        medians.append(statistics.median(r["times"]))
    per_round.append(medians)
def q(xs, p):
    xs = sorted(xs)
    return xs[round((len(xs) - 1) * p)]
for label, name in zip("abc", names):
    t = times[name]
    print(f"({label}) {name}: median {statistics.median(t):.2f} s, "
          f"min {min(t):.2f}, quartiles {q(t, .25):.2f}-{q(t, .75):.2f}, max {max(t):.2f} s ({len(t)} runs)")
ma, mb, mc = (statistics.median(times[n]) for n in names)
ab = [r[0] / r[1] for r in per_round]
ac = [r[0] / r[2] for r in per_round]
print(f"a/b = {ma / mb:.2f} (target <= 0.7; per round {', '.join(f'{x:.2f}' for x in ab)})")
print(f"a/c = {ma / mc:.2f} (target <= 0.8; per round {', '.join(f'{x:.2f}' for x in ac)})")
PY

echo "checksum database client, tiles cached (cargo bench --bench verify):"
(cd "$here" && VERIFY_GOSUMDB="$GOSUMDB" cargo bench --quiet --locked --bench verify)

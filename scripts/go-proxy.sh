#!/usr/bin/env bash
# Builds a static GOPROXY holding the toolchain modules of the real Go
# releases in the mirror scripts/go-mirror.sh makes: for each
# go<V>.linux-amd64.tar.gz with V >= 1.21.0 there, the module
# golang.org/toolchain@v0.0.1-go<V>.linux-amd64 exactly as Go's cmd/distpack
# writes it (see tests/goproxy/modzip.go), laid out as
# OUTDIR/golang.org/toolchain/@v/{list,<version>.info,.mod,.zip}, plus a
# .ziphash (the zip's h1:) the test server reads instead of hashing again.
# Also builds target/goproxy-server (tests/goproxy, with Debian's Go 1.19 and
# golang-golang-x-mod-dev, offline), the checksum database and proxy the
# tests serve it with. Modules already built are kept (until their release
# or tests/goproxy/modzip.go changes), so a second run is quick.
#
#   scripts/go-proxy.sh OUTDIR [MIRROR]     (default mirror: target/go-mirror)
set -euo pipefail
out=${1:?usage: scripts/go-proxy.sh OUTDIR [MIRROR]}
repo=$(cd "$(dirname "$0")/.." && pwd)
mirror=${2:-$repo/target/go-mirror}
go=${GOV_TEST_GO119:-/usr/lib/go-1.19}/bin/go
server=$repo/target/goproxy-server

if [ ! -x "$go" ] || [ ! -d /usr/share/gocode/src/golang.org/x/mod/sumdb ]; then
  echo "go-proxy: needs Debian's Go 1.19 and golang.org/x/mod:" \
    "apt-get install -y golang-1.19-go golang-golang-x-mod-dev" >&2
  exit 1
fi
# Rebuilt when a source is newer than the program.
if [ ! -x "$server" ] || [ -n "$(find "$repo/tests/goproxy" -name '*.go' -newer "$server")" ]; then
  mkdir -p "$repo/target"
  (cd "$repo" && export GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= \
    && "$go" vet ./tests/goproxy && "$go" test -count=1 ./tests/goproxy \
    && "$go" build -o "$server.tmp" ./tests/goproxy)
  mv "$server.tmp" "$server"
  echo "go-proxy: built target/goproxy-server"
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
versions=$out/golang.org/toolchain/@v
for tarball in "$mirror"/go*.linux-amd64.tar.gz; do
  [ -e "$tarball" ] || { echo "go-proxy: no releases in $mirror: run scripts/go-mirror.sh $mirror 1.19 1.21 1.22" >&2; exit 1; }
  name=$(basename "$tarball")
  v=${name#go}
  v=${v%.linux-amd64.tar.gz}
  # Go 1.21 is the first release in module form.
  if [ "$(printf '%s\n' 1.21.0 "$v" | sort -V | head -n1)" != 1.21.0 ]; then
    continue
  fi
  module=v0.0.1-go$v.linux-amd64
  # Kept while newer than its release and than the code that writes it.
  if [ -s "$versions/$module.zip" ] && [ -s "$versions/$module.ziphash" ] \
      && [ "$versions/$module.zip" -nt "$tarball" ] && [ "$versions/$module.zip" -nt "$repo/tests/goproxy/modzip.go" ]; then
    echo "go-proxy: $module already built"
    continue
  fi
  work=$(mktemp -d "$out/.work.XXXXXX")
  tar -C "$work" -xzf "$tarball"
  start=$SECONDS
  "$server" zip "$work/go" "$out" >/dev/null
  rm -rf "$work"
  echo "go-proxy: built $module ($((SECONDS - start))s)"
done

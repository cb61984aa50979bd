# Sourced by the benchmarks: a scratch directory removed on exit ($tmp),
# and gov built as ./install.sh builds it and copied as installing it copies
# it ($gov; a copy starts measurably faster than the linker's own output),
# with an empty GOV_HOME and RUST_BACKTRACE=1 as on these machines.
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/exe"
cp "$here/$("$here/install.sh" --build --quiet | tail -n 1)" "$tmp/exe/gov"
gov="$tmp/exe/gov"
export GOV_HOME="$tmp/gov" RUST_BACKTRACE=1
unset GOV_VERSION GOROOT GOTOOLCHAIN GOWORK

#!/usr/bin/env bash
# Builds and installs gov from this checkout with cargo (into ~/.cargo/bin).
# On Linux with glibc the binary is linked statically and at a fixed
# address (not position-independent): the shims then skip the dynamic
# loader and the self-relocation of a static PIE on every `go` call, about
# 0.05 ms each time. (The trade: no address randomisation for gov itself,
# which is written in safe Rust apart from one execve call.)
#
#   ./install.sh            install
#   ./install.sh --build    only build, into target/<host>/release/gov
set -euo pipefail
cd "$(dirname "$0")"
host=$(rustc -vV | sed -n 's/^host: //p')
static=()
case "$host" in
  *-linux-gnu) static=(--target "$host" --config "target.$host.rustflags=[\"-C\",\"target-feature=+crt-static\",\"-C\",\"relocation-model=static\"]") ;;
esac
if [ "${1:-}" = "--build" ]; then
  shift
  cargo build --locked --release "${static[@]}" "$@"
  echo "target/${static:+$host/}release/gov"
else
  cargo install --locked --path . "${static[@]}" "$@"
fi

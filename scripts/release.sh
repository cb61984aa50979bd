#!/usr/bin/env bash
# Builds gov's release binaries into OUTDIR, each with a .sha256 beside it,
# named as go.dev names platforms: gov-linux-amd64, gov-linux-arm64,
# gov-darwin-amd64, gov-darwin-arm64. Linux binaries are static (glibc's
# crt-static, not position-independent: see install.sh); macOS ones link
# only the system's libraries.
#
#   scripts/release.sh OUTDIR [RUST-TARGET...]   (default: this machine's)
#
# Each target must be installed (`rustup target add`); cross-linking for
# linux-arm64 wants a linker for it (the release workflow builds each
# target on its own runner).
set -euo pipefail
out=${1:?usage: scripts/release.sh OUTDIR [RUST-TARGET...]}
shift
cd "$(dirname "$0")/.."
mkdir -p "$out"
out=$(cd "$out" && pwd)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("$(rustc -vV | sed -n 's/^host: //p')")

for target in "${targets[@]}"; do
  case "$target" in
    x86_64-unknown-linux-gnu) name=linux-amd64 ;;
    aarch64-unknown-linux-gnu) name=linux-arm64 ;;
    x86_64-apple-darwin) name=darwin-amd64 ;;
    aarch64-apple-darwin) name=darwin-arm64 ;;
    *) echo "release: no release name for $target" >&2; exit 2 ;;
  esac
  flags=()
  case "$target" in
    *-linux-gnu) flags=(--config "target.$target.rustflags=[\"-C\",\"target-feature=+crt-static\",\"-C\",\"relocation-model=static\"]") ;;
  esac
  cargo build --locked --release --target "$target" "${flags[@]}"
  cp "target/$target/release/gov" "$out/gov-$name.tmp"
  mv "$out/gov-$name.tmp" "$out/gov-$name"
  if command -v sha256sum >/dev/null; then sum=(sha256sum); else sum=(shasum -a 256); fi
  (cd "$out" && "${sum[@]}" "gov-$name" > "gov-$name.sha256")
  echo "release: built $out/gov-$name"
done
cp scripts/get-gov.sh "$out/get-gov.sh"

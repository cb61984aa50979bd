#!/bin/sh
# Installs a prebuilt gov: no Rust needed.
#
#   curl -fsSL https://github.com/gov-sh/gov/releases/latest/download/get-gov.sh | sh
#   sh get-gov.sh [--prefix DIR]      (default DIR: ~/.local; gov goes in DIR/bin)
#
# GOV_RELEASE_URL names where the binaries are (default: the project's
# latest release); the binary's sha256 is checked before anything is
# installed.
set -eu

release_url=${GOV_RELEASE_URL:-https://github.com/gov-sh/gov/releases/latest/download}
prefix="${HOME:?set HOME or pass --prefix}/.local"
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    -h|--help) sed -n '2,9p' "$0" 2>/dev/null || true; exit 0 ;;
    *) echo "get-gov: unknown argument: $1" >&2; exit 2 ;;
  esac
done

fail() { echo "get-gov: $*" >&2; exit 1; }

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) fail "no prebuilt gov for $(uname -s); build it from source: ./install.sh" ;;
esac
case "$(uname -m)" in
  x86_64|amd64) arch=amd64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) fail "no prebuilt gov for $(uname -m); build it from source: ./install.sh" ;;
esac
name="gov-$os-$arch"

if command -v curl >/dev/null 2>&1; then
  fetch() { curl -fsSL --retry 3 -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
  fetch() { wget -q -O "$2" "$1"; }
else
  fail "needs curl or wget"
fi
if command -v sha256sum >/dev/null 2>&1; then
  digest() { sha256sum "$1" | cut -d' ' -f1; }
elif command -v shasum >/dev/null 2>&1; then
  digest() { shasum -a 256 "$1" | cut -d' ' -f1; }
else
  fail "needs sha256sum or shasum to check the download"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fetch "$release_url/$name" "$tmp/gov" || fail "cannot download $release_url/$name (check GOV_RELEASE_URL)"
fetch "$release_url/$name.sha256" "$tmp/gov.sha256" || fail "cannot download $release_url/$name.sha256"
want=$(cut -d' ' -f1 < "$tmp/gov.sha256")
got=$(digest "$tmp/gov")
[ "$want" = "$got" ] || fail "checksum mismatch for $release_url/$name: expected sha256 $want, got $got; nothing was installed"

mkdir -p "$prefix/bin"
chmod 755 "$tmp/gov"
# Into place with one rename: a running gov is never half-replaced.
cp "$tmp/gov" "$prefix/bin/.gov.new.$$"
mv "$prefix/bin/.gov.new.$$" "$prefix/bin/gov"
echo "get-gov: installed $("$prefix/bin/gov" --version) in $prefix/bin/gov"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "get-gov: add $prefix/bin to PATH" ;;
esac
echo "get-gov: then add to ~/.bashrc: eval \"\$(gov init bash)\"   (zsh: ~/.zshrc; fish: gov init fish | source)"

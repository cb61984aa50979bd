#!/usr/bin/env bash
# Runs every test on a fresh Debian machine: installs what the tests need
# (Debian's Go 1.19, zsh and fish, a mirror of real Go releases), then
# checks formatting and lints and runs the fast and the real test binaries.
#
#   scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" = 0 ]; then apt=(apt-get); else apt=(sudo apt-get); fi
# A real Go toolchain the tests link and run (Debian's Go 1.19), the
# shells whose start-up scripts the tests drive, curl for the installer
# test, useradd for the second account of the ownership tests, and nginx to
# serve a mirror.
if [ ! -x /usr/lib/go-1.19/bin/go ] || ! command -v zsh >/dev/null || ! command -v fish >/dev/null \
    || ! command -v curl >/dev/null || ! command -v useradd >/dev/null || ! command -v nginx >/dev/null; then
  "${apt[@]}" update -qq
  "${apt[@]}" install -y -qq golang-1.19-go zsh fish curl passwd nginx
fi

# Real Go releases, repackaged from Debian's packages, for the install tests.
scripts/go-mirror.sh target/go-mirror 1.19 1.21 1.22

cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked

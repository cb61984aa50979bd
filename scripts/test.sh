#!/usr/bin/env bash
# Runs every test on a fresh Debian machine: installs what the tests need
# (Debian's Go 1.19, zsh and fish, nginx, podman with runc and debootstrap,
# Ansible, git and binutils, the official SBOM validators from PyPI, a
# mirror of real Go releases and their toolchain modules), then checks
# formatting and lints and runs the fast and the real test binaries.
#
#   scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" = 0 ]; then apt=(apt-get); tee=(tee); else apt=(sudo apt-get); tee=(sudo tee); fi
# A real Go toolchain the tests link and run (Debian's Go 1.19), the
# shells whose start-up scripts the tests drive, curl for the installer
# test, useradd for the second account of the ownership tests, nginx to
# serve a mirror, podman (on runc; debootstrap makes the base image of
# build stages) for the container tests, git and strip for the Go programs
# the SBOM tests read, python3-venv for the SBOM validators, and
# golang.org/x/mod (its sumdb, tlog, note and dirhash) for the test
# checksum database, and qemu-user-static to run arm64 programs (called
# directly: no binfmt handler is registered, so nothing runs under
# emulation by accident).
# Ansible (ansible-core 2.14 with the containers.podman collection) drives
# the fleet tests' podman nodes, as an Ansible user's fleet would be driven.
if [ ! -x /usr/lib/go-1.19/bin/go ] || [ ! -d /usr/share/gocode/src/golang.org/x/mod/sumdb ] \
    || ! command -v zsh >/dev/null || ! command -v fish >/dev/null \
    || ! command -v curl >/dev/null || ! command -v useradd >/dev/null || ! command -v nginx >/dev/null \
    || ! command -v podman >/dev/null || [ ! -x /usr/sbin/runc ] || [ ! -x /usr/sbin/debootstrap ] \
    || ! command -v qemu-aarch64-static >/dev/null || ! command -v git >/dev/null || ! command -v strip >/dev/null || ! python3 -c 'import ensurepip' 2>/dev/null \
    || ! command -v ansible-playbook >/dev/null; then
  "${apt[@]}" update -qq
  "${apt[@]}" install -y -qq golang-1.19-go zsh fish curl passwd nginx podman runc debootstrap \
    git binutils python3-venv golang-golang-x-mod-dev
  "${apt[@]}" install -y -qq --no-install-recommends qemu-user-static ansible
fi

# The fleet tests are written for Debian 12's ansible-core 2.14 (its
# modules' results and the containers.podman it bundles): another Ansible
# first on PATH (from pip, say) would fail them in other ways.
ansible_version=$(ansible-playbook --version 2>&1 | head -n 1) || true
case "$ansible_version" in
  *"[core 2.14."*) ;;
  *)
    echo "test.sh: the tests need ansible-core 2.14.x (Debian 12's ansible package);" \
      "\`ansible-playbook --version\` says: ${ansible_version:-nothing}" >&2
    exit 1
    ;;
esac

# The official validators of SPDX 2.3 (spdx-tools) and CycloneDX 1.5
# (cyclonedx-python-lib's strict JSON validator), from PyPI.
venv=target/sbom-venv
if ! "$venv/bin/python" -c 'import spdx_tools, cyclonedx.validation.json' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'spdx-tools==0.8.5' 'cyclonedx-python-lib[json-validation]==11.12.0'
fi

# By default podman raises a container's open-files limit above its own;
# where it lacks CAP_SYS_RESOURCE (inside another container, say) runc
# refuses that ("error setting rlimit"). With no default ulimits, containers
# keep podman's own limits.
conf=/etc/containers/containers.conf
if ! grep -Eqs '^[[:space:]]*default_ulimits[[:space:]]*=' "$conf"; then
  if [ ! -e "$conf" ]; then
    printf '[containers]\ndefault_ulimits = []\n' | "${tee[@]}" "$conf" >/dev/null
  elif grep -Eq '^[[:space:]]*\[containers\]' "$conf"; then
    echo "test.sh: $conf has a [containers] section without default_ulimits;" \
      "if containers fail with \"error setting rlimit\", add 'default_ulimits = []' to it" >&2
  else
    echo "test.sh: adding a [containers] section with default_ulimits = [] to $conf" >&2
    printf '\n[containers]\ndefault_ulimits = []\n' | "${tee[@]}" -a "$conf" >/dev/null
  fi
fi

# Real Go releases, repackaged from Debian's packages, for the install tests;
# 1.22 for arm64 too.
scripts/go-mirror.sh target/go-mirror 1.19 1.21 1.22 1.22/arm64
# Their toolchain modules (Go >= 1.21) as a GOPROXY, and target/goproxy-server,
# the checksum database and proxy the tests serve them with.
scripts/go-proxy.sh target/go-proxy

cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked

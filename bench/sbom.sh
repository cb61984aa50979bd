#!/usr/bin/env bash
# How long `gov sbom --binary` takes on a large Go program: the compiler of
# the mirror's newest Go 1.22 (18 MB), plus `go version -m` on it for
# comparison. Needs hyperfine and the mirror (scripts/go-mirror.sh).
#
#   bench/sbom.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"
archive=$(ls "$here"/target/go-mirror/go1.22.*.linux-amd64.tar.gz | sort -V | tail -n 1)
tar -C "$tmp" -xzf "$archive"
compile=$(ls "$tmp"/go/pkg/tool/linux_amd64/compile)
ls -l "$compile" | awk '{print $5 " bytes"}'
hyperfine -N --warmup 5 --runs 50 \
  "$gov sbom --binary $compile" \
  "$gov sbom --binary $compile --format cyclonedx" \
  "$tmp/go/bin/go version -m $compile" 2>/dev/null | grep -E 'Benchmark|Time'

#!/usr/bin/env bash
# How long `gov sbom --binary` takes:
# - on a large Go program: the compiler of the mirror's newest Go 1.22
#   (18 MB), with `go version -m` on it for comparison (skipped without
#   the mirror of scripts/go-mirror.sh);
# - on a program listing 100,000 modules (the most gov reads; a 7 MB file
#   written here): the work must grow linearly with the modules;
# - on a crafted 8 MiB file whose 60,000 program headers all map the same
#   4 MiB: the search must stop at its budget (an error), not read 240 GB.
# Needs hyperfine and python3.
#
#   bench/sbom.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"
archive=$(ls "$here"/target/go-mirror/go1.22.*.linux-amd64.tar.gz 2>/dev/null | sort -V | tail -n 1 || true)
if [ -n "$archive" ]; then
  tar -C "$tmp" -xzf "$archive"
  compile=$(ls "$tmp"/go/pkg/tool/linux_amd64/compile)
  ls -l "$compile" | awk '{print $5 " bytes"}'
  hyperfine -N --warmup 5 --runs 50 \
    "$gov sbom --binary $compile" \
    "$gov sbom --binary $compile --format cyclonedx" \
    "$tmp/go/bin/go version -m $compile" 2>/dev/null | grep -E 'Benchmark|Time'
else
  echo "no Go 1.22 in target/go-mirror: the compiler is skipped (scripts/go-mirror.sh)"
fi

python3 - "$tmp" <<'PY'
import struct, sys
tmp = sys.argv[1]

def elf(segments, body_at, body):
    f = bytearray(64)
    f[:7] = b"\x7fELF\x02\x01\x01"
    f[16:18] = struct.pack("<H", 2)
    f[0x20:0x28] = struct.pack("<Q", 64)
    f[0x36:0x38] = struct.pack("<H", 56)
    f[0x38:0x3a] = struct.pack("<H", len(segments))
    for addr, offset, filesz, memsz in segments:
        # PT_LOAD, read and write.
        f += struct.pack("<IIQQQQQQ", 1, 6, offset, addr, 0, filesz, memsz, 0)
    f += bytes(body_at - len(f))
    return bytes(f) + body

def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)

lines = ["path\texample.com/app\n", "mod\texample.com/app\t(devel)\t\n"]
for i in range(100_000):
    lines.append(f"dep\texample.com/m{i}\tv1.{i // 1000}.{i % 1000}\th1:{i:043d}=\n")
modinfo = b"\x30" * 16 + "".join(lines).encode() + b"\xf9" * 16
version = b"go1.22.4"
blob = b"\xff Go buildinf:\x08\x02" + bytes(16)
blob += varint(len(version)) + version + varint(len(modinfo)) + modinfo
open(f"{tmp}/many-deps", "wb").write(elf([(0x10000, 4096, len(blob), len(blob))], 4096, blob))

mib = 1 << 20
count, size = 60_000, 4 * mib
segments = [(0x10000000 + k * size, 4 * mib, size, count * size if k == 0 else size) for k in range(count)]
open(f"{tmp}/same-bytes", "wb").write(elf(segments, 4 * mib, bytes(size)))
PY
ls -l "$tmp/many-deps" "$tmp/same-bytes" | awk '{print $9 ": " $5 " bytes"}'
hyperfine -N --warmup 1 --runs 5 \
  "$gov sbom --binary $tmp/many-deps --output $tmp/many-deps.spdx.json" \
  "$gov sbom --binary $tmp/many-deps --format cyclonedx --output $tmp/many-deps.cdx.json" 2>/dev/null | grep -E 'Benchmark|Time'
hyperfine -N -i --warmup 1 --runs 5 \
  "$gov sbom --binary $tmp/same-bytes" 2>/dev/null | grep -E 'Benchmark|Time'

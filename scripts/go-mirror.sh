#!/usr/bin/env bash
# Builds a Go download mirror from Debian's packages of real Go toolchains,
# laid out as go.dev's: go<version>.linux-amd64.tar.gz (everything under
# go/), a .sha256 file beside each, and index.json in the schema of
# https://go.dev/dl/?mode=json&include=all. Serve the directory over HTTP (or
# use it as a plain directory) and point GOV_INDEX_URL and GOV_DOWNLOAD_URL
# at it. Archives already built are kept, so a second run is quick.
#
#   scripts/go-mirror.sh OUTDIR [SERIES[/ARCH]...]     (default: 1.19 1.22)
#
# A series alone is for amd64; `1.22/arm64` is Debian's arm64 build of the
# same release (go1.22.12.linux-arm64.tar.gz), listed beside the amd64 one.
# 1.19 comes from bookworm, 1.21-1.23 from bookworm-backports, 1.24 from
# trixie, read through a private apt configuration in OUTDIR/.apt.
set -euo pipefail
out=${1:?usage: scripts/go-mirror.sh OUTDIR [SERIES...]}
shift
series=("$@")
[ ${#series[@]} -gt 0 ] || series=(1.19 1.22)
mkdir -p "$out"
out=$(cd "$out" && pwd)
apt_dir="$out/.apt"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
cat > "$apt_dir/sources.list" <<SOURCES
deb [signed-by=$keyring] http://deb.debian.org/debian bookworm main
deb [signed-by=$keyring] http://deb.debian.org/debian bookworm-backports main
deb [signed-by=$keyring] http://deb.debian.org/debian trixie main
SOURCES
apt_opts=(
  -o "Dir::Etc::SourceList=$apt_dir/sources.list"
  -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache"
  -o APT::Architecture=amd64
  -o APT::Architectures::=amd64
  -o APT::Architectures::=arm64
)
updated=

for entry in "${series[@]}"; do
  s=${entry%/*}
  arch=amd64
  [ "$entry" = "$s" ] || arch=${entry#*/}
  case $arch in
    amd64 | arm64) ;;
    *) echo "go-mirror: $entry: the architecture is amd64 or arm64" >&2; exit 2 ;;
  esac
  if compgen -G "$out/go$s.*.linux-$arch.tar.gz" >/dev/null || compgen -G "$out/go$s.linux-$arch.tar.gz" >/dev/null; then
    echo "go-mirror: Go $s for $arch already built"
    continue
  fi
  if [ -z "$updated" ]; then
    apt-get "${apt_opts[@]}" -qq update
    updated=1
  fi
  work=$(mktemp -d "$out/.work.XXXXXX")
  chmod 755 "$work"   # apt downloads as its own user
  (cd "$work" && apt-get "${apt_opts[@]}" -qq download "golang-$s-go:$arch" "golang-$s-src")
  mkdir "$work/x" "$work/stage"
  for deb in "$work"/*.deb; do dpkg -x "$deb" "$work/x"; done
  root="$work/x/usr/lib/go-$s"
  version=$(sed -n 1p "$root/VERSION")
  # The package's symlinks (src -> ../../share/go-1.N/src) are followed.
  cp -rL "$root" "$work/stage/go"
  archive="$version.linux-$arch.tar.gz"
  tar -C "$work/stage" -czf "$work/$archive" go
  sha256sum "$work/$archive" | cut -d' ' -f1 > "$out/$archive.sha256"
  mv "$work/$archive" "$out/$archive"
  rm -rf "$work"
  echo "go-mirror: built $archive"
done

python3 - "$out" <<'PY'
import json, os, re, sys
out = sys.argv[1]
releases = {}
for name in sorted(os.listdir(out)):
    m = re.fullmatch(r"(go[0-9][^.]*(?:\.[0-9]+)*(?:(?:rc|beta)[0-9]+)?)\.linux-(amd64|arm64)\.tar\.gz", name)
    if not m:
        continue
    version, arch = m.group(1), m.group(2)
    digest = open(os.path.join(out, name + ".sha256")).read().strip()
    release = releases.setdefault(version, {
        "version": version,
        "stable": not re.search(r"(rc|beta)[0-9]+$", version),
        "files": [],
    })
    # amd64 first: the tests serve and read files[0] as this machine's.
    release["files"].append({
        "filename": name, "os": "linux", "arch": arch, "version": version,
        "sha256": digest, "size": os.path.getsize(os.path.join(out, name)), "kind": "archive",
    })
    release["files"].sort(key=lambda f: f["arch"] != "amd64")
releases = list(releases.values())
with open(os.path.join(out, "index.json"), "w") as f:
    json.dump(releases, f, indent=1)
print(f"go-mirror: index.json lists {len(releases)} releases")
PY

#!/usr/bin/env bash
# Build (once) a real Debian bookworm image for tests and benchmarks:
#   debootstrap --variant=minbase bookworm ROOTFS
# then pack it as a docker-archive, an OCI layout dir and an OCI tar.
# Output is cached outside the repo, in $BULKHEAD_FIXTURES
# (default: ${XDG_CACHE_HOME:-$HOME/.cache}/bulkhead-fixtures). Prints the cache dir.
# Needs root (debootstrap) and Debian's archive.
set -euo pipefail
cache="${BULKHEAD_FIXTURES:-${XDG_CACHE_HOME:-$HOME/.cache}/bulkhead-fixtures}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$cache"
rootfs="$cache/debian-bookworm-rootfs"
if [ ! -d "$rootfs" ]; then
  command -v debootstrap >/dev/null || { echo "debootstrap missing: apt-get install debootstrap" >&2; exit 1; }
  rm -rf "$rootfs.tmp"
  debootstrap --variant=minbase bookworm "$rootfs.tmp" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
  mv "$rootfs.tmp" "$rootfs"
fi
mkimage="${CARGO_TARGET_DIR:-$repo/target}/release/mkimage"
need_mkimage() {
  [ -x "$mkimage" ] || (cd "$repo" && cargo build --release -q -p bulkhead-fixtures --bin mkimage)
}
for layout in docker-archive:debian-bookworm.docker.tar oci-dir:debian-bookworm.oci oci-tar:debian-bookworm.oci.tar; do
  fmt="${layout%%:*}"; out="$cache/${layout#*:}"
  if [ ! -e "$out" ] || [ "$rootfs" -nt "$out" ]; then
    rm -rf "$out" "$out.tmp"
    need_mkimage
    "$mkimage" rootfs "$rootfs" "$fmt" "$out.tmp" gzip
    mv "$out.tmp" "$out"
  fi
done
echo "$cache"

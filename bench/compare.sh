#!/usr/bin/env bash
# Two Bulkhead binaries side by side (a before/after check for a change that
# must not cost speed): the workloads of bench/cache.sh (cold scan and cached
# rescan, `sbom -f json`) and of bench/sbom.sh (`sbom --no-cache -f cyclonedx`
# on the Debian image and on a generated multi-layer image), each measured
# with hyperfine in one run so both binaries see the same machine state.
#   bench/compare.sh OLD_BINARY NEW_BINARY [SIZE_MB]
# Build the old binary from a worktree of the old commit
# (`git worktree add ../old REV && cargo build --release -p bulkhead-cli`).
# Needs: hyperfine; scripts/debian-image.sh's fixtures (root, debootstrap).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: bench/compare.sh OLD_BINARY NEW_BINARY [SIZE_MB]" >&2; exit 2; }
old="$(realpath "$1")"; new="$(realpath "$2")"; size_mb="${3:-1000}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
command -v hyperfine >/dev/null || { echo "hyperfine missing: apt-get install hyperfine" >&2; exit 1; }
fixtures="$("$repo/scripts/debian-image.sh")"
target="${CARGO_TARGET_DIR:-$repo/target}"
big="$fixtures/big-${size_mb}mb.docker-oci.tar"
if [ ! -f "$big" ]; then
  (cd "$repo" && cargo build --release -q -p bulkhead-fixtures --bin mkimage)
  "$target/release/mkimage" big "$big" "$size_mb" 5
fi
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
runs="${RUNS:-20}"
for image in "$fixtures/debian-bookworm.docker.tar" "$fixtures/debian-bookworm.oci.tar"; do
  echo "== cache: $(basename "$image")"
  for side in old new; do
    bin="${!side}"; cache="$work/cache-$side"; mkdir -p "$cache"
    BULKHEAD_CACHE_DIR="$cache" "$bin" -q sbom --input "$image" -f json -o /dev/null
  done
  hyperfine --warmup 1 --runs "$runs" -N \
    -n "cold old" --prepare "env BULKHEAD_CACHE_DIR=$work/cache-old $old cache clean" \
      "env BULKHEAD_CACHE_DIR=$work/cache-old $old -q sbom --input $image -f json -o /dev/null" \
    -n "cold new" --prepare "env BULKHEAD_CACHE_DIR=$work/cache-new $new cache clean" \
      "env BULKHEAD_CACHE_DIR=$work/cache-new $new -q sbom --input $image -f json -o /dev/null"
  for side in old new; do
    BULKHEAD_CACHE_DIR="$work/cache-$side" "${!side}" -q sbom --input "$image" -f json -o /dev/null
  done
  hyperfine --warmup 1 --runs "$runs" -N \
    -n "rescan old" "env BULKHEAD_CACHE_DIR=$work/cache-old $old -q sbom --input $image -f json -o /dev/null" \
    -n "rescan new" "env BULKHEAD_CACHE_DIR=$work/cache-new $new -q sbom --input $image -f json -o /dev/null"
done
for image in "$fixtures/debian-bookworm.docker.tar" "$big"; do
  echo "== sbom, no cache: $(basename "$image") ($(du -h "$image" | cut -f1))"
  hyperfine --warmup 1 --runs "${SBOM_RUNS:-5}" -N \
    -n "sbom old" "$old sbom -q --no-cache --format cyclonedx --input $image -o /dev/null" \
    -n "sbom new" "$new sbom -q --no-cache --format cyclonedx --input $image -o /dev/null"
done

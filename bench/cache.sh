#!/usr/bin/env bash
# Layer cache benchmark: cold scan vs cached rescan of the Debian bookworm
# image (docker-archive from scripts/debian-image.sh), with hyperfine
# (apt: hyperfine). Target: the rescan at least 10x faster than the cold scan.
#   bench/cache.sh            # from the repo root
# Cold = `bulkhead sbom --input IMAGE` with an emptied cache each run;
# warm = the same with the cache filled (every layer a hit).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
command -v hyperfine >/dev/null || { echo "hyperfine missing: apt-get install hyperfine" >&2; exit 1; }
fixtures="$("$repo/scripts/debian-image.sh")"
# The docker-archive holds the layer uncompressed; the OCI tar gzipped
# (as registries serve layers).
images=("$fixtures/debian-bookworm.docker.tar" "$fixtures/debian-bookworm.oci.tar")
(cd "$repo" && cargo build --release -q -p bulkhead-cli)
bin="$repo/target/release/bulkhead"
cache="$(mktemp -d)"
trap 'rm -rf "$cache"' EXIT
export BULKHEAD_CACHE_DIR="$cache"
for image in "${images[@]}"; do
  echo "== $(basename "$image")"
  "$bin" -q sbom --input "$image" -f json -o /dev/null   # fill the cache
  # One --prepare per command: cold empties the cache before every run,
  # rescan keeps it.
  hyperfine --warmup 1 --runs "${RUNS:-10}" -N \
    -n cold --prepare "$bin cache clean" "$bin -q sbom --input $image -f json -o /dev/null" \
    -n rescan --prepare "true" "$bin -q sbom --input $image -f json -o /dev/null"
  "$bin" cache info
done

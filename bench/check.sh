#!/usr/bin/env bash
# `bulkhead check` against `bulkhead image --scanners vuln,secret,misconfig`
# on the same image: the real Debian test image (scripts/debian-image.sh)
# as the image of a Compose service, with and without the layer cache.
# Target: check costs at most 10% more than the image scan (it scans once;
# the layers, settings and plan are pure work on data already read).
# Data: the folder `shared` next to the repository (override: SHARED) for
# the Debian advisories. Needs: hyperfine (Debian `hyperfine`); falls back
# to `time`. RUNS (default 10) runs per command.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="${SHARED:-$repo/../shared}"
[ -f "$shared/osv/ecosystems.txt" ] || { echo "shared data not found at $shared (set SHARED)" >&2; exit 1; }
fixtures="${BULKHEAD_FIXTURES:-${XDG_CACHE_HOME:-$HOME/.cache}/bulkhead-fixtures}"
img="$fixtures/debian-bookworm.docker.tar"
[ -f "$img" ] || { echo "no cached Debian image ($img): run scripts/debian-image.sh" >&2; exit 1; }
cd "$repo"
cargo build --release -q -p bulkhead-cli
bh="${CARGO_TARGET_DIR:-$repo/target}/release/bulkhead"
runs="${RUNS:-10}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

"$bh" --quiet --cache-dir "$work/c" db update --ecosystems Debian --mirror "$shared/osv"
# A Compose service as it is often written: root, a published port, a
# password in the environment, no hardening.
cat > "$work/compose.yaml" <<'EOF'
services:
  app:
    image: debian:bookworm
    ports: ["8080:80"]
    environment:
      DB_PASSWORD: bench-secret-value
EOF
# --distro debian/11: every package meets advisories (bookworm has none in
# the mirror), so both commands match, rate and report real findings.
common=(--quiet --cache-dir "$work/c" --offline --distro debian/11 --input "$img" --format json -o /dev/null)
image=("$bh" image --scanners vuln,secret,misconfig "${common[@]}")
check=("$bh" check --compose "$work/compose.yaml" "${common[@]}")
# Fill the layer cache once.
"${image[@]}"; "${check[@]}"
q() { printf '%q ' "$@"; }
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 2 --runs "$runs" \
    -n "image --scanners vuln,secret,misconfig (layer cache)" "$(q "${image[@]}")" \
    -n "check --compose (layer cache)" "$(q "${check[@]}")" \
    -n "image --scanners vuln,secret,misconfig (--no-cache)" "$(q "${image[@]}" --no-cache)" \
    -n "check --compose (--no-cache)" "$(q "${check[@]}" --no-cache)"
else
  for cmd in "$(q "${image[@]}")" "$(q "${check[@]}")" "$(q "${image[@]}" --no-cache)" "$(q "${check[@]}" --no-cache)"; do
    /usr/bin/env time -f "  %e s wall: $cmd" bash -c "$cmd"
  done
fi

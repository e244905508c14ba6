#!/usr/bin/env bash
# Advisory database and vulnerability-matching speed:
#   1. `bulkhead db import` of the whole shared OSV mirror (target < 20 s)
#   2. `bulkhead db update --mirror DIR` of the same mirror (copy, verify, build, swap)
#   3. criterion: DB open + matching of 2,000 Debian 11 packages (target < 50 ms)
#      and the library-level import (cargo bench -p bulkhead-match / -p bulkhead-osv)
#   4. `bulkhead image` (vuln scan) vs `bulkhead sbom` on the real Debian image
#      from scripts/debian-image.sh, when it is cached (matching should add < 10%)
# The mirror is the folder `shared/osv` next to the repository (override: OSV_MIRROR).
# Needs: hyperfine (Debian `hyperfine`) for 1, 2 and 4; falls back to `time` without it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
mirror="${OSV_MIRROR:-$repo/../shared/osv}"
[ -f "$mirror/ecosystems.txt" ] || { echo "OSV mirror not found at $mirror (set OSV_MIRROR)" >&2; exit 1; }
cd "$repo"
cargo build --release -q -p bulkhead-cli
bh="$repo/target/release/bulkhead"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
have() { command -v "$1" >/dev/null 2>&1; }
run() { # name, command...
  local name="$1"; shift
  if have hyperfine; then
    hyperfine --warmup 1 --runs 5 --prepare "rm -rf $work/c" -n "$name" "$*"
  else
    echo "== $name"; for _ in 1 2 3; do rm -rf "$work/c"; /usr/bin/env time -f "%e s wall, %M KB peak" "$@" 2>&1 | tail -1; done
  fi
}
run "db import (whole mirror)" "$bh" --quiet --cache-dir "$work/c" db import "$mirror"
run "db update --mirror DIR (whole mirror)" "$bh" --quiet --cache-dir "$work/c" db update --mirror "$mirror"
cargo bench -q -p bulkhead-match --bench matching 2>&1 | grep -E "time:|packages" || true
cargo bench -q -p bulkhead-osv --bench import 2>&1 | grep -E "time:" || true
fixtures="${BULKHEAD_FIXTURES:-${XDG_CACHE_HOME:-$HOME/.cache}/bulkhead-fixtures}"
img="$fixtures/debian-bookworm.docker.tar"
if [ -f "$img" ]; then
  "$bh" --quiet --cache-dir "$work/db" db update --mirror "$mirror"
  if have hyperfine; then
    hyperfine --warmup 2 --runs 10 \
      -n sbom "$bh --quiet --cache-dir $work/db sbom --input $img --format json -o /dev/null" \
      -n "image (vuln)" "$bh --quiet --cache-dir $work/db image --offline --scanners vuln --input $img --format json -o /dev/null" \
      -n "image --distro debian/11 (matching every package)" "$bh --quiet --cache-dir $work/db image --offline --scanners vuln --distro debian/11 --input $img --format json -o /dev/null"
  fi
else
  echo "no cached Debian image ($img): run scripts/debian-image.sh for the image-vs-sbom comparison"
fi

#!/usr/bin/env bash
# The whole test suite, with all set-up, on a fresh Debian machine:
#   ./scripts/test.sh
# Installs the Debian packages the tests use (idempotently, when run as
# root), builds the real Debian test image once (cached outside the repo,
# see scripts/debian-image.sh), then runs formatting, lint and all tests.
# With CI=true, tests that would skip (no Docker daemon, no tool) fail instead.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests need (one line each, with the tests that use them):
pkgs=(
  busybox-static   # FROM-scratch test images (audit, seccomp)
  strace           # seccomp generate from a real trace
  apparmor         # apparmor_parser -Q validates generated profiles
  rpm              # live rpm -qa comparisons (bulkhead-rpmdb)
  db5.3-util       # BerkeleyDB rpmdb fixtures (regeneration)
  debootstrap      # the real Debian bookworm test image
  dpkg             # dpkg-query oracle
  docker-compose   # Compose oracle (docker-compose config)
  docker-registry  # local OCI registry for registry tests
  postgresql       # private test clusters for the fleet tests (bulkhead-fleet, tests/fleet.rs); no service is used
  openssl          # signature interop checks (bulkhead-sign tests/interop.rs)
  python3-pip      # installs PyNaCl below
  chromium         # headless browser loads the HTML report (tests/html.rs)
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "warning: missing Debian packages (run as root to install): ${missing[*]}" >&2
  fi
fi

# PyNaCl (from PyPI) decrypts and writes cosign key files in the
# bulkhead-sign interop tests.
if ! python3 -c 'import nacl' 2>/dev/null; then
  python3 -m pip install --quiet pynacl || echo "warning: could not install PyNaCl (python3 -m pip install pynacl)" >&2
fi

./scripts/debian-image.sh >/dev/null

# Tests never share a layer cache or advisory database with earlier runs.
BULKHEAD_CACHE_DIR="$(mktemp -d)"
export BULKHEAD_CACHE_DIR
trap 'rm -rf "$BULKHEAD_CACHE_DIR"' EXIT

# CI builds once from scratch: incremental state would only cost disk.
if [ "${CI:-}" = true ]; then
  export CARGO_INCREMENTAL=0
  df -h . | awk 'NR==2 {print "disk: " $4 " free before the build"}'
fi

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -q -- -D warnings
cargo test --workspace --no-fail-fast

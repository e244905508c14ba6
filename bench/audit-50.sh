#!/usr/bin/env bash
# Time a full `bulkhead audit` of a host running 50 containers.
# Needs: docker, hyperfine, Debian's busybox-static (/bin/busybox).
# Optional: DOCKER_BENCH=/path/to/docker-bench-security.sh to time it too
# (it is not vendored; fetch it yourself).
# Every container and the image carry org.bulkhead.test=1 and are removed on exit.
set -euo pipefail
N=${N:-50}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BULKHEAD:-$ROOT/target/release/bulkhead}
[ -x "$BIN" ] || (cd "$ROOT" && cargo build --release -p bulkhead-cli)
TAG="bulkhead-bench-$$:1"
PREFIX="bh-bench-$$"
CTX=$(mktemp -d)
cleanup() {
  docker ps -aq --filter "label=org.bulkhead.bench=$$" | xargs -r docker rm -f >/dev/null
  docker rmi -f "$TAG" >/dev/null 2>&1 || true
  rm -rf "$CTX"
}
trap cleanup EXIT
cp /bin/busybox "$CTX/busybox"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nCMD ["/bin/busybox","sleep","3600"]\n' > "$CTX/Dockerfile"
docker build -q --label org.bulkhead.test=1 -t "$TAG" "$CTX" >/dev/null
for i in $(seq 1 "$N"); do
  docker run -d --label org.bulkhead.test=1 --label "org.bulkhead.bench=$$" --name "$PREFIX-$i" "$TAG" >/dev/null
done
echo "running containers: $(docker ps -q | wc -l)"
hyperfine --warmup 1 --runs "${RUNS:-5}" --export-markdown "${OUT:-/dev/stdout}" \
  "$BIN audit --format json --quiet -o /dev/null" \
  "$BIN audit --format json --quiet --no-processes -o /dev/null" \
  ${DOCKER_BENCH:+"cd $(dirname "${DOCKER_BENCH:-.}") && sh $DOCKER_BENCH -b >/dev/null 2>&1"}

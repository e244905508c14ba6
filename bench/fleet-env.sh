# Helpers of bench/fleet-load.sh and bench/fleet-rematch.sh (sourced, not
# run): release binaries, a private PostgreSQL cluster and a private
# docker-registry, both on 127.0.0.1 in a temp dir, removed on exit.
#
# KEEP_WORK=1 keeps the logs (workers, registry, JSON answers) in the
# temp dir. Before sourcing: `repo` (the repository root). After: `bh` (bulkhead),
# `gen` (the fleet_bench example), `shared`, `work` (the temp dir), and the
# functions below. Everything started here is stopped by the EXIT trap.
#
# PostgreSQL: Debian's server binaries (/usr/lib/postgresql/<major>/bin,
# the newest), `initdb` as `nobody` when run as root (it refuses root),
# trust authentication (TCP on 127.0.0.1 and the socket in the temp dir),
# fsync off (like the tests: the
# benchmarks measure Bulkhead, not the disk). docker-registry: Debian's
# `docker-registry` package.

shared="${SHARED:-$repo/../shared}"
[ -f "$shared/osv/ecosystems.txt" ] || { echo "shared data not found at $shared (set SHARED)" >&2; exit 1; }
pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$pgbin/initdb" ] || { echo "PostgreSQL server binaries missing: apt-get install postgresql" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 missing" >&2; exit 1; }

(cd "$repo" && cargo build --release -q --locked -p bulkhead-cli -p bulkhead-fleet --bin bulkhead --example fleet_bench)
target_dir="${CARGO_TARGET_DIR:-$repo/target}"

# Under /tmp: the unprivileged PostgreSQL user must reach it.
work="$(mktemp -d /tmp/bulkhead-fleet-bench.XXXXXX)"
chmod 755 "$work"
# An empty Docker config: no login or credential helper of this machine
# is used (the registry is private and open).
export DOCKER_CONFIG="$work/docker"
mkdir -p "$DOCKER_CONFIG"
# Copies: a rebuild in the same target dir during the run changes nothing.
mkdir "$work/bin"
cp "$target_dir/release/bulkhead" "$target_dir/release/examples/fleet_bench" "$work/bin/"
bh="$work/bin/bulkhead"
gen="$work/bin/fleet_bench"
pg_dir=""
pg_port=""

# Kill a background job and its children (a worker under /usr/bin/time).
kill_tree() {
  pkill -9 -P "$1" 2>/dev/null || true
  kill -9 "$1" 2>/dev/null || true
}

cleanup() {
  local p
  # Only the shell's own jobs that still run: a reaped pid may be reused.
  for p in $(jobs -p); do kill_tree "$p"; done
  if [ -n "$pg_dir" ]; then as_pg "$pgbin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
  wait 2>/dev/null || true
  if [ -n "${KEEP_WORK:-}" ]; then
    rm -rf "$work/bin" "$work/registry" "$work/pg" "$work"/cache* "$work/mirror"
    echo "logs kept in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() { # port, what
  local i
  for i in $(seq 1 200); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "$2 did not listen on 127.0.0.1:$1" >&2; return 1
}

# Run a PostgreSQL server tool (as nobody under root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

pg_opts() {
  echo "-k $pg_dir -c listen_addresses=127.0.0.1 -p $pg_port -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
}

# Start the private cluster (sets pg_dir, pg_port).
pg_start() {
  pg_dir="$work/pg"
  mkdir -p "$pg_dir"
  if [ "$(id -u)" = 0 ]; then chown nobody "$pg_dir"; fi
  as_pg "$pgbin/initdb" -D "$pg_dir/data" -U postgres -A trust --no-sync -E UTF8 --locale=C >/dev/null
  pg_port="$(free_port)"
  as_pg "$pgbin/pg_ctl" -D "$pg_dir/data" -o "$(pg_opts)" -l "$pg_dir/log" -w -t 60 start >/dev/null
}

# Stop and start it again (same port and data): a database restart.
pg_restart() {
  as_pg "$pgbin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null
  as_pg "$pgbin/pg_ctl" -D "$pg_dir/data" -o "$(pg_opts)" -l "$pg_dir/log" -w -t 60 start >/dev/null
}

# psql DB SQL: rows unaligned, `|`-separated.
psql_q() {
  "$pgbin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -X -q -tA -v ON_ERROR_STOP=1 -c "$2" "$1"
}

# Create database NAME; print its URL.
pg_createdb() {
  psql_q postgres "CREATE DATABASE $1" >/dev/null
  echo "postgres://postgres@127.0.0.1:$pg_port/$1"
}

# Start a private docker-registry (sets reg_host).
registry_start() {
  local port; port="$(free_port)"
  mkdir -p "$work/registry"
  cat > "$work/registry.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry/data
http:
  addr: 127.0.0.1:$port
EOF
  /usr/bin/docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  reg_host="127.0.0.1:$port"
  wait_port "$port" docker-registry
}

# A JSON field of a file or stdin: json_get EXPR [FILE] (EXPR over `d`).
json_get() {
  python3 -c "import json,sys; d=json.load(open(sys.argv[2]) if len(sys.argv) > 2 else sys.stdin); print($1)" "$@"
}

#!/usr/bin/env bash
# Fleet load: worker throughput and fault tolerance, loopback only.
#   1. COUNT (1,000) synthetic images in a private docker-registry
#      (`fleet_bench push-images`: 5 shared Debian 10/11 base layers, a small
#      top layer each, 50 repositories), an advisory database imported from
#      the shared OSV mirror (`db import`), a private PostgreSQL cluster.
#   2. For 1, 2 and 4 workers (WORKERS), each `--concurrency` CONCURRENCY
#      (2) with its own cache dir holding a copy of the advisory database:
#      a fresh database, `fleet scan-registry --insecure`, then the wall
#      time from starting `worker --drain --poll 1` until every worker has
#      exited: images/s, and the layer reuse of `fleet status`
#      (LayersReused / (LayersReused + LayersAnalyzed)).
#   3. Fault run: 2 workers without --drain, `--lease 5`. At ~30% of the
#      jobs done one is killed with SIGKILL and a replacement started; at
#      ~60% PostgreSQL restarts (`pg_ctl stop -m fast` + start). When the
#      queue is empty and no job runs (`fleet status`), the workers get
#      SIGTERM; then the checks: COUNT results, one per pushed digest
#      (psql), no failed job, nothing queued or running, no job stored
#      twice (the workers' `stored job=N` log lines, -v), the kill and the
#      restart both came while jobs were still open, and both surviving
#      workers stayed alive through the restart and exited 0. Any failed
#      check: exit status 1.
# Bounded: every phase has a deadline (PHASE_TIMEOUT, 1200 s); past it the
# workers are killed and the script fails.
#   bench/fleet-load.sh                         # from anywhere
#   COUNT=200 WORKERS="1 2" bench/fleet-load.sh  # a quicker run
# Data: the folder `shared` next to the repository (override: SHARED).
# Needs: Debian's postgresql and docker-registry packages, python3.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
count="${COUNT:-1000}"
workers_list="${WORKERS:-1 2 4}"
conc="${CONCURRENCY:-2}"
phase_timeout="${PHASE_TIMEOUT:-1200}"
# shellcheck source=bench/fleet-env.sh
. "$repo/bench/fleet-env.sh"

now() { date +%s.%N; }
# Busy and total jiffies of all cores (/proc/stat), for the machine's CPU use.
jiffies() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

# Wait for PIDS... to exit, at most phase_timeout; their exit codes in `codes`.
wait_all() {
  local deadline=$(( $(date +%s) + phase_timeout )) p alive
  codes=()
  while :; do
    alive=0
    for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "  timeout after ${phase_timeout}s: killing the workers" >&2
      for p in "$@"; do kill_tree "$p"; done
      for p in "$@"; do wait "$p" 2>/dev/null || true; done
      return 1
    fi
    sleep 0.2
  done
  for p in "$@"; do
    if wait "$p"; then codes+=(0); else codes+=($?); fi
  done
}

# start_worker CACHE LOG ARGS...: a worker in the background; its pid in
# `wpid` (the worker's own: the fault run kills it).
start_worker() {
  local cache="$1" log="$2"; shift 2
  "$bh" --cache-dir "$cache" worker --poll 1 --concurrency "$conc" "$@" 2>"$log" &
  wpid=$!
}

# timed_worker CACHE LOG ARGS...: the same under /usr/bin/time (CPU use
# appended to LOG as `cpu: USER SYS`).
timed_worker() {
  local cache="$1" log="$2"; shift 2
  /usr/bin/time -a -o "$log" -f "cpu: %U %S" \
    "$bh" --cache-dir "$cache" worker --poll 1 --concurrency "$conc" "$@" 2>"$log" &
  wpid=$!
}

echo "== setup"
pg_start
registry_start
t0=$(now)
"$gen" push-images --registry "$reg_host" --osv-debian "$shared/osv/Debian/all.zip" \
  --count "$count" --digests "$work/digests.txt" | sed 's/^/  /'
sort -u "$work/digests.txt" > "$work/digests.sorted"
"$bh" --quiet --cache-dir "$work/cache-src" db import "$shared/osv" >/dev/null
max_workers=1
for n in $workers_list 2; do
  if [ "$n" -gt "$max_workers" ]; then max_workers=$n; fi
done
for k in $(seq 1 $((max_workers + 1))); do cp -a "$work/cache-src" "$work/cache$k"; done
echo "  advisory database: $("$bh" --cache-dir "$work/cache-src" db info -f json | json_get '"{} advisories, {} KEV entries".format(d["Advisories"], d.get("KEV", "?"))')"
echo "  PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port, docker-registry on $reg_host; setup $(secs "$t0" "$(now)") s"

rows=()
for n in $workers_list; do
  echo "== $n worker(s), --concurrency $conc"
  url="$(pg_createdb "load$n")"
  t0=$(now)
  "$bh" --quiet fleet scan-registry "$reg_host" --insecure --db "$url" -f json > "$work/scan$n.json"
  t_scan=$(secs "$t0" "$(now)")
  enq=$(json_get 'd["Enqueued"]' "$work/scan$n.json")
  echo "  scan-registry: $enq digests queued in $t_scan s"
  pids=()
  read -r busy0 total0 < <(jiffies)
  t0=$(now)
  for k in $(seq 1 "$n"); do
    timed_worker "$work/cache$k" "$work/load$n-w$k.log" --db "$url" --drain
    pids+=("$wpid")
  done
  wait_all "${pids[@]}" || { echo "FAIL: $n worker(s) did not drain the queue in ${phase_timeout}s"; exit 1; }
  t_run=$(secs "$t0" "$(now)")
  read -r busy1 total1 < <(jiffies)
  machine=$(python3 -c "print(f'{100.0 * ($busy1 - $busy0) / max($total1 - $total0, 1):.0f}')")
  cpu=0
  for k in $(seq 1 "$n"); do
    echo "  worker $k: exit ${codes[$((k - 1))]}, $(grep -h '^worker:' "$work/load$n-w$k.log" || echo 'no summary')"
    cpu=$(python3 -c "print($cpu + sum(float(x) for x in '$(grep -h '^cpu:' "$work/load$n-w$k.log" | cut -d' ' -f2-)'.split()))")
  done
  cpu_share=$(python3 -c "print(f'{100.0 * $cpu / ($t_run * $(nproc)):.0f}')")
  echo "  workers' CPU: $cpu s (user + sys) = $cpu_share% of $(nproc) cores over the run; the machine (everything running) $machine% busy"
  "$bh" --quiet fleet status --db "$url" -f json > "$work/status$n.json"
  read -r results reused analysed failed < <(json_get \
    '" ".join(str(x) for x in (d["Results"], d["LayersReused"], d["LayersAnalyzed"], d["Jobs"].get("failed", 0)))' \
    "$work/status$n.json")
  rate=$(python3 -c "print(f'{$results / $t_run:.1f}')")
  per_scan=$(psql_q "load$n" "SELECT round(avg(scan_seconds)::numeric * 1000, 1) || ' ms mean, ' || round((percentile_cont(0.95) WITHIN GROUP (ORDER BY scan_seconds))::numeric * 1000, 1) || ' ms p95' FROM results")
  echo "  scan time per job (engine scan, before storing): $per_scan"
  ratio=$(python3 -c "print(f'{100.0 * $reused / max($reused + $analysed, 1):.1f}')")
  echo "  $results results ($failed failed jobs) in $t_run s: $rate images/s; layers reused $reused, analysed $analysed ($ratio% reuse)"
  rows+=("| $n | $conc | $t_scan s | $t_run s | $rate | $cpu_share% / $machine% | $reused / $((reused + analysed)) = $ratio% | $results / $count |")
done

echo "== fault run: 2 workers, --lease 5; SIGKILL one at ~30%, restart PostgreSQL at ~60%"
url="$(pg_createdb fault)"
"$bh" --quiet fleet scan-registry "$reg_host" --insecure --db "$url" -f json > "$work/scan-fault.json"
# -v: each worker logs `stored job=N` per job it stored (checked below).
fault_args=(-v --db "$url" --lease 5 --retry-backoff 1)
t0=$(now)
start_worker "$work/cache1" "$work/fault-a.log" "${fault_args[@]}"; wa=$wpid
start_worker "$work/cache2" "$work/fault-b.log" "${fault_args[@]}"; wb=$wpid
wc=""
killed_at="" restarted_at="" restart_took="" timed_out=no
deadline=$(( $(date +%s) + phase_timeout ))
done_jobs() { psql_q fault "SELECT count(*) FROM jobs WHERE state = 'done'" 2>/dev/null || echo -1; }
while :; do
  d=$(done_jobs)
  if [ -z "$killed_at" ] && [ "$d" -ge $((count * 30 / 100)) ]; then
    kill -9 "$wa"; wait "$wa" 2>/dev/null || true
    killed_at=$d
    echo "  $(secs "$t0" "$(now)") s: $d done: SIGKILL worker A (pid $wa); starting worker C"
    start_worker "$work/cache3" "$work/fault-c.log" "${fault_args[@]}"; wc=$wpid
  fi
  if [ -n "$killed_at" ] && [ -z "$restarted_at" ] && [ "$d" -ge $((count * 60 / 100)) ]; then
    r0=$(now)
    echo "  $(secs "$t0" "$r0") s: $d done: restarting PostgreSQL"
    pg_restart
    restart_took=$(secs "$r0" "$(now)")
    restarted_at=$d
    echo "  PostgreSQL back after $restart_took s"
  fi
  if [ -n "$restarted_at" ]; then
    st=$("$bh" --quiet fleet status --db "$url" -f json 2>/dev/null || echo '{}')
    open=$(echo "$st" | json_get 'd.get("Jobs", {}).get("queued", -1) + d.get("Jobs", {}).get("running", -1) if d else -1')
    [ "$open" = 0 ] && break
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "  timeout after ${phase_timeout}s ($d done)"; timed_out=yes; break
  fi
  sleep 0.2
done
t_fault=$(secs "$t0" "$(now)")
alive_b=no; alive_c=no
kill -0 "$wb" 2>/dev/null && alive_b=yes
[ -n "$wc" ] && kill -0 "$wc" 2>/dev/null && alive_c=yes
for p in "$wb" ${wc:+"$wc"}; do kill -TERM "$p" 2>/dev/null || true; done
wait_all "$wb" ${wc:+"$wc"} || true
code_b=${codes[0]:-x}; code_c=${codes[1]:-x}
for w in a b c; do echo "  worker $w: $(grep -h '^worker:' "$work/fault-$w.log" 2>/dev/null || echo 'no summary (killed)')"; done
echo "  queue empty after $t_fault s"

echo "== checks"
fails=0
check() { # name, got, want
  if [ "$2" = "$3" ]; then echo "  PASS  $1: $2"; else echo "  FAIL  $1: $2 (want $3)"; fails=$((fails + 1)); fi
}
psql_q fault "SELECT digest FROM results ORDER BY digest" > "$work/results.txt" || true
check "results" "$(psql_q fault "SELECT count(*) FROM results")" "$count"
check "results = pushed digests" "$(LC_ALL=C sort "$work/results.txt" | cmp -s - <(LC_ALL=C sort "$work/digests.sorted") && echo same || echo different)" same
check "failed jobs" "$(psql_q fault "SELECT count(*) FROM jobs WHERE state = 'failed'")" 0
check "queued or running jobs" "$(psql_q fault "SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')")" 0
check "digests with a result but no done job" "$(psql_q fault "SELECT count(*) FROM results r WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.digest = r.digest AND j.state = 'done')")" 0
# Every `stored job=N` line of the three workers (A's up to its kill): a
# job stored twice (by a claim that had lost its lease) shows twice.
cat "$work"/fault-[abc].log | sed 's/\x1b\[[0-9;]*m//g' \
  | sed -n 's/.* stored job=\([0-9]*\).*/\1/p' | sort | uniq -c > "$work/stored.txt"
check "jobs stored more than once" "$(awk '$1 > 1' "$work/stored.txt" | wc -l)" 0
echo "  (jobs with a stored line: $(wc -l < "$work/stored.txt"); A may have stored up to $conc more without logging them before its SIGKILL)"
check "the fault loop timed out" "$timed_out" no
check "SIGKILL came while jobs were open" "$([ -n "$killed_at" ] && [ "$killed_at" -lt "$count" ] && echo yes || echo no)" yes
check "the restart came while jobs were open" "$([ -n "$restarted_at" ] && [ "$restarted_at" -lt "$count" ] && echo yes || echo no)" yes
check "worker B alive after the restart" "$alive_b" yes
check "worker C alive after the restart" "$alive_c" yes
check "worker B exit status on SIGTERM" "$code_b" 0
check "worker C exit status on SIGTERM" "$code_c" 0
echo "  (jobs that took more than one attempt: $(psql_q fault "SELECT count(*) FROM jobs WHERE attempts > 1"); PostgreSQL down for $restart_took s; database operations B and C retried while it was down: $(cat "$work"/fault-[bc].log | grep -c 'retrying in' || true))"

echo
echo "| workers | concurrency each | scan-registry | wall time | images/s | CPU of $(nproc) cores: workers / machine | layers reused | results |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "fault run: worker killed at $killed_at done, PostgreSQL restarted at $restarted_at done (down $restart_took s), queue empty after $t_fault s; $fails failed check(s)"
[ "$fails" = 0 ]

#!/usr/bin/env bash
# Fleet re-match and queries over COUNT (10,000) stored results, loopback only.
#   1. A private PostgreSQL cluster; `fleet_bench seed-inventories`: COUNT
#      results as workers store them (one dpkg database each, uniformly 100
#      to 400 real Debian source package names and versions from the shared
#      mirror's Debian advisories, Debian 10 or 11), without findings and
#      with an old advisory database time.
#   2. The shared OSV mirror (plus EPSS, the NVD sample and CISA
#      vulnrichment, laid out as ratings.sh does) served by
#      `python3 -m http.server` on 127.0.0.1; `bulkhead db update --mirror
#      http://127.0.0.1:PORT`.
#   3. `fleet rematch` under /usr/bin/time -v: wall time, peak RSS, images
#      changed; then a second rematch with nothing new.
#   4. `fleet query` latency (hyperfine, RUNS runs): --cve (the CVE alias
#      most seeded images have), --kev, --package, --severity CRITICAL; each
#      must answer in under 1 s (mean and max), else exit status 1.
#   bench/fleet-rematch.sh                       # from anywhere
#   COUNT=1000 bench/fleet-rematch.sh            # a quicker run
# Data: the folder `shared` next to the repository (override: SHARED).
# Needs: Debian's postgresql package, python3, /usr/bin/time (Debian
# `time`), hyperfine (Debian `hyperfine`).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
count="${COUNT:-10000}"
runs="${RUNS:-10}"
step_timeout="${STEP_TIMEOUT:-1800}"
command -v hyperfine >/dev/null || { echo "hyperfine missing: apt-get install hyperfine" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing: apt-get install time" >&2; exit 1; }
# shellcheck source=bench/fleet-env.sh
. "$repo/bench/fleet-env.sh"

echo "== seed $count results"
pg_start
url="$(pg_createdb rematch)"
timeout "$step_timeout" "$gen" seed-inventories --db "$url" --osv-debian "$shared/osv/Debian/all.zip" --count "$count" | sed 's/^/  /'
echo "  database: $(psql_q rematch "SELECT pg_size_pretty(pg_database_size('rematch'))"), $(psql_q rematch "SELECT count(*) FROM packages") package rows"

echo "== db update from the shared mirror over HTTP"
# shellcheck source=bench/mirror-layout.sh
. "$repo/bench/mirror-layout.sh"
m="$work/mirror"; mirror_layout "$m"
hport="$(free_port)"
(cd "$m" && exec python3 -m http.server --bind 127.0.0.1 "$hport" >"$work/http.log" 2>&1) &
wait_port "$hport" "the mirror's HTTP server"
/usr/bin/time -f "  %e s wall, %M KB peak" \
  "$bh" --quiet --cache-dir "$work/cache" db update --mirror "http://127.0.0.1:$hport"

echo "== fleet rematch"
rematch() { # name
  timeout "$step_timeout" /usr/bin/time -v -o "$work/$1.time" \
    "$bh" --quiet --cache-dir "$work/cache" fleet rematch --db "$url" -f json > "$work/$1.json"
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/$1.time")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/$1.time")
  read -r images changed added warnings < <(json_get \
    '" ".join(str(x) for x in (d["Images"], len(d["Changed"]), sum(len(c["Added"]) for c in d["Changed"]), len(d.get("Warnings", []))))' "$work/$1.json")
  echo "  $1: $images images, $changed changed ($added findings added) in $wall wall, $((rss / 1024)) MB peak RSS"
  # Every seeded inventory must be re-matched, none skipped with a warning.
  if [ "$images" != "$count" ] || [ "$warnings" != 0 ]; then
    echo "FAIL: $1 re-matched $images of $count inventories ($warnings warnings)"; exit 1
  fi
}
rematch first
first_wall=$wall first_rss=$rss first_changed=$changed first_added=$added
rematch second
second_wall=$wall second_rss=$rss second_changed=$changed
echo "  findings rows: $(psql_q rematch "SELECT count(*) FROM findings"), images with findings: $(psql_q rematch "SELECT count(*) FROM results WHERE findings > 0")"

echo "== fleet query"
cve=$(psql_q rematch "SELECT a FROM findings, unnest(aliases) a WHERE a LIKE 'CVE-%' GROUP BY a ORDER BY count(DISTINCT digest) DESC, a LIMIT 1")
if [ -z "$cve" ]; then
  cve=$(psql_q rematch "SELECT vuln_id FROM findings GROUP BY vuln_id ORDER BY count(*) DESC, vuln_id LIMIT 1")
fi
# openssl when seeded (it is), else the most common package.
pkg=$(psql_q rematch "SELECT name FROM packages GROUP BY name ORDER BY (name = 'openssl') DESC, count(*) DESC, name LIMIT 1")
queries=("--cve $cve" "--kev" "--package $pkg" "--severity CRITICAL")
fails=0
qrows=()
for q in "${queries[@]}"; do
  # shellcheck disable=SC2086
  n=$("$bh" --quiet fleet query --db "$url" -f json $q | json_get 'len(d["Images"])')
  # shellcheck disable=SC2086
  hyperfine -N --warmup 2 --runs "$runs" --export-json "$work/q.json" \
    -n "fleet query $q" "$bh --quiet fleet query --db $url -f json $q" >/dev/null 2>&1
  read -r mean sd max < <(json_get \
    '" ".join(f"{x * 1000:.1f}" for x in (d["results"][0]["mean"], d["results"][0]["stddev"] or 0, d["results"][0]["max"]))' "$work/q.json")
  verdict=ok
  if python3 -c "import sys; sys.exit(0 if $max < 1000 else 1)"; then :; else verdict="OVER 1 s"; fails=$((fails + 1)); fi
  echo "  $q: $n images, $mean ms ± $sd (max $max ms) $verdict"
  qrows+=("| \`fleet query $q\` | $n | $mean ms ± $sd | $max ms |")
done

echo
echo "| step | images | changed | wall | peak RSS |"
echo "|---|---:|---:|---:|---:|"
echo "| \`fleet rematch\` after \`db update\` | $count | $first_changed ($first_added findings added) | $first_wall | $((first_rss / 1024)) MB |"
echo "| \`fleet rematch\` again, nothing new | $count | $second_changed | $second_wall | $((second_rss / 1024)) MB |"
echo
echo "| query | images | mean | max |"
echo "|---|---:|---:|---:|"
printf '%s\n' "${qrows[@]}"
[ "$fails" = 0 ] || { echo "$fails quer(ies) over 1 s"; exit 1; }

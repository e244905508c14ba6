#!/usr/bin/env bash
# Runs every fuzz target for N seconds, one after the other, then replays its
# corpus once. See docs/fuzzing.md.
#
#   scripts/fuzz.sh                 # every target, 60 s each
#   scripts/fuzz.sh 600             # every target, 10 minutes each
#   FUZZ_SECONDS=120 scripts/fuzz.sh versions ratings   # only these targets
#   scripts/fuzz.sh --totals        # seconds per target over all recorded runs
#   scripts/fuzz.sh --markdown      # last run as the table of docs/fuzzing.md
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`) and a C++ compiler
# (libFuzzer is built from source by libfuzzer-sys). Works on stable Rust:
# targets are built with `-s none` (no sanitizer; AddressSanitizer needs
# nightly's -Zsanitizer, see docs/fuzzing.md).
#
# Inputs per target: the committed seeds in fuzz/seeds/<target>/ (read only)
# plus the working corpus fuzz/corpus/<target>/ (gitignored, grows across
# runs; new inputs are written there). Crash reproducers, logs and the run's
# figures go to fuzz/artifacts/ (gitignored):
#   fuzz/artifacts/<target>/crash-*|timeout-*|oom-*   reproducers
#   fuzz/artifacts/logs/<target>.{fuzz,replay}.log     libFuzzer output
#   fuzz/artifacts/last-run.tsv                        this run's table
#   fuzz/artifacts/history.tsv                         every run, appended
#
# Settings (environment):
#   FUZZ_SECONDS      seconds per target (default 60; the first numeric
#                     argument wins)
#   FUZZ_TIMEOUT      seconds one input may take before it counts as a
#                     crash (libFuzzer -timeout; default 30)
#   FUZZ_RSS_MB       memory limit in MB (libFuzzer -rss_limit_mb; default 2048)
#   FUZZ_JOBS         cargo build jobs (default: cargo's own)
#   FUZZ_BUILD=0      skip the build, run the binaries already built
#   FUZZ_TABLE=FILE   this run's table (default fuzz/artifacts/last-run.tsv)
#   CARGO_TARGET_DIR  build dir (default fuzz/target, gitignored; kept apart
#                     from the main workspace's target/ so the two builds
#                     never wait on each other's lock)
#
# Exit status: 0 when no target crashed, 1 when one did (each reproducer is
# named), 2 on a set-up or build error.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

seconds=${FUZZ_SECONDS:-60}
targets=()
for a in "$@"; do
  case "$a" in
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    --totals)
      # Seconds, executions and crashes per target summed over every run
      # recorded in fuzz/artifacts/history.tsv on this machine.
      h=fuzz/artifacts/history.tsv
      [ -f "$h" ] || { echo "no $h yet" >&2; exit 2; }
      awk -F'\t' 'NR > 1 { s[$3] += $4; e[$3] += $5; c[$3] += $NF; n[$3]++; if (!($3 in o)) o[$3] = ++k }
        END { printf "%-16s %5s %8s %14s %8s\n", "target", "runs", "seconds", "execs", "crashes"
              for (t in o) r[o[t]] = t
              for (i = 1; i <= k; i++) { t = r[i]; printf "%-16s %5d %8d %14d %8d\n", t, n[t], s[t], e[t], c[t] } }' "$h"
      exit 0 ;;
    --markdown)
      # The last run as the Markdown table of docs/fuzzing.md, with each
      # target's total seconds over every run recorded in history.tsv.
      l=fuzz/artifacts/last-run.tsv h=fuzz/artifacts/history.tsv
      [ -f "$l" ] && [ -f "$h" ] || { echo "no $l yet" >&2; exit 2; }
      awk -F'\t' 'FNR == 1 { next } FILENAME == ARGV[1] { tot[$3] += $4; next }
        !hdr++ { printf "Run of %s (rev %s). Total: seconds over all recorded runs.\n\n", $1, $2
                 print "| target | seconds | executions | exec/s | corpus | cov | peak RSS MB | crashes | total seconds |"
                 print "|---|---:|---:|---:|---:|---:|---:|---:|---:|" }
        { printf "| `%s` | %d | %d | %d | %s | %s | %s | %d | %d |\n", $3, $4, $5, $6, $7, $8, $9, $10, tot[$3] }' "$h" "$l"
      exit 0 ;;
    *[!0-9]*) targets+=("$a") ;;
    '') ;;
    *) seconds=$a ;;
  esac
done
timeout_s=${FUZZ_TIMEOUT:-30}
rss_mb=${FUZZ_RSS_MB:-2048}

die() { echo "fuzz.sh: $*" >&2; exit 2; }

cargo fuzz --version >/dev/null 2>&1 ||
  die "cargo-fuzz is missing: cargo install cargo-fuzz --locked"
command -v c++ >/dev/null 2>&1 || die "no C++ compiler (c++) for libFuzzer: apt-get install g++"

# Targets: every [[bin]] name in fuzz/Cargo.toml, in file order.
all=$(awk '/^\[\[bin\]\]/{b=1; next} b && /^name *=/{gsub(/.*= *"|".*/, ""); print; b=0}' fuzz/Cargo.toml)
[ -n "$all" ] || die "no [[bin]] targets in fuzz/Cargo.toml"
if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets <<<"$all"
else
  for t in "${targets[@]}"; do
    grep -qx "$t" <<<"$all" || die "unknown target '$t' (known: $(echo $all))"
  done
fi

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/fuzz/target}
triple=$(rustc -vV | sed -n 's/^host: //p')
bindir=$CARGO_TARGET_DIR/$triple/release

if [ "${FUZZ_BUILD:-1}" = 0 ]; then
  echo "== not building (FUZZ_BUILD=0): using the binaries in $bindir"
else
  echo "== building fuzz targets (cargo fuzz build -s none, target dir $CARGO_TARGET_DIR)"
  [ -n "${FUZZ_JOBS:-}" ] && export CARGO_BUILD_JOBS=$FUZZ_JOBS
  (cd fuzz && cargo fuzz build -s none) || die "build failed"
fi

# A panic's stack goes into the log (printed only when a target panics).
export RUST_BACKTRACE=${RUST_BACKTRACE:-1}
art=$root/fuzz/artifacts
mkdir -p "$art/logs"
date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
# Read-only check: uncommitted changes in the fuzzed code mark the revision.
[ "$rev" = unknown ] || git diff --quiet HEAD -- crates fuzz/fuzz_targets || rev="$rev+dirty"
marker=$(mktemp)
trap 'rm -f "$marker"' EXIT
# FUZZ_TABLE: where this run's table goes (two instances with disjoint
# target lists and FUZZ_BUILD=0 can then fuzz on two cores at once).
table=${FUZZ_TABLE:-$art/last-run.tsv}
printf 'date\trev\ttarget\tseconds\texecs\texec_per_s\tcorpus\tcov\tpeak_rss_mb\tcrashes\n' >"$table"
[ -f "$art/history.tsv" ] || head -1 "$table" >"$art/history.tsv"

# Last "stat::<name>: N" or fallback pattern in a libFuzzer log.
fstat() { sed -n "s/^stat::$1: *\([0-9]*\).*/\1/p" "$2" | tail -1; }

crashed=()
fmt='%-16s %7s %12s %9s %7s %6s %7s %8s\n'
summary=$(printf "$fmt" target seconds execs exec/s corpus cov rss_mb crashes)
for t in "${targets[@]}"; do
  bin=$bindir/$t
  [ -x "$bin" ] || die "no binary $bin after the build"
  corpus=$root/fuzz/corpus/$t
  mkdir -p "$corpus" "$art/$t"
  dirs=("$corpus")
  [ -d "fuzz/seeds/$t" ] && dirs+=("$root/fuzz/seeds/$t")
  touch "$marker"
  flog=$art/logs/$t.fuzz.log
  rlog=$art/logs/$t.replay.log

  echo "== $t: fuzzing ${seconds}s from ${dirs[*]#$root/}"
  start=$(date +%s)
  # `timeout` is a backstop only: libFuzzer stops itself at -max_total_time,
  # and -timeout turns one slow input into a reported crash.
  timeout --kill-after=30 $((seconds + timeout_s + 120)) \
    "$bin" "${dirs[@]}" -max_total_time="$seconds" -timeout="$timeout_s" \
    -rss_limit_mb="$rss_mb" -print_final_stats=1 \
    -artifact_prefix="$art/$t/" >"$flog" 2>&1
  frc=$?
  took=$(( $(date +%s) - start ))
  execs=$(fstat number_of_executed_units "$flog")
  [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$flog" | tail -1)
  execs=${execs:-0}
  rss=$(fstat peak_rss_mb "$flog")

  echo "== $t: replaying the corpus (-runs=0)"
  "$bin" "${dirs[@]}" -runs=0 -timeout="$timeout_s" -rss_limit_mb="$rss_mb" \
    -artifact_prefix="$art/$t/" >"$rlog" 2>&1
  rrc=$?
  # "INITED cov: 123 ft: 456 corp: 78/9Kb ..." (or "INITED exec/s" when empty)
  inited=$(grep -m1 -E 'INITED|DONE' "$rlog" || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$inited")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$inited")
  [ -n "$corp" ] || corp=$(ls "$corpus" | wc -l)

  # Reproducers written (or rewritten) by this target's two runs.
  new=$(find "$art/$t" -maxdepth 1 -type f -newer "$marker" -printf '%f\n' | sort)
  ncrash=0
  if [ "$frc" -ne 0 ] || [ "$rrc" -ne 0 ] || [ -n "$new" ]; then
    ncrash=$(grep -c . <<<"$new")
    [ "$ncrash" -gt 0 ] || ncrash=1
    why=$(grep -h -m1 -E 'panicked at|ERROR: libFuzzer' "$flog" "$rlog" | head -1)
    for f in $new; do
      crashed+=("$t: fuzz/artifacts/$t/$f ($(wc -c <"$art/$t/$f") bytes): ${why:-see log}; stack in fuzz/artifacts/logs/$t.*.log")
    done
    [ -n "$new" ] || crashed+=("$t: exit $frc/$rrc without a reproducer, see fuzz/artifacts/logs/$t.*.log")
  fi
  rate=$(( took > 0 ? execs / took : execs ))
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$date_utc" "$rev" "$t" "$took" "$execs" \
    "$rate" "$corp" "${cov:-?}" "${rss:-?}" "$ncrash" | tee -a "$art/history.tsv" >>"$table"
  line=$(printf "$fmt" "$t" "$took" "$execs" "$rate" "$corp" "${cov:-?}" "${rss:-?}" "$ncrash")
  echo "$line"
  summary+=$'\n'"$line"
done

echo
echo "== summary ($date_utc, rev $rev, ${seconds}s per target; table in fuzz/artifacts/last-run.tsv)"
echo "$summary"
if [ "${#crashed[@]}" -gt 0 ]; then
  echo
  echo "CRASHES (reproduce: $bindir/<target> <file>; see docs/fuzzing.md):"
  printf '  %s\n' "${crashed[@]}"
  exit 1
fi
echo "no crash"

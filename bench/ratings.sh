#!/usr/bin/env bash
# Ratings: coverage and cost.
#   1. Coverage: the share of findings that are no longer UNKNOWN on the
#      shared-mirror known-answer targets (Debian 10, Debian 11, Alpine 3.10,
#      a Python + Rust project), without and with the rating data (EPSS, the
#      NVD sample, CISA vulnrichment, KEV); and how many findings have a CVE
#      that the shipped data rates (all of those must be rated).
#   2. `db update` of the rating data alone (EPSS 360k rows + CVE records),
#      then a second update with nothing changed (conditional GET).
#   3. `bulkhead image` on the real Debian test image (scripts/debian-image.sh)
#      with and without ratings in the database (target: < 10% more).
# Data: the folder `shared` next to the repository (override: SHARED).
# Needs: hyperfine (Debian `hyperfine`) for 3; falls back to `time`.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
shared="${SHARED:-$repo/../shared}"
[ -f "$shared/osv/ecosystems.txt" ] || { echo "shared data not found at $shared (set SHARED)" >&2; exit 1; }
cd "$repo"
cargo build --release -q -p bulkhead-cli
bh="$repo/target/release/bulkhead"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

# A mirror in the layout `db update` reads: OSV + epss/ + nvd/ + cve/.
# shellcheck source=bench/mirror-layout.sh
. "$repo/bench/mirror-layout.sh"
m="$work/mirror"; mirror_layout "$m"

# Known-answer targets as root filesystems / project folders.
t="$work/targets"
deb() { # dir version codename status
  mkdir -p "$t/$1/etc" "$t/$1/var/lib/dpkg"
  printf 'NAME="Debian GNU/Linux"\nVERSION_ID="%s"\nVERSION_CODENAME=%s\nID=debian\n' "$2" "$3" > "$t/$1/etc/os-release"
  printf '%s\n' "$4" > "$t/$1/var/lib/dpkg/status"
}
pkg() { printf 'Package: %s\nStatus: install ok installed\nArchitecture: amd64\nSource: %s\nVersion: %s\n\n' "$1" "$2" "$3"; }
deb debian10 10 buster "$(pkg sudo sudo 1.8.27-1+deb10u2; pkg libssl1.1 openssl 1.1.1d-0+deb10u7; pkg zlib1g zlib 1:1.2.11.dfsg-1)"
deb debian11 11 bullseye "$(pkg libssl1.1 openssl 1.1.1k-1+deb11u1; pkg apt apt 1.8.2)"
mkdir -p "$t/alpine310/etc" "$t/alpine310/lib/apk/db"
echo 3.10.2 > "$t/alpine310/etc/alpine-release"
printf 'C:Q1x=\nP:musl\nV:1.1.22-r3\nA:x86_64\no:musl\n\nC:Q1y=\nP:libcrypto1.1\nV:1.1.1c-r0\nA:x86_64\no:openssl\n\n' > "$t/alpine310/lib/apk/db/installed"
mkdir -p "$t/project"
printf 'Django==2.2.0\nJinja2==2.10\nurllib3==1.24.1\nPyYAML==5.1\nrequests==2.19.0\n' > "$t/project/requirements.txt"
cat > "$t/project/Cargo.lock" <<'EOF'
version = 3

[[package]]
name = "smallvec"
version = "0.6.9"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "hyper"
version = "0.14.9"
source = "registry+https://github.com/rust-lang/crates.io-index"
EOF

"$bh" --quiet --cache-dir "$work/unrated" db update --no-ratings --mirror "$m"
"$bh" --quiet --cache-dir "$work/rated" db update --mirror "$m"

echo "== 1. Coverage (findings not UNKNOWN)"
python3 - "$bh" "$work" "$shared" <<'PY'
import gzip, json, subprocess, sys, zipfile
bh, work, shared = sys.argv[1:4]
rated_cves = set()
for v in json.load(open(f"{shared}/cve/nvd-sample/nvd-api2-6cves.json"))["vulnerabilities"]:
    if any(k.startswith("cvssMetricV") for k in v["cve"].get("metrics", {})):
        rated_cves.add(v["cve"]["id"])
with zipfile.ZipFile(f"{shared}/cve/vulnrichment.zip") as z:
    for n in z.namelist():
        if not n.endswith(".json"):
            continue
        r = json.loads(z.read(n))
        if r["cveMetadata"].get("state") == "REJECTED":
            continue
        cs = [r["containers"].get("cna", {})] + [a for a in r["containers"].get("adp", []) if a.get("providerMetadata", {}).get("shortName") == "CISA-ADP"]
        if any(k.startswith("cvssV") for c in cs for m in c.get("metrics", []) for k in m):
            rated_cves.add(r["cveMetadata"]["cveId"])
total = {"unrated": [0, 0], "rated": [0, 0]}
ratable = missed = 0
for target in ["debian10", "debian11", "alpine310", "project"]:
    row = [target]
    for db in ["unrated", "rated"]:
        out = subprocess.run([bh, "--quiet", "--cache-dir", f"{work}/{db}", "fs", f"{work}/targets/{target}",
                              "--offline", "--scanners", "vuln", "--format", "json"], capture_output=True, check=True).stdout
        vs = [v for r in json.loads(out).get("Results", []) for v in r.get("Vulnerabilities", [])]
        known = sum(v["Severity"] != "UNKNOWN" for v in vs)
        total[db][0] += known; total[db][1] += len(vs)
        row.append(f"{known}/{len(vs)}")
        if db == "rated":
            for v in vs:
                cves = [i for i in [v["VulnerabilityID"], *v.get("Aliases", [])] if i.startswith("CVE-")]
                if any(c in rated_cves for c in cves):
                    ratable += 1
                    missed += v["Severity"] == "UNKNOWN"
    print(f"  {row[0]:<10} without ratings {row[1]:>7}   with ratings {row[2]:>7}")
for db, (k, n) in total.items():
    print(f"  all        {db:<8} {k}/{n} = {100.0 * k / max(n, 1):.1f}% rated")
print(f"  findings whose CVE the shipped data rates: {ratable}, left UNKNOWN: {missed}")
PY

echo "== 2. db update of the rating data"
/usr/bin/env time -f "  first update (EPSS + CVE data, OSV unchanged): %e s wall, %M KB peak" \
  "$bh" --quiet --cache-dir "$work/unrated" db update --mirror "$m"
/usr/bin/env time -f "  second update, nothing changed: %e s wall" \
  "$bh" --cache-dir "$work/unrated" db update --mirror "$m"

echo "== 3. image scan with and without ratings"
fixtures="${BULKHEAD_FIXTURES:-${XDG_CACHE_HOME:-$HOME/.cache}/bulkhead-fixtures}"
img="$fixtures/debian-bookworm.docker.tar"
if [ ! -f "$img" ]; then
  echo "  no cached Debian image ($img): run scripts/debian-image.sh"; exit 0
fi
"$bh" --quiet --cache-dir "$work/rated2" db update --mirror "$m"
"$bh" --quiet --cache-dir "$work/unrated2" db update --no-ratings --mirror "$m"
# --distro debian/11 makes every package meet advisories (bookworm has none in the mirror).
for d in rated2 unrated2; do "$bh" --quiet --cache-dir "$work/$d" image --offline --scanners vuln --distro debian/11 --input "$img" --format json -o /dev/null; done
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 2 --runs 10 \
    -n "image, no ratings" "$bh --quiet --cache-dir $work/unrated2 image --offline --scanners vuln --distro debian/11 --input $img --format json -o /dev/null" \
    -n "image, ratings" "$bh --quiet --cache-dir $work/rated2 image --offline --scanners vuln --distro debian/11 --input $img --format json -o /dev/null"
else
  for d in unrated2 rated2; do
    /usr/bin/env time -f "  $d: %e s wall" "$bh" --quiet --cache-dir "$work/$d" image --offline --scanners vuln --distro debian/11 --input "$img" --format json -o /dev/null
  done
fi

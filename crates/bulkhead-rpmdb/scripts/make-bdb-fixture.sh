#!/usr/bin/env bash
# Regenerates tests/fixtures/bdb/: BerkeleyDB hash `Packages` files holding
# the header blobs of tests/fixtures/rpmdb/rpmdb.sqlite, built with Debian's
# db5.3_load (package `db5.3-util`) and checked with rpm's own read-only
# BerkeleyDB reader (`_db_backend bdb_ro`, package `rpm`).
#
#   Packages-le-4k : little-endian, 4 KiB pages, fill factor 1 (many
#                    buckets); every header needs overflow pages
#   Packages-be-64k: big-endian, 64 KiB pages; small headers sit on the
#                    bucket page, the `bigfiles` header needs overflow pages
#
# Keys are 4-byte header numbers in the database's byte order (as rpm writes
# them), plus rpm's key 0 (next free header number).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
src="$here/tests/fixtures/rpmdb/rpmdb.sqlite"
out="$here/tests/fixtures/bdb"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

make_db() { # name byteorder(le|be) pagesize extra-db_load-options...
  local name="$1" order="$2" pagesize="$3"; shift 3
  python3 - "$src" "$order" "$pagesize" > "$work/$name.dump" <<'PY'
import sqlite3, struct, sys
src, order, pagesize = sys.argv[1], sys.argv[2], sys.argv[3]
fmt = "<I" if order == "le" else ">I"
rows = sqlite3.connect(f"file:{src}?immutable=1", uri=True).execute(
    "SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
print("VERSION=3\nformat=bytevalue\ntype=hash")
print(f"db_pagesize={pagesize}")
print(f"db_lorder={1234 if order == 'le' else 4321}")
print("HEADER=END")
pairs = [(0, struct.pack(fmt, max(h for h, _ in rows) + 1))]
pairs += [(h, b) for h, b in rows]
for h, blob in pairs:
    print(" " + struct.pack(fmt, h).hex())
    print(" " + bytes(blob).hex())
print("DATA=END")
PY
  rm -f "$out/$name"
  db5.3_load "$@" -f "$work/$name.dump" "$out/$name"
  # rpm's own reader must see the same inventory as rpm's SQLite database
  mkdir -p "$work/$name-dbpath"
  cp "$out/$name" "$work/$name-dbpath/Packages"
  local qf='%{NAME}\t%{EPOCHNUM}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\t%{LICENSE}\n'
  # (rpm warns about the absent index files; only Packages matters for -qa)
  rpm --dbpath "$work/$name-dbpath" --define '_db_backend bdb_ro' -qa --qf "$qf" 2>/dev/null | LC_ALL=C sort > "$work/$name.qa"
  diff -u "$here/tests/fixtures/rpmdb/expected-qa.txt" "$work/$name.qa"
  echo "$name: rpm bdb_ro lists $(wc -l < "$work/$name.qa") packages, same as the SQLite fixture" >&2
}

make_db Packages-le-4k le 4096 -c h_ffactor=1
make_db Packages-be-64k be 65536
ls -l "$out" >&2

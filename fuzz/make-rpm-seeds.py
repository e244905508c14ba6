#!/usr/bin/env python3
"""Writes small valid seeds for the rpm_header and rpmdb fuzz targets
(fuzz/seeds/rpm_header/, fuzz/seeds/rpmdb/), built by hand so that the
fuzzer starts past the preamble, index and store checks instead of
rediscovering the format (without seeds, 60 s reached 35 edges).

    python3 fuzz/make-rpm-seeds.py

Headers follow rpm's header layout (big-endian il, dl, 16-byte index
entries, data store); the NDB file follows the layout described in
crates/bulkhead-rpmdb/src/ndb.rs (little-endian), the SQLite file rpm's
`Packages(hnum, blob)` table. The rpmdb target's first byte picks the
reader: 1 = NDB (b"RpmP" is prepended), 2 = SQLite (the 16-byte magic is
prepended), 3 = format detection. Output is deterministic.
"""
import os
import sqlite3
import struct
import tempfile
import zlib
from pathlib import Path

here = Path(__file__).resolve().parent
STRING, STRING_ARRAY, INT32, INT64 = 6, 8, 4, 5


def header(entries):
    """entries: (tag, type, value) with value a str, a list of str, or a
    list of ints."""
    index, store = b"", b""
    for tag, ty, value in entries:
        if ty == INT32:
            store += b"\0" * (-len(store) % 4)
            data, count = b"".join(struct.pack(">I", v) for v in value), len(value)
        elif ty == INT64:
            store += b"\0" * (-len(store) % 8)
            data, count = b"".join(struct.pack(">Q", v) for v in value), len(value)
        elif ty == STRING:
            data, count = value.encode() + b"\0", 1
        else:
            data, count = b"".join(s.encode() + b"\0" for s in value), len(value)
        index += struct.pack(">IIiI", tag, ty, len(store), count)
        store += data
    # a region tag (HEADER_IMMUTABLE) the reader must skip
    index = struct.pack(">IIiI", 63, 7, -16 * (len(entries) + 1), 16) + index
    return struct.pack(">II", len(entries) + 1, len(store)) + index + store


pkg = header([
    (1000, STRING, "bash"),
    (1001, STRING, "5.1.8"),
    (1002, STRING, "6.el9"),
    (1003, INT32, [1]),
    (1009, INT32, [7654321]),
    (1011, STRING, "Red Hat, Inc."),
    (1014, STRING, "GPLv3+"),
    (1022, STRING, "x86_64"),
    (1044, STRING, "bash-5.1.8-6.el9.src.rpm"),
    (1116, INT32, [0, 1, 1]),
    (1117, STRING_ARRAY, ["bash", "bashbug", "sh"]),
    (1118, STRING_ARRAY, ["/usr/bin/", "/bin/"]),
])
old = header([
    (1000, STRING, "perl-Carp"),
    (1001, STRING, "1.50"),
    (1002, STRING, "460.module+el8"),
    (1022, STRING, "noarch"),
    (1027, STRING_ARRAY, ["/usr/share/perl5/Carp.pm", "/usr/share/perl5/Carp/Heavy.pm"]),
    (5009, INT64, [1 << 33]),
    (5096, STRING, "perl:5.26:8000020190628:abcdef12"),
])


def ndb(blobs):
    PAGE, SLOT, BLK, SLOTNPAGES = 4096, 16, 16, 1
    data, slots = bytearray(), []
    first_blk = SLOTNPAGES * PAGE // BLK
    for pkgidx, blob in enumerate(blobs, start=1):
        blkcnt = (16 + len(blob) + 12 + BLK - 1) // BLK
        blkoff = first_blk + len(data) // BLK
        area = struct.pack("<4sIII", b"BlbS", pkgidx, 1700000000, len(blob)) + blob
        area += b"\0" * (blkcnt * BLK - 12 - len(area))
        area += struct.pack("<II4s", zlib.adler32(area) & 0xFFFFFFFF, len(blob), b"BlbE")
        data += area
        slots.append((pkgidx, blkoff, blkcnt))
    slot_area = bytearray()
    for _ in range(SLOTNPAGES * PAGE // SLOT):
        slot_area += struct.pack("<4sIII", b"Slot", 0, 0, 0)
    for i, (pkgidx, blkoff, blkcnt) in enumerate(slots):
        at = (2 + i) * SLOT
        slot_area[at:at + SLOT] = struct.pack("<4sIII", b"Slot", pkgidx, blkoff, blkcnt)
    head = struct.pack("<4sIIII", b"RpmP", 0, 1, SLOTNPAGES, len(blobs) + 1)
    slot_area[0:32] = head + b"\0" * (32 - len(head))
    return bytes(slot_area) + bytes(data)


def sqlite_db(blobs):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "rpmdb.sqlite")
        con = sqlite3.connect(path)
        con.execute("PRAGMA page_size = 512")
        con.execute("PRAGMA journal_mode = DELETE")
        con.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
        con.execute("CREATE TABLE Name (key TEXT NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL, PRIMARY KEY(key, hnum, idx)) WITHOUT ROWID")
        for i, b in enumerate(blobs, start=1):
            con.execute("INSERT INTO Packages (hnum, blob) VALUES (?, ?)", (i, b))
        con.commit()
        con.execute("VACUUM")
        con.close()
        return Path(path).read_bytes()


def write(target, name, data):
    d = here / "seeds" / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)
    print(f"fuzz/seeds/{target}/{name}: {len(data)} bytes")


write("rpm_header", "bash", pkg)
write("rpm_header", "oldfilenames", old)
n = ndb([pkg, old])
s = sqlite_db([pkg, old])
assert n.startswith(b"RpmP") and s.startswith(b"SQLite format 3\0")
write("rpmdb", "ndb", b"\x01" + n[4:])
write("rpmdb", "sqlite", b"\x02" + s[16:])
write("rpmdb", "detect-sqlite", b"\x03" + s)

#!/usr/bin/env python3
"""Regenerates tests/fixtures/ndb/Packages.db from the header blobs of
tests/fixtures/rpmdb/rpmdb.sqlite.

The file is written from the layout of rpm's lib/backend/ndb/rpmpkg.c
(all integers little-endian):

  file header (32 bytes): b"RpmP", version 0, generation, slotnpages,
                          nextpkgidx, zero padding
  slot pages (4096 bytes each; page 0 starts after the file header):
                          16-byte slots b"Slot", pkgidx, blkoff, blkcnt
                          (blkoff 0 = free slot)
  blobs (16-byte blocks): b"BlbS", pkgidx, timestamp, bloblen, header blob,
                          zero padding, then a 12-byte tail: Adler-32 of
                          everything before the tail, bloblen, b"BlbE"

UNVERIFIED BY RPM: Debian's rpm is built without the ndb backend, so no rpm
tool here has read this file. It checks our reader against our reading of
the format description, not against rpm itself.

To exercise the reader, the file has two slot pages, a free slot before the
used ones, blobs stored out of pkgidx order, and a free gap between blobs.
"""
import sqlite3
import struct
import sys
import zlib
from pathlib import Path

here = Path(__file__).resolve().parent.parent
src = here / "tests/fixtures/rpmdb/rpmdb.sqlite"
out = here / "tests/fixtures/ndb/Packages.db"

PAGE, SLOT, BLK = 4096, 16, 16
SLOTNPAGES = 2
TIMESTAMP = 1700000000  # fixed, for a reproducible file

rows = sqlite3.connect(f"file:{src}?immutable=1", uri=True).execute(
    "SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
if not rows:
    sys.exit("no headers in the source database")

data = bytearray()
first_blk = SLOTNPAGES * PAGE // BLK
slots = []
# reverse order, and leave a 2-block gap after the first blob
for n, (pkgidx, blob) in enumerate(reversed(rows)):
    blob = bytes(blob)
    blkcnt = (16 + len(blob) + 12 + BLK - 1) // BLK
    blkoff = first_blk + len(data) // BLK
    area = struct.pack("<4sIII", b"BlbS", pkgidx, TIMESTAMP, len(blob)) + blob
    area += b"\0" * (blkcnt * BLK - 12 - len(area))
    area += struct.pack("<II4s", zlib.adler32(area) & 0xFFFFFFFF, len(blob), b"BlbE")
    data += area
    if n == 0:
        data += b"\0" * (2 * BLK)
    slots.append((pkgidx, blkoff, blkcnt))

slot_area = bytearray()
for i in range(SLOTNPAGES * PAGE // SLOT):
    slot_area += struct.pack("<4sIII", b"Slot", 0, 0, 0)
# slot numbers 0 and 1 are the file header; 2 stays free; used slots start at 3
for i, (pkgidx, blkoff, blkcnt) in enumerate(slots):
    at = (3 + i) * SLOT
    slot_area[at:at + SLOT] = struct.pack("<4sIII", b"Slot", pkgidx, blkoff, blkcnt)
header = struct.pack("<4sIIII", b"RpmP", 0, len(slots) + 1, SLOTNPAGES,
                     max(r[0] for r in rows) + 1)
slot_area[0:32] = header + b"\0" * (32 - len(header))

out.parent.mkdir(parents=True, exist_ok=True)
out.write_bytes(bytes(slot_area) + bytes(data))
print(f"wrote {out} ({out.stat().st_size} bytes, {len(slots)} packages)", file=sys.stderr)

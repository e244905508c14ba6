//! rpm's own "ndb" backend, `Packages.db` (SUSE ≥ 15 SP3, openSUSE).
//!
//! Written from the layout of rpm's `lib/backend/ndb/rpmpkg.c` (all integers
//! little-endian):
//!
//! * a 32-byte file header: magic `RpmP`, version (0), generation,
//!   `slotnpages`, next package index;
//! * `slotnpages` pages of 4096 bytes holding 16-byte slots (page 0's first
//!   two slots are the file header): magic `Slot`, pkgidx, blkoff, blkcnt;
//!   a slot with blkoff 0 is free;
//! * each used slot points at `blkcnt` 16-byte blocks starting at block
//!   `blkoff`: a blob head (magic `BlbS`, pkgidx, timestamp, length), the
//!   header blob, zero padding, and a 12-byte tail (Adler-32 of everything
//!   before the tail, length, magic `BlbE`).
//!
//! Hand-written because no crate reads this format. Slots may not overlap,
//! so the total output is bounded by the file size.

use crate::{HeaderBlob, RpmError};

pub(crate) const MAGIC: &[u8] = b"RpmP";
const SLOT_MAGIC: &[u8] = b"Slot";
const BLOB_HEAD_MAGIC: &[u8] = b"BlbS";
const BLOB_TAIL_MAGIC: &[u8] = b"BlbE";
const HEADER_SIZE: usize = 32;
const PAGE_SIZE: usize = 4096;
const SLOT_SIZE: usize = 16;
const BLK_SIZE: usize = 16;
const BLOB_HEAD: usize = 16;
const BLOB_TAIL: usize = 12;

fn fail(msg: impl Into<String>) -> RpmError {
    RpmError::Ndb(msg.into())
}

fn le32(b: &[u8], at: usize) -> u32 {
    crate::read_u32(b, at, false).unwrap_or(0)
}

struct Slot {
    pkgidx: u32,
    blkoff: usize,
    blkcnt: usize,
}

pub(crate) fn read_blobs(bytes: &[u8]) -> Result<Vec<HeaderBlob>, RpmError> {
    if !bytes.starts_with(MAGIC) || bytes.len() < HEADER_SIZE {
        return Err(fail("missing the 'RpmP' file magic"));
    }
    let version = le32(bytes, 4);
    if version != 0 {
        return Err(fail(format!("unknown format version {version} (0 known)")));
    }
    let slotnpages = le32(bytes, 12) as usize;
    let slot_area = slotnpages
        .checked_mul(PAGE_SIZE)
        .filter(|n| *n > 0 && *n <= bytes.len())
        .ok_or_else(|| {
            fail(format!(
                "{slotnpages} slot pages do not fit in a {}-byte file (truncated?)",
                bytes.len()
            ))
        })?;
    let total_blks = bytes.len() / BLK_SIZE;
    let first_data_blk = slot_area / BLK_SIZE;

    let mut slots = Vec::new();
    for at in (HEADER_SIZE..slot_area).step_by(SLOT_SIZE) {
        let slot = bytes
            .get(at..at + SLOT_SIZE)
            .ok_or_else(|| fail(format!("slot at byte {at} is truncated")))?;
        if slot.get(..4) != Some(SLOT_MAGIC) {
            return Err(fail(format!("slot at byte {at} lacks its 'Slot' magic")));
        }
        let blkoff = le32(slot, 8) as usize;
        if blkoff == 0 {
            continue; // free slot
        }
        let pkgidx = le32(slot, 4);
        let blkcnt = le32(slot, 12) as usize;
        if pkgidx == 0 || blkcnt == 0 || blkoff < first_data_blk {
            return Err(fail(format!(
                "slot at byte {at} is invalid (pkgidx {pkgidx}, blocks {blkoff}+{blkcnt})"
            )));
        }
        if blkoff.saturating_add(blkcnt) > total_blks {
            return Err(fail(format!(
                "package {pkgidx} lies past the end of the file (truncated?)"
            )));
        }
        slots.push(Slot {
            pkgidx,
            blkoff,
            blkcnt,
        });
    }
    // Overlapping or duplicate slots would let a small file expand into a
    // huge output; rpm refuses them too.
    slots.sort_by_key(|s| s.blkoff);
    for w in slots.windows(2) {
        if let [a, b] = w
            && a.blkoff + a.blkcnt > b.blkoff
        {
            return Err(fail(format!(
                "packages {} and {} overlap",
                a.pkgidx, b.pkgidx
            )));
        }
    }
    let mut seen: Vec<u32> = slots.iter().map(|s| s.pkgidx).collect();
    seen.sort_unstable();
    if let Some(w) = seen.windows(2).find(|w| w.first() == w.get(1)) {
        return Err(fail(format!(
            "package index {:?} has two slots",
            w.first().copied().unwrap_or(0)
        )));
    }
    slots.iter().map(|s| read_blob(bytes, s)).collect()
}

fn read_blob(bytes: &[u8], slot: &Slot) -> Result<HeaderBlob, RpmError> {
    let idx = slot.pkgidx;
    let start = slot.blkoff * BLK_SIZE;
    let end = (slot.blkoff + slot.blkcnt) * BLK_SIZE;
    let area = bytes
        .get(start..end)
        .ok_or_else(|| fail(format!("package {idx}: blob out of range")))?;
    if area.len() < BLOB_HEAD + BLOB_TAIL {
        return Err(fail(format!(
            "package {idx}: blob area of {} bytes is too small",
            area.len()
        )));
    }
    if area.get(..4) != Some(BLOB_HEAD_MAGIC) || le32(area, 4) != idx {
        return Err(fail(format!(
            "package {idx}: blob head magic or package index mismatch"
        )));
    }
    let len = le32(area, 12) as usize;
    let need = (BLOB_HEAD + len + BLOB_TAIL).div_ceil(BLK_SIZE);
    if need != slot.blkcnt {
        return Err(fail(format!(
            "package {idx}: blob of {len} bytes does not match its {} blocks",
            slot.blkcnt
        )));
    }
    let tail_at = area.len() - BLOB_TAIL;
    let tail = area.get(tail_at..).unwrap_or_default();
    if tail.get(8..12) != Some(BLOB_TAIL_MAGIC) || le32(tail, 4) as usize != len {
        return Err(fail(format!(
            "package {idx}: blob tail magic or length mismatch"
        )));
    }
    let mut adler = adler2::Adler32::new();
    adler.write_slice(area.get(..tail_at).unwrap_or_default());
    if adler.checksum() != le32(tail, 0) {
        return Err(fail(format!("package {idx}: Adler-32 checksum mismatch")));
    }
    let blob = area
        .get(BLOB_HEAD..BLOB_HEAD + len)
        .ok_or_else(|| fail(format!("package {idx}: blob length out of range")))?;
    Ok(HeaderBlob {
        number: idx,
        blob: blob.to_vec(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Writes an NDB file holding `blobs` (pkgidx, blob), one slot page,
    /// with a free slot first to exercise skipping.
    pub(crate) fn build(blobs: &[(u32, Vec<u8>)]) -> Vec<u8> {
        let mut f = vec![0u8; PAGE_SIZE];
        f[0..4].copy_from_slice(MAGIC);
        f[8..12].copy_from_slice(&1u32.to_le_bytes());
        f[12..16].copy_from_slice(&1u32.to_le_bytes());
        for s in (HEADER_SIZE..PAGE_SIZE).step_by(SLOT_SIZE) {
            f[s..s + 4].copy_from_slice(SLOT_MAGIC);
        }
        for (i, (idx, blob)) in blobs.iter().enumerate() {
            let blkoff = f.len() / BLK_SIZE;
            let blkcnt = (BLOB_HEAD + blob.len() + BLOB_TAIL).div_ceil(BLK_SIZE);
            let mut area = Vec::new();
            area.extend_from_slice(BLOB_HEAD_MAGIC);
            area.extend_from_slice(&idx.to_le_bytes());
            area.extend_from_slice(&0u32.to_le_bytes());
            area.extend_from_slice(&(blob.len() as u32).to_le_bytes());
            area.extend_from_slice(blob);
            area.resize(blkcnt * BLK_SIZE - BLOB_TAIL, 0);
            let mut a = adler2::Adler32::new();
            a.write_slice(&area);
            area.extend_from_slice(&a.checksum().to_le_bytes());
            area.extend_from_slice(&(blob.len() as u32).to_le_bytes());
            area.extend_from_slice(BLOB_TAIL_MAGIC);
            f.extend_from_slice(&area);
            let s = HEADER_SIZE + SLOT_SIZE * (i + 1);
            f[s + 4..s + 8].copy_from_slice(&idx.to_le_bytes());
            f[s + 8..s + 12].copy_from_slice(&(blkoff as u32).to_le_bytes());
            f[s + 12..s + 16].copy_from_slice(&(blkcnt as u32).to_le_bytes());
        }
        f
    }

    #[test]
    fn reads_blobs() {
        let f = build(&[(2, b"second".to_vec()), (1, vec![5; 100])]);
        let b = read_blobs(&f).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].number, 2);
        assert_eq!(b[0].blob, b"second");
        assert_eq!(b[1].blob, vec![5; 100]);
    }

    #[test]
    fn corruption_is_detected() {
        let f = build(&[(1, b"abcdef".to_vec())]);
        let mut bad = f.clone();
        bad[PAGE_SIZE + BLOB_HEAD] ^= 1;
        assert!(
            read_blobs(&bad)
                .unwrap_err()
                .to_string()
                .contains("Adler-32")
        );
        let mut bad = f.clone();
        bad[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(
            read_blobs(&bad)
                .unwrap_err()
                .to_string()
                .contains("slot pages")
        );
        let mut bad = f.clone();
        bad[HEADER_SIZE + 3] = b'x';
        assert!(read_blobs(&bad).unwrap_err().to_string().contains("'Slot'"));
        for cut in 0..f.len() {
            assert!(read_blobs(&f[..cut]).is_err(), "cut {cut}");
        }
    }

    #[test]
    fn overlapping_and_duplicate_slots_are_refused() {
        let mut f = build(&[(1, vec![1; 40]), (2, vec![2; 40])]);
        // make slot 2 point at slot 1's blob
        let s1 = HEADER_SIZE + SLOT_SIZE;
        let s2 = s1 + SLOT_SIZE;
        let off1: [u8; 4] = f[s1 + 8..s1 + 12].try_into().unwrap();
        f[s2 + 8..s2 + 12].copy_from_slice(&off1);
        assert!(read_blobs(&f).unwrap_err().to_string().contains("overlap"));
        let mut f = build(&[(1, vec![1; 40]), (1, vec![2; 40])]);
        f[0] = b'R';
        assert!(
            read_blobs(&f)
                .unwrap_err()
                .to_string()
                .contains("two slots")
        );
    }
}

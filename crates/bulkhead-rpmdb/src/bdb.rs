//! BerkeleyDB hash `Packages` (rpm < 4.16: RHEL/CentOS 7–8, Amazon Linux 2,
//! older SUSE), read by hand.
//!
//! Why by hand: no maintained Rust crate reads BerkeleyDB files, and linking
//! libdb would mean a C library (with a non-permissive licence) parsing
//! hostile input. Only the small read-only subset rpm needs is implemented:
//! the hash metadata page, bucket page chains, on-page key/data items and
//! overflow page chains, in either byte order.
//!
//! Layout (integers in the byte order of the machine that wrote the file,
//! told apart by the magic):
//!
//! * page 0, metadata: `magic` at 12 (`0x061561`), `version` at 16 (8–10),
//!   `pagesize` at 20, `encrypt_alg` at 24, page type at 25 (8), `last_pgno`
//!   at 32, `max_bucket` at 72, `spares[32]` at 96;
//! * every page starts with a 26-byte header: `pgno` at 8, `next_pgno` at 16,
//!   `entries` (u16) at 20, `hf_offset` (u16) at 22, `type` at 25, followed
//!   by `entries` u16 item offsets; items fill the page from its end down;
//! * bucket `b` starts at page `b + spares[bits(b)]` and continues through
//!   `next_pgno` (0 ends the chain); items come in key/data pairs;
//! * an item is `H_KEYDATA` (1, bytes follow) or `H_OFFPAGE` (3: `pgno` at
//!   +4, total length at +8), whose bytes sit in a chain of overflow pages
//!   (type 7) each holding `hf_offset` bytes after its header.
//!
//! Hostile files: every page may be visited once only (a second visit is a
//! loop or shared chain and fails), so work and output are bounded by the
//! file size.

use crate::{HeaderBlob, RpmError, read_u16, read_u32};

const HASH_MAGIC: u32 = 0x0006_1561;
const PAGE_HEADER: usize = 26;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;
const H_KEYDATA: u8 = 1;
const H_DUPLICATE: u8 = 2;
const H_OFFPAGE: u8 = 3;
const H_OFFDUP: u8 = 4;

fn fail(msg: impl Into<String>) -> RpmError {
    RpmError::BerkeleyDb(msg.into())
}

/// Big-endian? from the magic at offset 12, `None` if not a hash database.
fn byte_order(bytes: &[u8]) -> Option<bool> {
    if read_u32(bytes, 12, false) == Some(HASH_MAGIC) {
        Some(false)
    } else if read_u32(bytes, 12, true) == Some(HASH_MAGIC) {
        Some(true)
    } else {
        None
    }
}

pub(crate) fn is_hash_db(bytes: &[u8]) -> bool {
    byte_order(bytes).is_some() && bytes.get(25) == Some(&P_HASHMETA)
}

struct Db<'a> {
    bytes: &'a [u8],
    be: bool,
    pagesize: usize,
    /// Number of pages present (bounded by both `last_pgno` and the bytes).
    npages: usize,
    visited: Vec<bool>,
}

impl<'a> Db<'a> {
    fn u32(&self, b: &[u8], at: usize) -> Option<u32> {
        read_u32(b, at, self.be)
    }

    fn u16(&self, b: &[u8], at: usize) -> Option<usize> {
        read_u16(b, at, self.be).map(usize::from)
    }

    /// Page `pgno`, checked to be in the file, unvisited and self-labelled.
    fn page(&mut self, pgno: u32, what: &str) -> Result<&'a [u8], RpmError> {
        let idx = pgno as usize;
        if idx == 0 || idx >= self.npages {
            return Err(fail(format!(
                "{what} points at page {pgno}, outside the {} pages of the file (truncated?)",
                self.npages
            )));
        }
        let seen = self
            .visited
            .get_mut(idx)
            .ok_or_else(|| fail(format!("page {pgno} out of range")))?;
        if *seen {
            return Err(fail(format!(
                "page {pgno} is reached twice ({what}): the page chains loop or overlap"
            )));
        }
        *seen = true;
        let start = idx * self.pagesize;
        let bytes: &'a [u8] = self.bytes;
        let page = bytes
            .get(start..start + self.pagesize)
            .ok_or_else(|| fail(format!("page {pgno} is truncated")))?;
        if self.u32(page, 8) != Some(pgno) {
            return Err(fail(format!(
                "page {pgno} is labelled as page {:?}: file is corrupt or not BerkeleyDB",
                self.u32(page, 8)
            )));
        }
        Ok(page)
    }

    /// The bytes of item `idx` on a hash page, following overflow chains.
    fn item(&mut self, page: &'a [u8], offsets: &[usize], idx: usize) -> Result<Vec<u8>, RpmError> {
        let off = offsets.get(idx).copied().unwrap_or(usize::MAX);
        let end = if idx == 0 {
            self.pagesize
        } else {
            offsets.get(idx - 1).copied().unwrap_or(0)
        };
        let min = PAGE_HEADER + 2 * offsets.len();
        if off < min || off >= end || end > self.pagesize {
            return Err(fail(format!(
                "item {idx} has offset {off}, outside {min}..{end}"
            )));
        }
        let data = page
            .get(off..end)
            .ok_or_else(|| fail(format!("item {idx} out of page")))?;
        match data.first().copied() {
            Some(H_KEYDATA) => Ok(data.get(1..).unwrap_or_default().to_vec()),
            Some(H_OFFPAGE) => {
                if data.len() < 12 {
                    return Err(fail(format!(
                        "off-page item {idx} is only {} bytes",
                        data.len()
                    )));
                }
                let pgno = self.u32(data, 4).unwrap_or(0);
                let len = self.u32(data, 8).unwrap_or(0) as usize;
                self.overflow(pgno, len)
            }
            Some(H_DUPLICATE | H_OFFDUP) => Err(fail(
                "duplicate-key items found; rpm's Packages never has them, so this is not a package database",
            )),
            other => Err(fail(format!("item {idx} has unknown type {other:?}"))),
        }
    }

    /// Reads `len` bytes from the overflow chain starting at `pgno`.
    fn overflow(&mut self, mut pgno: u32, len: usize) -> Result<Vec<u8>, RpmError> {
        if len == 0 || len > self.bytes.len() {
            return Err(fail(format!(
                "overflow item claims {len} bytes in a {}-byte file",
                self.bytes.len()
            )));
        }
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            if pgno == 0 {
                return Err(fail(format!(
                    "overflow chain ends after {} of {len} bytes",
                    out.len()
                )));
            }
            let page = self.page(pgno, "overflow chain")?;
            if page.get(25) != Some(&P_OVERFLOW) {
                return Err(fail(format!(
                    "page {pgno} in an overflow chain is not an overflow page"
                )));
            }
            let used = self.u16(page, 22).unwrap_or(0);
            let chunk = page
                .get(PAGE_HEADER..PAGE_HEADER + used)
                .filter(|c| !c.is_empty() && c.len() <= len - out.len())
                .ok_or_else(|| {
                    fail(format!(
                        "overflow page {pgno} holds an impossible {used} bytes"
                    ))
                })?;
            out.extend_from_slice(chunk);
            pgno = self.u32(page, 16).unwrap_or(0);
        }
        Ok(out)
    }
}

pub(crate) fn read_blobs(bytes: &[u8]) -> Result<Vec<HeaderBlob>, RpmError> {
    let be = byte_order(bytes).ok_or_else(|| fail("no hash database magic at offset 12"))?;
    let meta = bytes
        .get(..512)
        .ok_or_else(|| fail("file is shorter than the 512-byte metadata page"))?;
    if meta.get(25) != Some(&P_HASHMETA) {
        return Err(fail("page 0 is not a hash metadata page"));
    }
    let u32_at = |at| read_u32(meta, at, be).unwrap_or(0);
    let version = u32_at(16);
    if !(8..=10).contains(&version) {
        return Err(fail(format!(
            "unsupported hash version {version} (8–10 known)"
        )));
    }
    let pagesize = u32_at(20) as usize;
    if !(512..=65536).contains(&pagesize) || !pagesize.is_power_of_two() {
        return Err(fail(format!("invalid page size {pagesize}")));
    }
    if meta.get(24).copied().unwrap_or(0) != 0 {
        return Err(fail("the database is encrypted; rpm databases never are"));
    }
    let last_pgno = u32_at(32) as usize;
    let npages = last_pgno.saturating_add(1);
    if npages.saturating_mul(pagesize) > bytes.len() {
        return Err(fail(format!(
            "the file is truncated: {npages} pages of {pagesize} bytes announced, {} bytes present",
            bytes.len()
        )));
    }
    let max_bucket = u32_at(72) as usize;
    if max_bucket >= npages {
        return Err(fail(format!(
            "{} buckets cannot fit in {npages} pages (truncated file?)",
            max_bucket as u64 + 1
        )));
    }
    let spares: Vec<u32> = (0..32).map(|i| u32_at(96 + 4 * i)).collect();
    let mut db = Db {
        bytes,
        be,
        pagesize,
        npages,
        visited: vec![false; npages],
    };
    let mut out = Vec::new();
    for bucket in 0..=max_bucket {
        let bits = (usize::BITS - bucket.leading_zeros()) as usize;
        let spare = spares.get(bits).copied().unwrap_or(0) as usize;
        let mut pgno = u32::try_from(bucket + spare)
            .map_err(|_| fail(format!("bucket {bucket} maps past any page")))?;
        while pgno != 0 {
            let page = db.page(pgno, &format!("bucket {bucket}"))?;
            let ty = page.get(25).copied().unwrap_or(0);
            if ty != P_HASH && ty != P_HASH_UNSORTED {
                return Err(fail(format!(
                    "page {pgno} of bucket {bucket} has type {ty}, not a hash page"
                )));
            }
            let entries = db.u16(page, 20).unwrap_or(0);
            if PAGE_HEADER + 2 * entries > pagesize || !entries.is_multiple_of(2) {
                return Err(fail(format!("page {pgno} claims {entries} items")));
            }
            let offsets: Vec<usize> = (0..entries)
                .map(|i| db.u16(page, PAGE_HEADER + 2 * i).unwrap_or(0))
                .collect();
            for pair in 0..entries / 2 {
                let key = db.item(page, &offsets, 2 * pair)?;
                let value = db.item(page, &offsets, 2 * pair + 1)?;
                let key: [u8; 4] = key.as_slice().try_into().map_err(|_| {
                    fail(format!(
                        "key of {} bytes on page {pgno}; rpm keys are 4-byte header numbers",
                        key.len()
                    ))
                })?;
                let number = if be {
                    u32::from_be_bytes(key)
                } else {
                    u32::from_le_bytes(key)
                };
                // Header number 0 holds rpm's next-instance counter.
                if number != 0 {
                    out.push(HeaderBlob {
                        number,
                        blob: value,
                    });
                }
            }
            pgno = db.u32(page, 16).unwrap_or(0);
        }
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A tiny hand-made hash database writer for unit tests: one bucket,
    /// values larger than `inline_max` go to overflow pages.
    pub(crate) fn build(pairs: &[(u32, Vec<u8>)], be: bool, pagesize: usize) -> Vec<u8> {
        let p32 = |v: u32| if be { v.to_be_bytes() } else { v.to_le_bytes() };
        let p16 = |v: u16| if be { v.to_be_bytes() } else { v.to_le_bytes() };
        let mut pages: Vec<Vec<u8>> = vec![vec![0; pagesize], vec![0; pagesize]];
        // bucket page 1
        let mut items: Vec<Vec<u8>> = Vec::new();
        for (k, v) in pairs {
            let mut key = vec![H_KEYDATA];
            key.extend_from_slice(&p32(*k));
            items.push(key);
            if v.len() < pagesize / 8 {
                let mut val = vec![H_KEYDATA];
                val.extend_from_slice(v);
                items.push(val);
            } else {
                let first = pages.len() as u32;
                let cap = pagesize - PAGE_HEADER;
                let chunks: Vec<&[u8]> = v.chunks(cap).collect();
                for (i, c) in chunks.iter().enumerate() {
                    let no = pages.len() as u32;
                    let mut pg = vec![0; pagesize];
                    pg[8..12].copy_from_slice(&p32(no));
                    let next = if i + 1 < chunks.len() { no + 1 } else { 0 };
                    pg[16..20].copy_from_slice(&p32(next));
                    pg[22..24].copy_from_slice(&p16(c.len() as u16));
                    pg[25] = P_OVERFLOW;
                    pg[26..26 + c.len()].copy_from_slice(c);
                    pages.push(pg);
                }
                let mut off = vec![H_OFFPAGE, 0, 0, 0];
                off.extend_from_slice(&p32(first));
                off.extend_from_slice(&p32(v.len() as u32));
                items.push(off);
            }
        }
        let pg = &mut pages[1];
        pg[8..12].copy_from_slice(&p32(1));
        pg[20..22].copy_from_slice(&p16(items.len() as u16));
        pg[25] = P_HASH;
        let mut top = pagesize;
        for (i, it) in items.iter().enumerate() {
            top -= it.len();
            pg[top..top + it.len()].copy_from_slice(it);
            pg[26 + 2 * i..28 + 2 * i].copy_from_slice(&p16(top as u16));
        }
        let n = pages.len() as u32;
        let meta = &mut pages[0];
        meta[12..16].copy_from_slice(&p32(HASH_MAGIC));
        meta[16..20].copy_from_slice(&p32(9));
        meta[20..24].copy_from_slice(&p32(pagesize as u32));
        meta[25] = P_HASHMETA;
        meta[32..36].copy_from_slice(&p32(n - 1));
        meta[72..76].copy_from_slice(&p32(0)); // max_bucket
        meta[96..100].copy_from_slice(&p32(1)); // spares[0]: bucket 0 → page 1
        pages.concat()
    }

    fn sample(be: bool) -> Vec<u8> {
        build(
            &[
                (0, vec![9, 0, 0, 0]),
                (1, b"small".to_vec()),
                (2, vec![7; 3000]),
            ],
            be,
            1024,
        )
    }

    #[test]
    fn reads_both_byte_orders_with_overflow() {
        for be in [false, true] {
            let db = sample(be);
            assert!(is_hash_db(&db));
            let blobs = read_blobs(&db).unwrap();
            assert_eq!(blobs.len(), 2, "key 0 is skipped");
            assert_eq!(blobs[0].number, 1);
            assert_eq!(blobs[0].blob, b"small");
            assert_eq!(blobs[1].blob, vec![7; 3000]);
        }
    }

    #[test]
    fn overflow_loop_is_detected() {
        let mut db = sample(false);
        // the off-page reference is item 5 on page 1
        let at = 1024 + 26 + 2 * 5;
        let item = 1024 + u16::from_le_bytes([db[at], db[at + 1]]) as usize;
        assert_eq!(db[item], H_OFFPAGE);
        // overflow pages are 2..=5; point page 3 back at page 2
        db[3 * 1024 + 16..3 * 1024 + 20].copy_from_slice(&2u32.to_le_bytes());
        let e = read_blobs(&db).unwrap_err().to_string();
        assert!(e.contains("reached twice"), "{e}");
        // a length past the file size is refused before any allocation
        db[item + 8..item + 12].copy_from_slice(&u32::MAX.to_le_bytes());
        let e = read_blobs(&db).unwrap_err().to_string();
        assert!(e.contains("claims"), "{e}");
    }

    #[test]
    fn bucket_chain_loop_is_detected() {
        let mut db = sample(true);
        db[1024 + 16..1024 + 20].copy_from_slice(&1u32.to_be_bytes());
        let e = read_blobs(&db).unwrap_err().to_string();
        assert!(e.contains("reached twice"), "{e}");
    }

    #[test]
    fn truncations_and_corruption_are_clean_errors() {
        let db = sample(false);
        for cut in 0..db.len() {
            let _ = read_blobs(&db[..cut]);
        }
        assert!(read_blobs(&db[..db.len() - 1]).is_err());
        let mut bad = db.clone();
        bad[20..24].copy_from_slice(&1000u32.to_le_bytes());
        assert!(
            read_blobs(&bad)
                .unwrap_err()
                .to_string()
                .contains("page size")
        );
        let mut bad = db.clone();
        bad[72..76].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(
            read_blobs(&bad)
                .unwrap_err()
                .to_string()
                .contains("buckets")
        );
        let mut bad = db;
        bad[1024 + 20..1024 + 22].copy_from_slice(&0xfffeu16.to_le_bytes());
        assert!(read_blobs(&bad).unwrap_err().to_string().contains("items"));
    }
}

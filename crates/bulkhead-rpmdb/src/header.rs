//! The rpm header blob: the unit every rpm database backend stores, one per
//! installed package.
//!
//! Layout (all integers big-endian), as stored in a database (the on-disk
//! `.rpm` file adds an 8-byte magic in front, a database blob does not):
//!
//! ```text
//! il: u32            number of index entries
//! dl: u32            size of the data store in bytes
//! il × { tag: i32, type: u32, offset: i32, count: u32 }
//! dl bytes of data store (entries point into it by offset)
//! ```
//!
//! Region tags (61–63) describe which entries were signed; the trailer they
//! point to is not package data, so we skip them. Entries appended after the
//! region ("dribble" entries, added at install time) replace duplicates inside
//! it, so when a tag occurs twice the later entry wins, as in rpm itself.
//!
//! Everything here is bounds-checked: a hostile blob gives an [`RpmError`],
//! never a panic, and no allocation is sized from a count that was not first
//! checked against the bytes actually present.

use crate::RpmError;

/// Header tags this crate reads (values from rpm's `rpmtag.h`).
mod tag {
    pub const HEADER_IMAGE: u32 = 61;
    pub const HEADER_IMMUTABLE: u32 = 63;
    pub const NAME: u32 = 1000;
    pub const VERSION: u32 = 1001;
    pub const RELEASE: u32 = 1002;
    pub const EPOCH: u32 = 1003;
    pub const SIZE: u32 = 1009;
    pub const VENDOR: u32 = 1011;
    pub const LICENSE: u32 = 1014;
    pub const ARCH: u32 = 1022;
    pub const OLDFILENAMES: u32 = 1027;
    pub const SOURCERPM: u32 = 1044;
    pub const DIRINDEXES: u32 = 1116;
    pub const BASENAMES: u32 = 1117;
    pub const DIRNAMES: u32 = 1118;
    pub const LONGSIZE: u32 = 5009;
    pub const MODULARITYLABEL: u32 = 5096;
}

/// Data types of index entries (rpm's `rpmTagType`).
mod ty {
    pub const INT8: u32 = 2;
    pub const INT16: u32 = 3;
    pub const INT32: u32 = 4;
    pub const INT64: u32 = 5;
    pub const STRING: u32 = 6;
    pub const STRING_ARRAY: u32 = 8;
    pub const I18NSTRING: u32 = 9;
}

/// Size of one index entry.
const ENTRY_SIZE: usize = 16;
/// Size of the `il`/`dl` preamble.
const PREAMBLE: usize = 8;

/// One installed package, as recorded in its header.
///
/// String fields the header lacks are empty (rpm itself prints `(none)`),
/// e.g. `gpg-pubkey` pseudo-packages have no `arch` and no `source_rpm`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RpmHeader {
    /// `NAME`.
    pub name: String,
    /// `EPOCH`, when the package declares one (absent and 0 differ for rpm's
    /// queries, but compare equal in version ordering).
    pub epoch: Option<u32>,
    /// `VERSION`.
    pub version: String,
    /// `RELEASE`.
    pub release: String,
    /// `ARCH` (`x86_64`, `noarch`, …).
    pub arch: String,
    /// `SOURCERPM`, the source package file name (`bash-5.1-2.el9.src.rpm`).
    pub source_rpm: String,
    /// `LICENSE`.
    pub license: String,
    /// `VENDOR`.
    pub vendor: String,
    /// Installed size in bytes (`LONGSIZE`, else `SIZE`), when recorded.
    pub size: Option<u64>,
    /// `MODULARITYLABEL` (RHEL 8 modules), empty when absent.
    pub modularity_label: String,
    /// Installed paths, from `DIRNAMES`/`BASENAMES`/`DIRINDEXES` or the
    /// legacy `OLDFILENAMES`.
    pub files: Vec<String>,
}

impl RpmHeader {
    /// `[epoch:]version-release`, the form rpm and OSV advisories use. The
    /// epoch is printed only when the header has one.
    pub fn evr(&self) -> String {
        match self.epoch {
            Some(e) => format!("{e}:{}-{}", self.version, self.release),
            None => format!("{}-{}", self.version, self.release),
        }
    }

    /// The epoch as rpm's `%{EPOCHNUM}` prints it: 0 when absent.
    pub fn epoch_num(&self) -> u32 {
        self.epoch.unwrap_or(0)
    }

    /// `gpg-pubkey` entries are imported signing keys, not software;
    /// inventories usually skip them.
    pub fn is_gpg_pubkey(&self) -> bool {
        self.name == "gpg-pubkey"
    }

    /// Source package name, version and release parsed from `source_rpm`
    /// (`name-version-release.src.rpm`), or `None` when it does not have
    /// that shape.
    pub fn source_nvr(&self) -> Option<(&str, &str, &str)> {
        let stem = self
            .source_rpm
            .strip_suffix(".src.rpm")
            .or_else(|| self.source_rpm.strip_suffix(".nosrc.rpm"))?;
        let (rest, release) = stem.rsplit_once('-')?;
        let (name, version) = rest.rsplit_once('-')?;
        if name.is_empty() || version.is_empty() || release.is_empty() {
            return None;
        }
        Some((name, version, release))
    }
}

/// A raw index entry, after bounds checks on its own fields.
#[derive(Debug, Clone, Copy)]
struct Entry {
    tag: u32,
    ty: u32,
    offset: usize,
    count: usize,
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// Parses one header blob as stored in an rpm database.
pub fn parse_header(blob: &[u8]) -> Result<RpmHeader, RpmError> {
    let raw = RawHeader::new(blob)?;
    let name = raw.required_string(tag::NAME, "NAME")?;
    let version = raw.required_string(tag::VERSION, "VERSION")?;
    let release = raw.required_string(tag::RELEASE, "RELEASE")?;
    let epoch = match raw.find(tag::EPOCH) {
        Some(e) => raw.ints(e, "EPOCH")?.first().copied().map(|v| v as u32),
        None => None,
    };
    let size = match raw.find(tag::LONGSIZE).or_else(|| raw.find(tag::SIZE)) {
        Some(e) => raw.ints(e, "SIZE")?.first().copied(),
        None => None,
    };
    Ok(RpmHeader {
        name,
        epoch,
        version,
        release,
        arch: raw.optional_string(tag::ARCH, "ARCH")?,
        source_rpm: raw.optional_string(tag::SOURCERPM, "SOURCERPM")?,
        license: raw.optional_string(tag::LICENSE, "LICENSE")?,
        vendor: raw.optional_string(tag::VENDOR, "VENDOR")?,
        size,
        modularity_label: raw.optional_string(tag::MODULARITYLABEL, "MODULARITYLABEL")?,
        files: raw.files(blob.len())?,
    })
}

struct RawHeader<'a> {
    entries: Vec<Entry>,
    store: &'a [u8],
}

impl<'a> RawHeader<'a> {
    fn new(blob: &'a [u8]) -> Result<Self, RpmError> {
        let bad = |why: String| RpmError::BadHeader(why);
        let il = be32(blob, 0).ok_or_else(|| {
            bad(format!(
                "blob of {} bytes is shorter than the 8-byte header preamble",
                blob.len()
            ))
        })?;
        let dl = be32(blob, 4).ok_or_else(|| bad("truncated preamble".into()))?;
        // Cap both counts by what the blob can hold before allocating.
        let index_len = (il as usize)
            .checked_mul(ENTRY_SIZE)
            .filter(|n| *n <= blob.len().saturating_sub(PREAMBLE))
            .ok_or_else(|| {
                bad(format!(
                    "index count {il} needs more than the {} bytes present",
                    blob.len()
                ))
            })?;
        if il == 0 {
            return Err(bad("header has no index entries".into()));
        }
        let store_start = PREAMBLE + index_len;
        let store_end = store_start
            .checked_add(dl as usize)
            .filter(|end| *end <= blob.len())
            .ok_or_else(|| {
                bad(format!(
                    "data store of {dl} bytes runs past the end of a {}-byte blob",
                    blob.len()
                ))
            })?;
        let store = blob
            .get(store_start..store_end)
            .ok_or_else(|| bad("data store out of range".into()))?;
        let mut entries = Vec::with_capacity(il as usize);
        for i in 0..il as usize {
            let at = PREAMBLE + i * ENTRY_SIZE;
            let field = |k: usize| {
                be32(blob, at + 4 * k).ok_or_else(|| bad(format!("index entry {i} truncated")))
            };
            let (tag, ty, offset, count) = (field(0)?, field(1)?, field(2)?, field(3)?);
            // Region tags point at a trailer (with a negative offset inside
            // it); they carry no package data.
            if (tag::HEADER_IMAGE..=tag::HEADER_IMMUTABLE).contains(&tag) {
                continue;
            }
            let offset = offset as i32;
            if offset < 0 || offset as usize >= store.len() {
                return Err(bad(format!(
                    "index entry {i} (tag {tag}) points at offset {offset}, outside the {}-byte data store",
                    store.len()
                )));
            }
            entries.push(Entry {
                tag,
                ty,
                offset: offset as usize,
                count: count as usize,
            });
        }
        Ok(Self { entries, store })
    }

    /// The last entry with `tag` (dribble entries override the region).
    fn find(&self, tag: u32) -> Option<Entry> {
        self.entries.iter().rev().find(|e| e.tag == tag).copied()
    }

    fn required_string(&self, tag: u32, name: &str) -> Result<String, RpmError> {
        match self.find(tag) {
            Some(e) => self.first_string(e, name),
            None => Err(RpmError::BadHeader(format!("header has no {name} tag"))),
        }
    }

    fn optional_string(&self, tag: u32, name: &str) -> Result<String, RpmError> {
        match self.find(tag) {
            Some(e) => self.first_string(e, name),
            None => Ok(String::new()),
        }
    }

    fn first_string(&self, e: Entry, name: &str) -> Result<String, RpmError> {
        match e.ty {
            ty::STRING | ty::STRING_ARRAY | ty::I18NSTRING => {
                if e.count == 0 {
                    return Err(RpmError::BadHeader(format!("{name} has a count of 0")));
                }
                let (s, _) = self.cstr(e.offset, name)?;
                Ok(s)
            }
            other => Err(RpmError::BadHeader(format!(
                "{name} has data type {other}, expected a string type"
            ))),
        }
    }

    /// A NUL-terminated string at `offset`; returns it and the offset just
    /// past its NUL.
    fn cstr(&self, offset: usize, name: &str) -> Result<(String, usize), RpmError> {
        let rest = self.store.get(offset..).unwrap_or_default();
        let len = rest.iter().position(|b| *b == 0).ok_or_else(|| {
            RpmError::BadHeader(format!(
                "{name} string at offset {offset} has no terminating NUL"
            ))
        })?;
        let bytes = rest.get(..len).unwrap_or_default();
        Ok((
            String::from_utf8_lossy(bytes).into_owned(),
            offset + len + 1,
        ))
    }

    fn strings(&self, e: Entry, name: &str) -> Result<Vec<String>, RpmError> {
        if e.ty != ty::STRING_ARRAY {
            return Err(RpmError::BadHeader(format!(
                "{name} has data type {}, expected a string array",
                e.ty
            )));
        }
        // Every string takes at least one byte (its NUL).
        if e.count > self.store.len() - e.offset {
            return Err(RpmError::BadHeader(format!(
                "{name} claims {} strings, more than its data can hold",
                e.count
            )));
        }
        let mut out = Vec::with_capacity(e.count);
        let mut at = e.offset;
        for _ in 0..e.count {
            let (s, next) = self.cstr(at, name)?;
            out.push(s);
            at = next;
        }
        Ok(out)
    }

    /// An integer array of any width, widened to u64.
    fn ints(&self, e: Entry, name: &str) -> Result<Vec<u64>, RpmError> {
        let width = match e.ty {
            ty::INT8 => 1,
            ty::INT16 => 2,
            ty::INT32 => 4,
            ty::INT64 => 8,
            other => {
                return Err(RpmError::BadHeader(format!(
                    "{name} has data type {other}, expected an integer type"
                )));
            }
        };
        let bytes = e
            .count
            .checked_mul(width)
            .and_then(|n| self.store.get(e.offset..e.offset.checked_add(n)?))
            .ok_or_else(|| {
                RpmError::BadHeader(format!(
                    "{name} claims {} integers, more than its data can hold",
                    e.count
                ))
            })?;
        Ok(bytes
            .chunks_exact(width)
            .map(|c| c.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
            .collect())
    }

    fn files(&self, blob_len: usize) -> Result<Vec<String>, RpmError> {
        // Joining dirnames to basenames can multiply the blob's size (one
        // long dirname shared by many basenames); real headers stay far
        // below this bound, hostile ones are stopped by it.
        let budget = blob_len.saturating_mul(32).max(1 << 20);
        let Some(base) = self.find(tag::BASENAMES) else {
            return match self.find(tag::OLDFILENAMES) {
                Some(e) => self.strings(e, "OLDFILENAMES"),
                None => Ok(Vec::new()),
            };
        };
        let basenames = self.strings(base, "BASENAMES")?;
        let dirnames = match self.find(tag::DIRNAMES) {
            Some(e) => self.strings(e, "DIRNAMES")?,
            None => return Err(RpmError::BadHeader("BASENAMES without DIRNAMES".into())),
        };
        let indexes = match self.find(tag::DIRINDEXES) {
            Some(e) => self.ints(e, "DIRINDEXES")?,
            None => return Err(RpmError::BadHeader("BASENAMES without DIRINDEXES".into())),
        };
        if indexes.len() != basenames.len() {
            return Err(RpmError::BadHeader(format!(
                "{} BASENAMES but {} DIRINDEXES",
                basenames.len(),
                indexes.len()
            )));
        }
        let mut used = 0usize;
        let mut files = Vec::with_capacity(basenames.len());
        for (base, idx) in basenames.iter().zip(indexes) {
            let dir = usize::try_from(idx)
                .ok()
                .and_then(|i| dirnames.get(i))
                .ok_or_else(|| {
                    RpmError::BadHeader(format!(
                        "DIRINDEXES value {idx} is outside the {} DIRNAMES",
                        dirnames.len()
                    ))
                })?;
            used = used.saturating_add(dir.len() + base.len());
            if used > budget {
                return Err(RpmError::BadHeader(format!(
                    "file list expands past {budget} bytes from a {blob_len}-byte header"
                )));
            }
            files.push(format!("{dir}{base}"));
        }
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a header blob from (tag, type, count, data) entries.
    pub(crate) fn build(entries: &[(u32, u32, u32, Vec<u8>)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut store = Vec::new();
        for (tag, ty, count, data) in entries {
            // keep ints aligned like rpm does
            let align = match *ty {
                ty::INT16 => 2,
                ty::INT32 => 4,
                ty::INT64 => 8,
                _ => 1,
            };
            while store.len() % align != 0 {
                store.push(0);
            }
            index.extend_from_slice(&tag.to_be_bytes());
            index.extend_from_slice(&ty.to_be_bytes());
            index.extend_from_slice(&(store.len() as u32).to_be_bytes());
            index.extend_from_slice(&count.to_be_bytes());
            store.extend_from_slice(data);
        }
        let mut out = Vec::new();
        out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        out.extend_from_slice(&(store.len() as u32).to_be_bytes());
        out.extend_from_slice(&index);
        out.extend_from_slice(&store);
        out
    }

    fn s(v: &str) -> Vec<u8> {
        let mut b = v.as_bytes().to_vec();
        b.push(0);
        b
    }

    fn sa(v: &[&str]) -> Vec<u8> {
        v.iter().flat_map(|x| s(x)).collect()
    }

    fn i32s(v: &[u32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_be_bytes()).collect()
    }

    fn minimal() -> Vec<(u32, u32, u32, Vec<u8>)> {
        vec![
            (tag::NAME, ty::STRING, 1, s("bash")),
            (tag::VERSION, ty::STRING, 1, s("5.1.8")),
            (tag::RELEASE, ty::STRING, 1, s("9.el9")),
        ]
    }

    #[test]
    fn parses_minimal_header() {
        let h = parse_header(&build(&minimal())).unwrap();
        assert_eq!(h.name, "bash");
        assert_eq!(h.evr(), "5.1.8-9.el9");
        assert_eq!(h.epoch, None);
        assert!(h.files.is_empty());
        assert!(h.arch.is_empty());
    }

    #[test]
    fn parses_all_fields_and_file_list() {
        let mut e = minimal();
        e.extend([
            (tag::EPOCH, ty::INT32, 1, i32s(&[2])),
            (tag::ARCH, ty::STRING, 1, s("x86_64")),
            (tag::SOURCERPM, ty::STRING, 1, s("bash-5.1.8-9.el9.src.rpm")),
            (tag::LICENSE, ty::STRING, 1, s("GPLv3+")),
            (tag::VENDOR, ty::STRING, 1, s("Rocky")),
            (tag::SIZE, ty::INT32, 1, i32s(&[1234])),
            (tag::MODULARITYLABEL, ty::STRING, 1, s("perl:5.26:8:1")),
            (
                tag::BASENAMES,
                ty::STRING_ARRAY,
                3,
                sa(&["bash", "sh", "bashrc"]),
            ),
            (
                tag::DIRNAMES,
                ty::STRING_ARRAY,
                2,
                sa(&["/usr/bin/", "/etc/"]),
            ),
            (tag::DIRINDEXES, ty::INT32, 3, i32s(&[0, 0, 1])),
        ]);
        let h = parse_header(&build(&e)).unwrap();
        assert_eq!(h.evr(), "2:5.1.8-9.el9");
        assert_eq!(h.epoch_num(), 2);
        assert_eq!(h.arch, "x86_64");
        assert_eq!(h.license, "GPLv3+");
        assert_eq!(h.vendor, "Rocky");
        assert_eq!(h.size, Some(1234));
        assert_eq!(h.modularity_label, "perl:5.26:8:1");
        assert_eq!(h.source_nvr(), Some(("bash", "5.1.8", "9.el9")));
        assert_eq!(h.files, ["/usr/bin/bash", "/usr/bin/sh", "/etc/bashrc"]);
    }

    #[test]
    fn old_filenames_and_i18n_strings() {
        let mut e = minimal();
        e[0] = (tag::NAME, ty::I18NSTRING, 1, s("old"));
        e.push((tag::OLDFILENAMES, ty::STRING_ARRAY, 2, sa(&["/a", "/b/c"])));
        let h = parse_header(&build(&e)).unwrap();
        assert_eq!(h.name, "old");
        assert_eq!(h.files, ["/a", "/b/c"]);
    }

    #[test]
    fn later_duplicate_wins_and_region_is_skipped() {
        let mut e = vec![(tag::HEADER_IMMUTABLE, 7, 16, vec![0u8; 16])];
        e.extend(minimal());
        e.push((tag::RELEASE, ty::STRING, 1, s("10.el9")));
        let h = parse_header(&build(&e)).unwrap();
        assert_eq!(h.release, "10.el9");
    }

    #[test]
    fn longsize_preferred() {
        let mut e = minimal();
        e.push((tag::SIZE, ty::INT32, 1, i32s(&[1])));
        e.push((
            tag::LONGSIZE,
            ty::INT64,
            1,
            (5u64 << 32).to_be_bytes().to_vec(),
        ));
        assert_eq!(parse_header(&build(&e)).unwrap().size, Some(5u64 << 32));
    }

    #[test]
    fn source_nvr_rejects_odd_shapes() {
        let mut h = RpmHeader {
            source_rpm: "nodash.src.rpm".into(),
            ..Default::default()
        };
        assert_eq!(h.source_nvr(), None);
        h.source_rpm = "(none)".into();
        assert_eq!(h.source_nvr(), None);
        h.source_rpm = "a-b-1-2.nosrc.rpm".into();
        assert_eq!(h.source_nvr(), Some(("a-b", "1", "2")));
    }

    fn err(blob: &[u8]) -> String {
        parse_header(blob).unwrap_err().to_string()
    }

    #[test]
    fn hostile_counts_are_rejected() {
        // il = 2^31
        let mut b = build(&minimal());
        b[0..4].copy_from_slice(&0x8000_0000u32.to_be_bytes());
        assert!(err(&b).contains("index count"));
        // dl huge
        let mut b = build(&minimal());
        b[4..8].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(err(&b).contains("data store"));
        // string array count 2^31
        let mut e = minimal();
        e.push((
            tag::OLDFILENAMES,
            ty::STRING_ARRAY,
            0x8000_0000,
            sa(&["/a"]),
        ));
        assert!(err(&build(&e)).contains("OLDFILENAMES"));
        // int array count 2^31
        let mut e = minimal();
        e.push((tag::EPOCH, ty::INT32, 0x8000_0000, i32s(&[1])));
        assert!(err(&build(&e)).contains("EPOCH"));
        // negative offset
        let mut b = build(&minimal());
        b[8 + 8..8 + 12].copy_from_slice(&(-4i32).to_be_bytes());
        assert!(err(&b).contains("offset"));
    }

    #[test]
    fn wrong_types_and_missing_nul() {
        let mut e = minimal();
        e[0] = (tag::NAME, ty::INT32, 1, i32s(&[7]));
        assert!(err(&build(&e)).contains("NAME"));
        let mut e = minimal();
        e[2] = (tag::RELEASE, ty::STRING, 1, b"unterminated".to_vec());
        assert!(err(&build(&e)).contains("NUL"));
        assert!(err(&build(&minimal()[..2])).contains("RELEASE"));
    }

    #[test]
    fn inconsistent_file_lists() {
        let mut e = minimal();
        e.extend([
            (tag::BASENAMES, ty::STRING_ARRAY, 2, sa(&["a", "b"])),
            (tag::DIRNAMES, ty::STRING_ARRAY, 1, sa(&["/"])),
            (tag::DIRINDEXES, ty::INT32, 2, i32s(&[0, 5])),
        ]);
        assert!(err(&build(&e)).contains("DIRINDEXES value 5"));
        let mut e = minimal();
        e.extend([
            (tag::BASENAMES, ty::STRING_ARRAY, 2, sa(&["a", "b"])),
            (tag::DIRNAMES, ty::STRING_ARRAY, 1, sa(&["/"])),
            (tag::DIRINDEXES, ty::INT32, 1, i32s(&[0])),
        ]);
        assert!(err(&build(&e)).contains("2 BASENAMES but 1"));
    }

    #[test]
    fn file_list_expansion_is_bounded() {
        // One 64 KiB dirname shared by 40k one-byte basenames would expand
        // to 2.6 GB; the budget stops it.
        let n = 40_000u32;
        let dir = "d".repeat(65_536);
        let names: Vec<&str> = (0..n).map(|_| "x").collect();
        let mut e = minimal();
        e.extend([
            (tag::BASENAMES, ty::STRING_ARRAY, n, sa(&names)),
            (tag::DIRNAMES, ty::STRING_ARRAY, 1, sa(&[&dir])),
            (tag::DIRINDEXES, ty::INT32, n, i32s(&vec![0; n as usize])),
        ]);
        assert!(err(&build(&e)).contains("expands past"));
    }

    #[test]
    fn every_truncation_is_an_error() {
        let mut e = minimal();
        e.extend([
            (tag::EPOCH, ty::INT32, 1, i32s(&[2])),
            (tag::BASENAMES, ty::STRING_ARRAY, 1, sa(&["bash"])),
            (tag::DIRNAMES, ty::STRING_ARRAY, 1, sa(&["/usr/bin/"])),
            (tag::DIRINDEXES, ty::INT32, 1, i32s(&[0])),
        ]);
        let b = build(&e);
        for cut in 0..b.len() {
            assert!(parse_header(&b[..cut]).is_err(), "cut at {cut}");
        }
        assert!(parse_header(&b).is_ok());
    }
}

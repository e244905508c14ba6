use crate::Compression;
use crate::hash::{HashReader, LIMIT_MARKER};
use crate::path::{join, normalize, parent};
use crate::{
    Entry, EntryKind, LayerError, LayerIndex, Limits, Warnings, keep_entry, unkept_warning,
};
use std::io::{self, BufReader, Read};

/// Digests the layer must have; `None` skips that check.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// `sha256:` of the stored blob.
    pub digest: Option<String>,
    /// `sha256:` of the uncompressed tar.
    pub diff_id: Option<String>,
}

type Stored<R> = BufReader<io::Chain<io::Cursor<Vec<u8>>, HashReader<R>>>;

// One decoder per layer, so the size difference between variants is irrelevant.
#[allow(clippy::large_enum_variant)]
enum Decoder<R: Read> {
    Gzip(flate2::bufread::MultiGzDecoder<Stored<R>>),
    Zstd(zstd::stream::read::Decoder<'static, Stored<R>>),
    Plain(Stored<R>),
}

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Gzip(d) => d.read(buf),
            Decoder::Zstd(d) => d.read(buf),
            Decoder::Plain(d) => d.read(buf),
        }
    }
}

impl<R: Read> Decoder<R> {
    fn into_stored(self) -> Stored<R> {
        match self {
            Decoder::Gzip(d) => d.into_inner(),
            Decoder::Zstd(d) => d.finish(),
            Decoder::Plain(d) => d,
        }
    }
}

fn map_io(e: io::Error, what: &'static str, limits: &Limits) -> LayerError {
    if e.get_ref()
        .is_some_and(|inner| inner.to_string() == LIMIT_MARKER)
    {
        return LayerError::TooLarge {
            limit: limits.max_layer_bytes,
        };
    }
    match e.kind() {
        io::ErrorKind::UnexpectedEof => LayerError::Truncated(what),
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData | io::ErrorKind::Other => {
            LayerError::BadTar(format!("{what}: {e}"))
        }
        _ => LayerError::Io(e),
    }
}

/// Stream one layer blob.
///
/// `wants` is asked about every regular file (after normalisation); for the
/// ones it accepts, `on_file` gets the entry and a reader over its content
/// (it may read all, part or none of it). Hardlinks to wanted files are
/// reported as entries with `kind == Hardlink` and `link` set.
pub fn walk_layer<R: Read>(
    reader: R,
    expect: &Expect,
    limits: &Limits,
    wants: &dyn Fn(&Entry) -> bool,
    on_file: &mut dyn FnMut(&Entry, &mut dyn Read) -> io::Result<()>,
) -> Result<LayerIndex, LayerError> {
    let mut stored = HashReader::new(reader, u64::MAX);
    // Read the magic bytes with as many reads as it takes: a source may hand
    // over fewer than four bytes at first (network streams, pipes).
    let mut magic = Vec::with_capacity(4);
    while magic.len() < 4 {
        let mut b = [0u8; 4];
        let want = 4 - magic.len();
        match stored.read(&mut b[..want]) {
            Ok(0) => break,
            Ok(n) => magic.extend_from_slice(&b[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(LayerError::Io(e)),
        }
    }
    let compression = if magic.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    };
    if compression == Compression::None {
        stored.stop_hashing();
    }
    let buffered = BufReader::with_capacity(256 * 1024, io::Cursor::new(magic).chain(stored));
    let decoder = match compression {
        Compression::Gzip => Decoder::Gzip(flate2::bufread::MultiGzDecoder::new(buffered)),
        Compression::Zstd => Decoder::Zstd(
            zstd::stream::read::Decoder::with_buffer(buffered)
                .map_err(|e| LayerError::BadTar(format!("zstd: {e}")))?,
        ),
        Compression::None => Decoder::Plain(buffered),
    };
    let untarred = HashReader::new(decoder, limits.max_layer_bytes);
    let mut archive = tar::Archive::new(untarred);
    let mut index = LayerIndex {
        compression: Some(compression),
        ..Default::default()
    };
    let mut warnings = Warnings::default();
    let mut unkept: u64 = 0;
    {
        let entries = archive
            .entries()
            .map_err(|e| map_io(e, "tar header", limits))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| map_io(e, "tar entry", limits))?;
            let raw_path = match entry.path() {
                Ok(p) => p.to_string_lossy().into_owned(),
                Err(e) => {
                    warnings.push(
                        &mut index,
                        format!("skipped an entry with an unreadable name: {e}"),
                    );
                    continue;
                }
            };
            let Some(path) = normalize(&raw_path) else {
                warnings.push(
                    &mut index,
                    format!("skipped {raw_path:?}: its name climbs above the image root"),
                );
                continue;
            };
            if path.is_empty() {
                continue;
            }
            let name = path.rsplit('/').next().unwrap_or(&path);
            if let Some(rest) = name.strip_prefix(".wh.") {
                if !keep_entry(&index, limits, false) {
                    unkept += 1;
                    continue;
                }
                let dir = parent(&path).to_string();
                if rest == ".wh..opq" {
                    index.opaque_dirs.push(dir);
                } else if !rest.starts_with(".wh.") && !rest.is_empty() {
                    index.whiteouts.push(join(&dir, rest));
                }
                continue;
            }
            let header = entry.header();
            let et = header.entry_type();
            let kind = if et.is_file() || et == tar::EntryType::Continuous {
                EntryKind::File
            } else if et.is_dir() {
                EntryKind::Dir
            } else if et.is_symlink() {
                EntryKind::Symlink
            } else if et.is_hard_link() {
                EntryKind::Hardlink
            } else {
                EntryKind::Other
            };
            let link = match kind {
                EntryKind::Symlink => entry
                    .link_name()
                    .ok()
                    .flatten()
                    .map(|l| l.to_string_lossy().into_owned()),
                EntryKind::Hardlink => {
                    let target = entry
                        .link_name()
                        .ok()
                        .flatten()
                        .map(|l| l.to_string_lossy().into_owned());
                    match target.as_deref().and_then(normalize) {
                        Some(t) => Some(t),
                        None => {
                            warnings.push(
                                &mut index,
                                format!("skipped hardlink {path}: its target is outside the root"),
                            );
                            continue;
                        }
                    }
                }
                _ => None,
            };
            let meta = Entry {
                path,
                kind,
                mode: header.mode().unwrap_or(0o644),
                uid: header.uid().unwrap_or(0),
                gid: header.gid().unwrap_or(0),
                size: entry.size(),
                link,
            };
            let wanted = kind == EntryKind::File && wants(&meta);
            if wanted {
                on_file(&meta, &mut entry).map_err(|e| {
                    if e.get_ref()
                        .is_some_and(|inner| inner.to_string() == LIMIT_MARKER)
                    {
                        LayerError::TooLarge {
                            limit: limits.max_layer_bytes,
                        }
                    } else if e.kind() == io::ErrorKind::UnexpectedEof {
                        LayerError::Truncated("file content")
                    } else {
                        LayerError::Callback(format!("{}: {e}", meta.path))
                    }
                })?;
            }
            if keep_entry(&index, limits, wanted) {
                index.entries.push(meta);
            } else {
                unkept += 1;
            }
        }
    }
    // Read to the end so both digests cover every byte.
    let untarred = archive.into_inner();
    let (diff_id, tar_size, decoder) = untarred
        .finish()
        .map_err(|e| map_io(e, "tar data", limits))?;
    let mut stored = decoder.into_stored();
    io::copy(&mut stored, &mut io::sink()).map_err(|e| map_io(e, "blob", limits))?;
    let (_, hashed) = stored.into_inner().into_inner();
    let (mut digest, _, _) = hashed.finish().map_err(LayerError::Io)?;
    if compression == Compression::None {
        // The stored blob is the tar itself.
        digest = diff_id.clone();
    }
    check_hardlinks(&mut index, &mut warnings);
    if unkept > 0 {
        index.warnings.push(unkept_warning(limits, unkept));
    }
    warnings.finish(&mut index);
    index.diff_id = diff_id;
    index.tar_size = tar_size;
    index.digest = digest;
    if let Some(want) = &expect.digest
        && !want.eq_ignore_ascii_case(&index.digest)
    {
        return Err(LayerError::DigestMismatch {
            expected: want.clone(),
            actual: index.digest.clone(),
        });
    }
    if let Some(want) = &expect.diff_id
        && !want.eq_ignore_ascii_case(&index.diff_id)
    {
        return Err(LayerError::DiffIdMismatch {
            expected: want.clone(),
            actual: index.diff_id.clone(),
        });
    }
    Ok(index)
}

/// Warn about hardlinks whose target is not in the same layer.
fn check_hardlinks(index: &mut LayerIndex, sink: &mut Warnings) {
    let files: std::collections::HashSet<&str> = index
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::File)
        .map(|e| e.path.as_str())
        .collect();
    let mut warnings = Vec::new();
    for e in &index.entries {
        if e.kind == EntryKind::Hardlink
            && let Some(t) = &e.link
            && !files.contains(t.as_str())
        {
            warnings.push(format!(
                "hardlink {} points to {t}, which this layer does not contain",
                e.path
            ));
        }
    }
    for w in warnings {
        sink.push(index, w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Hands out one byte per read, like a slow network stream.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((b, rest)), Some(slot)) => {
                    *slot = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    fn tar_with(name: &str, data: &[u8]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, data).unwrap();
        b.into_inner().unwrap()
    }

    #[test]
    fn entries_past_the_cap_are_streamed_not_kept() {
        let mut b = tar::Builder::new(Vec::new());
        let mut add = |name: &str| {
            let mut h = tar::Header::new_gnu();
            h.set_size(1);
            h.set_mode(0o644);
            b.append_data(&mut h, name, &b"x"[..]).unwrap();
        };
        for i in 0..30 {
            add(&format!("junk/{i}"));
        }
        add("etc/os-release");
        for i in 0..(crate::MAX_WARNINGS + 20) {
            // names that climb out: one warning each, capped
            let mut h = tar::Header::new_old();
            h.set_size(0);
            h.set_entry_type(tar::EntryType::Regular);
            let name = format!("../x{i}");
            h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
            h.set_cksum();
            b.append(&h, io::empty()).unwrap();
        }
        let tar = b.into_inner().unwrap();
        let limits = Limits {
            max_entries: 10,
            ..Limits::default()
        };
        let mut seen = Vec::new();
        let idx = walk_layer(
            tar.as_slice(),
            &Expect::default(),
            &limits,
            &|e| e.path == "etc/os-release",
            &mut |e, _| {
                seen.push(e.path.clone());
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, ["etc/os-release"]);
        // the first ten, plus the wanted file past the cap
        assert_eq!(idx.entries.len(), 11);
        assert_eq!(idx.entries[10].path, "etc/os-release");
        assert_eq!(
            idx.warnings.len(),
            crate::MAX_WARNINGS + 2,
            "{:?}",
            idx.warnings
        );
        assert!(idx.warnings.iter().any(|w| w.contains("20 more warnings")));
        assert!(
            idx.warnings
                .iter()
                .any(|w| w.contains("more than 10 entries: the metadata of 20 more"))
        );
    }

    #[test]
    fn short_first_reads_still_detect_compression_and_digests() {
        let tar = tar_with("etc/alpine-release", b"3.10.2\n");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        let gz = gz.finish().unwrap();
        let mut seen = Vec::new();
        let mut on_file = |e: &Entry, r: &mut dyn Read| {
            let mut s = String::new();
            r.read_to_string(&mut s)?;
            seen.push((e.path.clone(), s));
            Ok(())
        };
        let idx = walk_layer(
            Trickle(&gz),
            &Expect::default(),
            &Limits::default(),
            &|_| true,
            &mut on_file,
        )
        .unwrap();
        assert_eq!(idx.compression, Some(Compression::Gzip));
        assert_eq!(
            seen,
            vec![("etc/alpine-release".to_string(), "3.10.2\n".to_string())]
        );
        let plain = walk_layer(
            Trickle(&tar),
            &Expect::default(),
            &Limits::default(),
            &|_| false,
            &mut |_, _| Ok(()),
        )
        .unwrap();
        assert_eq!(plain.compression, Some(Compression::None));
        assert_eq!(
            plain.digest, plain.diff_id,
            "a plain tar's digest is its diff_id"
        );
        assert_eq!(idx.diff_id, plain.diff_id);
    }
}

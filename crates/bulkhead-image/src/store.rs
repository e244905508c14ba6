//! Named members of an image archive or layout directory.

use crate::{BlobRef, ImageError, MAX_JSON_BYTES};
use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Most members an image archive may have (layers + JSON); far above any real image.
const MAX_MEMBERS: usize = 1_000_000;

pub(crate) enum Store {
    Dir(PathBuf),
    Tar {
        path: PathBuf,
        members: HashMap<String, (u64, u64)>,
    },
}

fn normalize(name: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for c in Path::new(name).components() {
        match c {
            Component::Normal(p) => parts.push(p.to_str()?),
            Component::CurDir | Component::RootDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

impl Store {
    pub(crate) fn open(path: &Path) -> Result<Store, ImageError> {
        let meta = std::fs::metadata(path).map_err(|source| ImageError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if meta.is_dir() {
            return Ok(Store::Dir(path.to_path_buf()));
        }
        let file = File::open(path).map_err(|source| ImageError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut archive = tar::Archive::new(file);
        let bad = |reason: String| ImageError::BadTar {
            path: path.to_path_buf(),
            reason,
        };
        let entries = archive
            .entries_with_seek()
            .map_err(|e| bad(e.to_string()))?;
        let mut members = HashMap::new();
        for entry in entries {
            let entry = entry.map_err(|e| bad(e.to_string()))?;
            if members.len() >= MAX_MEMBERS {
                return Err(bad(format!("more than {MAX_MEMBERS} members")));
            }
            let kind = entry.header().entry_type();
            if !(kind.is_file() || kind == tar::EntryType::Continuous) {
                continue;
            }
            let name = entry
                .path()
                .map_err(|e| bad(e.to_string()))?
                .to_string_lossy()
                .into_owned();
            let Some(name) = normalize(&name) else {
                continue;
            };
            let size = entry
                .header()
                .entry_size()
                .map_err(|e| bad(e.to_string()))?;
            members.insert(name, (entry.raw_file_position(), size));
        }
        if members.is_empty() {
            return Err(bad("it has no files (is it an image at all?)".into()));
        }
        // A member whose data runs past the end of the file is a truncated archive.
        let file_len = meta.len();
        for (name, (off, len)) in &members {
            if off.saturating_add(*len) > file_len {
                return Err(bad(format!(
                    "member {name} is cut short: the archive is truncated"
                )));
            }
        }
        Ok(Store::Tar {
            path: path.to_path_buf(),
            members,
        })
    }

    pub(crate) fn exists(&self, name: &str) -> bool {
        match self {
            Store::Dir(dir) => normalize(name).is_some_and(|n| dir.join(n).is_file()),
            Store::Tar { members, .. } => normalize(name).is_some_and(|n| members.contains_key(&n)),
        }
    }

    pub(crate) fn blob(&self, name: &str) -> Result<BlobRef, ImageError> {
        let missing = || ImageError::MissingBlob(name.to_string());
        let norm = normalize(name).ok_or_else(missing)?;
        match self {
            Store::Dir(dir) => {
                let path = dir.join(&norm);
                // Refuse symlinks that leave the layout directory.
                let canon = path.canonicalize().map_err(|_| missing())?;
                let root = dir.canonicalize().map_err(|source| ImageError::Io {
                    path: dir.clone(),
                    source,
                })?;
                if !canon.starts_with(&root) {
                    return Err(ImageError::Malformed(format!(
                        "{name} points outside the layout directory"
                    )));
                }
                let meta = std::fs::metadata(&canon).map_err(|_| missing())?;
                if !meta.is_file() {
                    return Err(missing());
                }
                Ok(BlobRef::File {
                    path: canon,
                    offset: 0,
                    len: meta.len(),
                })
            }
            Store::Tar { path, members } => {
                let (offset, len) = members.get(&norm).ok_or_else(missing)?;
                Ok(BlobRef::File {
                    path: path.clone(),
                    offset: *offset,
                    len: *len,
                })
            }
        }
    }

    /// Read a small member whole (JSON documents), refusing large ones.
    pub(crate) fn read_small(&self, name: &str) -> Result<Vec<u8>, ImageError> {
        let blob = self.blob(name)?;
        if blob.len() > MAX_JSON_BYTES {
            return Err(ImageError::TooLarge {
                name: name.to_string(),
                limit: MAX_JSON_BYTES,
            });
        }
        let mut buf = Vec::with_capacity(usize::try_from(blob.len()).unwrap_or(0));
        let io_err = |source| ImageError::Io {
            path: PathBuf::from(name),
            source,
        };
        blob.open()
            .map_err(io_err)?
            .read_to_end(&mut buf)
            .map_err(io_err)?;
        Ok(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn normalizes_member_names() {
        assert_eq!(
            normalize("./manifest.json").as_deref(),
            Some("manifest.json")
        );
        assert_eq!(
            normalize("/blobs/sha256/ab").as_deref(),
            Some("blobs/sha256/ab")
        );
        assert_eq!(normalize("a/../b").as_deref(), Some("b"));
        assert_eq!(normalize("../x"), None);
    }
}

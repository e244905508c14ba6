use crate::{Entry, EntryKind, LayerError, LayerIndex, Limits};
use std::io::{self, Read};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Walk a root filesystem or project directory as if it were one layer.
///
/// Symlinks are recorded, never followed; only regular files are opened.
/// Unreadable entries become warnings.
pub fn walk_dir(
    root: &Path,
    limits: &Limits,
    wants: &dyn Fn(&Entry) -> bool,
    on_file: &mut dyn FnMut(&Entry, &mut dyn Read) -> io::Result<()>,
) -> Result<LayerIndex, LayerError> {
    let mut index = LayerIndex::default();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name();
    for item in walker {
        let item = match item {
            Ok(i) => i,
            Err(e) => {
                index.warnings.push(format!("skipped: {e}"));
                continue;
            }
        };
        let Ok(rel) = item.path().strip_prefix(root) else {
            continue;
        };
        let path = rel.to_string_lossy().into_owned();
        if path.is_empty() {
            continue;
        }
        if index.entries.len() >= limits.max_entries {
            return Err(LayerError::TooManyEntries {
                limit: limits.max_entries,
            });
        }
        let meta = match item.path().symlink_metadata() {
            Ok(m) => m,
            Err(e) => {
                index.warnings.push(format!("skipped {path}: {e}"));
                continue;
            }
        };
        let ft = meta.file_type();
        let kind = if ft.is_file() {
            EntryKind::File
        } else if ft.is_dir() {
            EntryKind::Dir
        } else if ft.is_symlink() {
            EntryKind::Symlink
        } else {
            EntryKind::Other
        };
        let link = if kind == EntryKind::Symlink {
            std::fs::read_link(item.path())
                .ok()
                .map(|l| l.to_string_lossy().into_owned())
        } else {
            None
        };
        let entry = Entry {
            path,
            kind,
            mode: meta.mode() & 0o7777,
            uid: u64::from(meta.uid()),
            gid: u64::from(meta.gid()),
            size: meta.len(),
            link,
        };
        if kind == EntryKind::File && wants(&entry) {
            match std::fs::File::open(item.path()) {
                Ok(f) => {
                    let mut r = io::BufReader::new(f);
                    on_file(&entry, &mut r)
                        .map_err(|e| LayerError::Callback(format!("{}: {e}", entry.path)))?;
                }
                Err(e) => index
                    .warnings
                    .push(format!("cannot read {}: {e}", entry.path)),
            }
        }
        index.tar_size += entry.size;
        index.entries.push(entry);
    }
    Ok(index)
}

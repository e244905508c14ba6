use crate::{
    Entry, EntryKind, LayerError, LayerIndex, Limits, Warnings, keep_entry, unkept_warning,
};
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
    let mut warnings = Warnings::default();
    let mut unkept: u64 = 0;
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name();
    for item in walker {
        let item = match item {
            Ok(i) => i,
            Err(e) => {
                warnings.push(&mut index, format!("skipped: {e}"));
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
        let meta = match item.path().symlink_metadata() {
            Ok(m) => m,
            Err(e) => {
                warnings.push(&mut index, format!("skipped {path}: {e}"));
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
        let wanted = kind == EntryKind::File && wants(&entry);
        if wanted {
            match std::fs::File::open(item.path()) {
                Ok(f) => {
                    let mut r = io::BufReader::new(f);
                    on_file(&entry, &mut r)
                        .map_err(|e| LayerError::Callback(format!("{}: {e}", entry.path)))?;
                }
                Err(e) => warnings.push(&mut index, format!("cannot read {}: {e}", entry.path)),
            }
        }
        index.tar_size += entry.size;
        if keep_entry(&index, limits, wanted) {
            index.entries.push(entry);
        } else {
            unkept += 1;
        }
    }
    if unkept > 0 {
        index.warnings.push(unkept_warning(limits, unkept));
    }
    warnings.finish(&mut index);
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_obeys_the_same_entry_cap_as_a_layer() {
        let d = tempfile::tempdir().unwrap();
        for i in 0..20 {
            std::fs::write(d.path().join(format!("f{i:02}")), b"x").unwrap();
        }
        std::fs::write(d.path().join("package-lock.json"), b"{}").unwrap();
        let limits = Limits {
            max_entries: 5,
            ..Limits::default()
        };
        let mut seen = Vec::new();
        let idx = walk_dir(
            d.path(),
            &limits,
            &|e| e.path == "package-lock.json",
            &mut |e, _| {
                seen.push(e.path.clone());
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, ["package-lock.json"]);
        assert_eq!(idx.entries.len(), 6);
        assert!(
            idx.warnings
                .iter()
                .any(|w| w.contains("more than 5 entries: the metadata of 15 more")),
            "{:?}",
            idx.warnings
        );
    }
}

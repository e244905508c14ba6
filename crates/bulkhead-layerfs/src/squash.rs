use crate::path::normalize;
use crate::{Entry, EntryKind, LayerIndex};
use std::collections::BTreeMap;

/// A path in the final view and the layer that put it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileNode {
    /// Index of the layer (0-based, diff_ids order).
    pub layer: usize,
    pub entry: Entry,
}

/// A regular file that a later layer deleted or replaced: it still ships in
/// the earlier layer's blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedFile {
    pub path: String,
    /// Layer that added this version of the file.
    pub added_in: usize,
    /// Layer that deleted or replaced it.
    pub removed_in: usize,
    /// True when replaced by a new version, false when deleted.
    pub replaced: bool,
}

/// The squashed filesystem view.
#[derive(Debug, Clone, Default)]
pub struct Squashed {
    pub files: BTreeMap<String, FileNode>,
    pub removed: Vec<RemovedFile>,
}

/// Most symlinks followed while resolving one path (Linux uses 40).
const MAX_SYMLINK_HOPS: usize = 40;

impl Squashed {
    fn remove_tree(&mut self, path: &str, layer: usize, include_self: bool) {
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{path}/")
        };
        let doomed: Vec<String> = self
            .files
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .chain(
                include_self
                    .then(|| path.to_string())
                    .filter(|p| self.files.contains_key(p)),
            )
            .collect();
        for key in doomed {
            if let Some(node) = self.files.remove(&key)
                && node.entry.kind == EntryKind::File
                && node.layer < layer
            {
                self.removed.push(RemovedFile {
                    path: key,
                    added_in: node.layer,
                    removed_in: layer,
                    replaced: false,
                });
            }
        }
    }

    /// Resolve `path` in the final view, following symlinks (also in parent
    /// directories) strictly inside the root: absolute targets start at the
    /// image root and `..` never climbs above it. Returns the final path of a
    /// non-symlink entry, or `None` for dangling links and loops.
    pub fn resolve(&self, path: &str) -> Option<String> {
        let mut pending: Vec<String> = normalize(path)?
            .split('/')
            .rev()
            .map(str::to_string)
            .collect();
        let mut resolved: Vec<String> = Vec::new();
        let mut hops = 0;
        while let Some(comp) = pending.pop() {
            match comp.as_str() {
                "" | "." => continue,
                ".." => {
                    resolved.pop();
                    continue;
                }
                _ => {}
            }
            resolved.push(comp);
            let current = resolved.join("/");
            let node = self.files.get(&current);
            if let Some(node) = node
                && node.entry.kind == EntryKind::Symlink
            {
                hops += 1;
                if hops > MAX_SYMLINK_HOPS {
                    return None;
                }
                let target = node.entry.link.clone().unwrap_or_default();
                resolved.pop();
                if target.starts_with('/') {
                    resolved.clear();
                }
                for part in target.split('/').rev() {
                    pending.push(part.to_string());
                }
            }
        }
        let result = resolved.join("/");
        self.files.contains_key(&result).then_some(result)
    }

    /// The node for `path` after resolving symlinks.
    pub fn lookup(&self, path: &str) -> Option<&FileNode> {
        self.resolve(path).and_then(|p| self.files.get(&p))
    }
}

/// Apply layer indexes in order: each layer's whiteouts and opaque
/// directories remove what lower layers put there, then its entries are
/// added (replacing lower versions).
pub fn squash(layers: &[&LayerIndex]) -> Squashed {
    let mut fs = Squashed::default();
    for (i, layer) in layers.iter().enumerate() {
        for dir in &layer.opaque_dirs {
            fs.remove_tree(dir, i, false);
        }
        for path in &layer.whiteouts {
            fs.remove_tree(path, i, true);
        }
        for entry in &layer.entries {
            if let Some(old) = fs.files.get(&entry.path) {
                let old_is_dir = old.entry.kind == EntryKind::Dir;
                if old.entry.kind == EntryKind::File && old.layer < i {
                    fs.removed.push(RemovedFile {
                        path: entry.path.clone(),
                        added_in: old.layer,
                        removed_in: i,
                        replaced: true,
                    });
                }
                // A directory replaced by a non-directory hides its children.
                if old_is_dir && entry.kind != EntryKind::Dir {
                    fs.remove_tree(&entry.path, i, false);
                }
            }
            fs.files.insert(
                entry.path.clone(),
                FileNode {
                    layer: i,
                    entry: entry.clone(),
                },
            );
        }
    }
    fs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(path: &str, kind: EntryKind, link: Option<&str>) -> Entry {
        Entry {
            path: path.into(),
            kind,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: 1,
            link: link.map(str::to_string),
        }
    }

    #[test]
    fn whiteouts_opaque_and_replacement() {
        let l0 = LayerIndex {
            entries: vec![
                e("etc", EntryKind::Dir, None),
                e("etc/a", EntryKind::File, None),
                e("etc/b", EntryKind::File, None),
                e("opt/x/1", EntryKind::File, None),
                e("opt/x/2", EntryKind::File, None),
            ],
            ..Default::default()
        };
        let l1 = LayerIndex {
            entries: vec![
                e("etc/b", EntryKind::File, None),
                e("opt/x/3", EntryKind::File, None),
            ],
            whiteouts: vec!["etc/a".into()],
            opaque_dirs: vec!["opt/x".into()],
            ..Default::default()
        };
        let fs = squash(&[&l0, &l1]);
        assert!(!fs.files.contains_key("etc/a"));
        assert_eq!(fs.files["etc/b"].layer, 1);
        assert!(!fs.files.contains_key("opt/x/1"));
        assert!(fs.files.contains_key("opt/x/3"));
        let mut removed: Vec<_> = fs
            .removed
            .iter()
            .map(|r| (r.path.as_str(), r.replaced))
            .collect();
        removed.sort();
        assert_eq!(
            removed,
            vec![
                ("etc/a", false),
                ("etc/b", true),
                ("opt/x/1", false),
                ("opt/x/2", false)
            ]
        );
    }

    #[test]
    fn symlinks_resolve_inside_root_and_loops_stop() {
        let l0 = LayerIndex {
            entries: vec![
                e("usr/lib/os-release", EntryKind::File, None),
                e(
                    "etc/os-release",
                    EntryKind::Symlink,
                    Some("../usr/lib/os-release"),
                ),
                e("etc/abs", EntryKind::Symlink, Some("/usr/lib/os-release")),
                e(
                    "etc/escape",
                    EntryKind::Symlink,
                    Some("../../../../usr/lib/os-release"),
                ),
                e("loop1", EntryKind::Symlink, Some("loop2")),
                e("loop2", EntryKind::Symlink, Some("loop1")),
                e("lib", EntryKind::Symlink, Some("usr/lib")),
            ],
            ..Default::default()
        };
        let fs = squash(&[&l0]);
        assert_eq!(
            fs.resolve("etc/os-release").as_deref(),
            Some("usr/lib/os-release")
        );
        assert_eq!(
            fs.resolve("/etc/abs").as_deref(),
            Some("usr/lib/os-release")
        );
        // `..` clamps at the root, like a chroot.
        assert_eq!(
            fs.resolve("etc/escape").as_deref(),
            Some("usr/lib/os-release")
        );
        assert_eq!(fs.resolve("loop1"), None);
        assert_eq!(
            fs.resolve("lib/os-release").as_deref(),
            Some("usr/lib/os-release")
        );
        assert_eq!(fs.resolve("nope"), None);
    }
}

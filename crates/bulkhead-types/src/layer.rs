//! The model of image layers and of what was found in them: entries of a
//! layer ([`LayerIndex`]), what an analyzer read from one file
//! ([`FileAnalysis`]), one layer's analysis ([`LayerAnalysis`], what the
//! layer cache stores) and the hook of the streaming pass
//! ([`ContentScanner`], which the secret scanner implements). Plain data
//! and one trait: the readers live in `bulkhead-layerfs`,
//! `bulkhead-analyzers` and `bulkhead-scan`, which re-export these names.

use crate::{Ecosystem, Package, Secret};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Compression of a layer blob, detected by magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Compression {
    Gzip,
    Zstd,
    None,
}

/// The kind of a tar entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EntryKind {
    File,
    Dir,
    Symlink,
    Hardlink,
    Other,
}

/// Metadata of one entry in a layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Normalised path relative to the root, no leading `/`.
    pub path: String,
    pub kind: EntryKind,
    /// Permission bits including setuid/setgid/sticky.
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    /// Symlink target as written, or hardlink target (normalised path).
    pub link: Option<String>,
}

/// What one pass over a layer found.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LayerIndex {
    /// Entries in tar order (whiteout markers excluded).
    pub entries: Vec<Entry>,
    /// Paths removed by `.wh.NAME` markers.
    pub whiteouts: Vec<String>,
    /// Directories made opaque by `.wh..wh..opq`.
    pub opaque_dirs: Vec<String>,
    /// Things skipped or tolerated (unsafe names, dangling hardlinks).
    pub warnings: Vec<String>,
    /// Uncompressed size of the tar.
    pub tar_size: u64,
    /// `sha256:` of the uncompressed tar.
    pub diff_id: String,
    /// `sha256:` of the stored blob.
    pub digest: String,
    /// Detected compression.
    pub compression: Option<Compression>,
}

/// Facts about the OS read from one release file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct OsFacts {
    pub family: String,
    pub version: String,
    pub codename: String,
    pub pretty_name: String,
    pub id_like: Vec<String>,
}

/// What an analyzer found in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileAnalysis {
    /// A release file (`/etc/os-release`, `/etc/alpine-release`, …).
    Os { source: String, facts: OsFacts },
    /// A package database or manifest.
    Packages {
        /// Result type as reported (`debian`, `alpine`, `rpm`, `python-pkg`, …).
        kind: String,
        ecosystem: Ecosystem,
        packages: Vec<Package>,
    },
    /// Installed-file list of one package (`/var/lib/dpkg/info/NAME.list`).
    FileList { package: String, files: Vec<String> },
    /// The users of `/etc/passwd`.
    Users { entries: Vec<crate::PasswdEntry> },
}

/// What the analyzers found in one layer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LayerAnalysis {
    /// Every entry, whiteout and opaque dir of the layer.
    pub index: LayerIndex,
    /// Analyzer results by path.
    pub files: BTreeMap<String, Vec<FileAnalysis>>,
    /// Analyzer complaints (malformed databases, …).
    pub warnings: Vec<String>,
    /// Findings of the content scanner by path (already redacted: never a
    /// raw secret, so this may be cached). Empty without a content scanner.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub secrets: BTreeMap<String, Vec<Secret>>,
}

/// A scanner that reads file content during the streaming pass (the secret
/// scanner). It must be cheap to call from several threads at once.
///
/// For each regular file: [`wants`](Self::wants) decides from the entry
/// alone (path, size); then, when the file is not already captured for an
/// analyzer, the first [`sniff_len`](Self::sniff_len) bytes are read and
/// [`accepts`](Self::accepts) may refuse them (binary content), so binaries
/// are never read whole; finally [`scan`](Self::scan) gets the content.
pub trait ContentScanner: Send + Sync {
    /// Whether to look at this file at all.
    fn wants(&self, entry: &Entry) -> bool;
    /// How many leading bytes [`accepts`](Self::accepts) needs.
    fn sniff_len(&self) -> usize {
        0
    }
    /// Whether to read the rest after seeing the head (e.g. not binary).
    fn accepts(&self, _head: &[u8]) -> bool {
        true
    }
    /// Scan the whole content; findings must be redacted.
    fn scan(&self, entry: &Entry, content: &[u8]) -> Vec<Secret>;
    /// A key naming everything that changes this scanner's findings (rule
    /// set version, configuration). The layer cache stores per-layer
    /// findings under it; `None` (the default) means "do not cache layers
    /// scanned with me".
    fn cache_key(&self) -> Option<String> {
        None
    }
}

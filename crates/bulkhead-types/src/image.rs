//! Plain facts about an image's filesystem that checks read: its users and
//! its files' modes. Built by `bulkhead-analyzers` / `bulkhead-scan`, read by
//! `bulkhead-lint` and `bulkhead-harden`, so neither needs the other.

use serde::{Deserialize, Serialize};

/// One line of `/etc/passwd`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswdEntry {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: String,
    pub shell: String,
}

/// A file or directory of an image's final filesystem, as the image-config
/// checks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFile {
    /// Path without the leading `/`.
    pub path: String,
    /// Permission bits (with setuid/setgid/sticky).
    pub mode: u32,
    pub dir: bool,
    /// Layer index (0-based, `rootfs.diff_ids` order) that put it there.
    pub layer: usize,
}

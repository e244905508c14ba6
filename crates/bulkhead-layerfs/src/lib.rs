//! Reading image layers and squashing them into one filesystem view.
//!
//! [`walk_layer`] streams one layer blob once: it detects the compression by
//! magic bytes (gzip, zstd, or a plain tar), hashes the stored bytes and the
//! uncompressed tar as they pass (so the blob digest and the `diff_id` are
//! verified without a second read), records every entry's metadata and the
//! OCI whiteouts, and hands the content of the files a caller asks for to a
//! callback. Nothing is extracted to disk: content is either read by the
//! callback as it streams or captured (in memory up to a cap, otherwise in a
//! private temp file, see [`capture`]).
//!
//! [`squash`] applies the layer indexes in order (whiteouts, opaque dirs,
//! replacements) and gives the final view with the origin layer of every
//! path, plus the files that later layers deleted or replaced: they still
//! ship in the image.
//!
//! **Invariant**: paths are always relative to the image root, normalised,
//! and never contain `..`; symlinks are resolved only inside the root.

mod capture;
mod dir;
mod hash;
mod path;
mod squash;
mod walk;

pub use bulkhead_types::layer::Compression;
pub use bulkhead_types::layer::{Entry, EntryKind, LayerIndex};
pub use capture::{Captured, CapturedData, capture};
pub use dir::walk_dir;
pub use path::normalize;
pub use squash::{FileNode, RemovedFile, Squashed, squash};
pub use walk::{Expect, walk_layer};

/// Limits that keep hostile layers from exhausting memory or time.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Most uncompressed bytes one layer may expand to.
    pub max_layer_bytes: u64,
    /// Most entries of one layer (or folder) whose metadata is kept in its
    /// [`LayerIndex`]. The walk goes on past it: later entries are still
    /// streamed, digested and handed to `on_file` when wanted, but only
    /// wanted files are still recorded (up to twice this number in all),
    /// and one warning says how many were left out. The time a layer takes
    /// is bounded by `max_layer_bytes` (every entry costs at least 512
    /// bytes of tar).
    pub max_entries: usize,
    /// Files larger than this are captured in a temp file instead of memory.
    pub max_in_memory: u64,
    /// Largest file that is captured at all.
    pub max_capture: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_layer_bytes: 64 * 1024 * 1024 * 1024,
            max_entries: 500_000,
            max_in_memory: 16 * 1024 * 1024,
            max_capture: 4 * 1024 * 1024 * 1024,
        }
    }
}

/// Most warnings one walk records (a layer of a million `..` names would
/// otherwise hold a million warnings); one last line counts the rest.
pub const MAX_WARNINGS: usize = 100;

/// Records warnings up to [`MAX_WARNINGS`] and counts the rest.
#[derive(Default)]
pub(crate) struct Warnings {
    more: usize,
}

impl Warnings {
    pub(crate) fn push(&mut self, index: &mut LayerIndex, w: String) {
        if index.warnings.len() < MAX_WARNINGS {
            index.warnings.push(w);
        } else {
            self.more += 1;
        }
    }

    pub(crate) fn finish(self, index: &mut LayerIndex) {
        if self.more > 0 {
            index
                .warnings
                .push(format!("… and {} more warnings like these", self.more));
        }
    }
}

/// Whether an entry is recorded in the index: always below
/// `Limits::max_entries`, and wanted files up to twice that.
pub(crate) fn keep_entry(index: &LayerIndex, limits: &Limits, wanted: bool) -> bool {
    let kept = index.entries.len() + index.whiteouts.len() + index.opaque_dirs.len();
    kept < limits.max_entries || (wanted && kept < limits.max_entries.saturating_mul(2))
}

/// The warning for entries whose metadata was not kept.
pub(crate) fn unkept_warning(limits: &Limits, unkept: u64) -> String {
    format!(
        "more than {} entries: the metadata of {unkept} more is not kept (file permission checks and symlink resolution see the first {}; the files analyzers read are still read)",
        limits.max_entries, limits.max_entries
    )
}

/// Errors reading a layer.
#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    #[error("cannot read the layer: {0}")]
    Io(#[from] std::io::Error),
    #[error("the layer is not a valid tar archive: {0}")]
    BadTar(String),
    #[error(
        "the layer is cut short (truncated {0}): the file is incomplete, save or copy the image again"
    )]
    Truncated(&'static str),
    #[error(
        "the layer expands to more than {limit} bytes uncompressed: refusing (a decompression bomb?); raise the limit with --max-layer-size if the image is genuine"
    )]
    TooLarge { limit: u64 },
    /// Not returned since `Limits::max_entries` became a cap on what is
    /// kept (a warning); kept for callers that match on it.
    #[error("the layer has more than {limit} entries: refusing")]
    TooManyEntries { limit: usize },
    #[error(
        "layer digest mismatch: expected {expected}, got {actual} (the blob is corrupt or was tampered with)"
    )]
    DigestMismatch { expected: String, actual: String },
    #[error(
        "layer diff_id mismatch: the config says {expected}, the uncompressed tar is {actual} (the blob is corrupt or was tampered with)"
    )]
    DiffIdMismatch { expected: String, actual: String },
    #[error("{0}")]
    Callback(String),
}

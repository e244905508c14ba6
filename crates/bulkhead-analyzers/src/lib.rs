//! Analyzers: small modules that each read one kind of file found in an
//! image layer or root filesystem and turn it into facts (the OS, installed
//! packages).
//!
//! Every analyzer implements [`Analyzer`]: it says which paths it needs
//! ([`Analyzer::required`], asked during the streaming walk, so only those
//! files are read) and turns one file's bytes into a [`FileAnalysis`]
//! ([`Analyzer::analyze`]). Analyzers see one file at a time, never the
//! filesystem, so their results can be cached per layer.
//!
//! **Adding an analyzer** = one new module plus one line in [`all`].

pub mod os;
pub mod purl;

use bulkhead_types::{Ecosystem, Package};
use serde::{Deserialize, Serialize};

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
}

/// Errors from analyzing a file; the pipeline turns them into warnings.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    #[error("{path}: {reason}")]
    Malformed { path: String, reason: String },
}

impl AnalyzeError {
    pub(crate) fn malformed(path: &str, reason: impl Into<String>) -> Self {
        AnalyzeError::Malformed {
            path: path.to_string(),
            reason: reason.into(),
        }
    }
}

/// One analyzer.
pub trait Analyzer: Send + Sync {
    /// Stable name, e.g. `os/dpkg`.
    fn name(&self) -> &'static str;
    /// Bumped whenever output changes, so cached layer results are redone.
    fn version(&self) -> u32;
    /// Whether the file at `path` (root-relative, no leading `/`) of `size`
    /// bytes is one this analyzer reads.
    fn required(&self, path: &str, size: u64) -> bool;
    /// Analyze one file's content.
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError>;
}

/// Every analyzer, in a fixed order. Add new analyzers here.
pub fn all() -> Vec<Box<dyn Analyzer>> {
    vec![
        Box::new(os::release::ReleaseAnalyzer),
        Box::new(os::dpkg::DpkgAnalyzer),
        Box::new(os::apk::ApkAnalyzer),
        Box::new(os::rpm::RpmAnalyzer),
    ]
}

/// Combined version of a set of analyzers (for cache keys).
pub fn versions_key(analyzers: &[Box<dyn Analyzer>]) -> String {
    analyzers
        .iter()
        .map(|a| format!("{}@{}", a.name(), a.version()))
        .collect::<Vec<_>>()
        .join(",")
}

/// Turn bytes into text, tolerating invalid UTF-8 (package databases from
/// images are untrusted and sometimes carry Latin-1).
pub(crate) fn text(content: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(content)
}

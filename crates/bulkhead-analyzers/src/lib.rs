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

pub mod lang;
pub mod os;
pub mod passwd;
pub mod purl;

pub use bulkhead_types::layer::{FileAnalysis, OsFacts};

/// Most packages kept from one database or manifest (a full Debian or RHEL
/// install has a few thousand, the largest npm lockfiles tens of
/// thousands). Parsers of big inputs stop after `MAX_PACKAGES + 1`, so that
/// the pipeline (`bulkhead-scan`) can tell a capped result from a complete
/// one: it keeps the first `MAX_PACKAGES` and warns.
pub const MAX_PACKAGES: usize = 100_000;

/// The error for a file over an analyzer's size cap. Analyzers with a cap
/// match their files whatever the size and set
/// [`Analyzer::read_limit`] to one byte past it, so the pipeline reads no
/// more and the file is a warning rather than silently skipped.
pub(crate) fn too_large(path: &str, cap: u64) -> AnalyzeError {
    AnalyzeError::malformed(
        path,
        format!(
            "larger than {} MiB: not read (real ones are far smaller; a hostile or broken file?)",
            cap >> 20
        ),
    )
}

/// A stanza file (dpkg status, apk installed) that filled the read limit
/// was cut by the pipeline: keep its whole stanzas only (up to the last
/// blank line; all of it when it has none).
pub(crate) fn whole_stanzas(content: &[u8], limit: u64) -> &[u8] {
    if (content.len() as u64) < limit {
        return content;
    }
    match memchr::memmem::rfind(content, b"\n\n") {
        Some(at) => content.get(..at + 2).unwrap_or(content),
        None => content,
    }
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

/// A seekable reader (a file, or bytes in memory).
pub trait ReadSeek: std::io::Read + std::io::Seek {}
impl<T: std::io::Read + std::io::Seek + ?Sized> ReadSeek for T {}

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
    /// [`required`](Self::required) with the file's permission bits, for
    /// analyzers that pick files by mode (executables). Defaults to
    /// `required(path, size)`.
    fn required_file(&self, path: &str, size: u64, mode: u32) -> bool {
        let _ = mode;
        self.required(path, size)
    }
    /// How many leading bytes [`accepts`](Self::accepts) needs to decide
    /// (0: no sniffing). The pipeline reads that head before capturing the
    /// file, so files with the wrong magic are never read whole.
    fn sniff_len(&self) -> usize {
        0
    }
    /// Whether a file whose first [`sniff_len`](Self::sniff_len) bytes are
    /// `head` is one this analyzer reads (e.g. ELF magic).
    fn accepts(&self, head: &[u8]) -> bool {
        let _ = head;
        true
    }
    /// Most bytes of a file this analyzer needs; the pipeline reads no more
    /// (e.g. only the header block of a huge METADATA) and warns when it cut.
    fn read_limit(&self) -> u64 {
        u64::MAX
    }
    /// True for analyzers that read only parts of a large file (archives):
    /// the pipeline then calls [`analyze_reader`](Self::analyze_reader)
    /// over the captured file instead of loading it into memory.
    fn seekable(&self) -> bool {
        false
    }
    /// Analyze one file through a seekable reader (see
    /// [`seekable`](Self::seekable)). Defaults to reading it whole and
    /// calling [`analyze`](Self::analyze).
    fn analyze_reader(
        &self,
        path: &str,
        reader: &mut dyn ReadSeek,
    ) -> Result<Option<FileAnalysis>, AnalyzeError> {
        let mut content = Vec::new();
        reader
            .read_to_end(&mut content)
            .map_err(|e| AnalyzeError::malformed(path, format!("cannot read: {e}")))?;
        self.analyze(path, &content)
    }
    /// True for project lockfiles that only filesystem/project scans read
    /// (Trivy reads them for `fs`/`repo`, not for images).
    fn fs_only(&self) -> bool {
        false
    }
}

/// Every analyzer, in a fixed order. Add new analyzers here.
pub fn all() -> Vec<Box<dyn Analyzer>> {
    vec![
        Box::new(os::release::ReleaseAnalyzer),
        Box::new(os::dpkg::DpkgAnalyzer),
        Box::new(os::apk::ApkAnalyzer),
        Box::new(os::rpm::RpmAnalyzer),
        Box::new(passwd::PasswdAnalyzer),
        Box::new(lang::python::PythonPkgAnalyzer),
        Box::new(lang::python::PythonLockAnalyzer),
        Box::new(lang::node::NodePkgAnalyzer),
        Box::new(lang::node::NodeLockAnalyzer),
        Box::new(lang::rust::CargoLockAnalyzer),
        Box::new(lang::rust::AuditableAnalyzer),
        Box::new(lang::golang::GoBinaryAnalyzer),
        Box::new(lang::golang::GoModAnalyzer),
        Box::new(lang::java::JarAnalyzer),
        Box::new(lang::ruby::GemspecAnalyzer),
        Box::new(lang::ruby::GemfileLockAnalyzer),
        Box::new(lang::php::ComposerInstalledAnalyzer),
        Box::new(lang::php::ComposerLockAnalyzer),
        Box::new(lang::dotnet::DotnetAnalyzer),
    ]
}

/// The analyzers for container images: [`all`] without the project
/// lockfiles that only `fs` scans read ([`Analyzer::fs_only`]).
pub fn for_image() -> Vec<Box<dyn Analyzer>> {
    all().into_iter().filter(|a| !a.fs_only()).collect()
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

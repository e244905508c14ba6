//! The scan engine: a [`ScanRequest`] in, a [`ScanOutput`] out, with no clap,
//! no terminal and no global state.
//!
//! [`scan`] reads the target (an image file or OCI layout, a root filesystem
//! directory, or an image by name from the Docker daemon and then its
//! registry, through the layer cache), runs the chosen scanners (vulnerable
//! packages against the offline OSV database, secrets, image-config checks)
//! and returns the unfiltered report (every package kept in
//! `Results[].Packages`). Filters, formats and exit codes belong to the
//! caller (`bulkhead-report`).
//!
//! # Blocking and async callers
//!
//! [`scan`] is a plain blocking function: it reads files, talks to the Docker
//! daemon and registries with blocking clients and may update the database.
//! It keeps no global state and [`ScanRequest`] is `Send + Sync + 'static`,
//! so an async server runs it on a blocking thread:
//!
//! ```no_run
//! use bulkhead_engine::{NoProgress, ScanRequest, Target};
//!
//! let req = ScanRequest::new(Target::File("image.tar".into()), "/tmp/bulkhead".into());
//! // In a tokio server: `tokio::task::spawn_blocking(move || ...).await`.
//! let out = std::thread::spawn(move || bulkhead_engine::scan(&req, &NoProgress))
//!     .join()
//!     .map_err(|_| bulkhead_engine::Error::Internal("scan thread panicked".into()))??;
//! println!("{} result(s)", out.report.results.len());
//! # Ok::<(), bulkhead_engine::Error>(())
//! ```
//!
//! Or [`scan_async`], which does exactly that on tokio's blocking pool.
//!
//! Progress is reported through [`Progress`]; [`NoProgress`] ignores it.
//! [`diff::diff`] compares two images the same way; [`harden`] proposes
//! hardened settings for a container, a Compose service or an image;
//! [`check::check`] runs one workload (an image and how it runs) through
//! the whole stack.
//!
//! # Errors
//!
//! Every public function returns the engine's [`Error`], whose variant says
//! what happened ([`Error::Input`], [`Error::NotFound`],
//! [`Error::Unreachable`], [`Error::Auth`], [`Error::Database`],
//! [`Error::Limit`], [`Error::Cancelled`], [`Error::Internal`]) and whose
//! message is the whole context chain, saying what to do.

pub mod advise;
pub mod audit;
pub mod check;
pub mod config;
pub mod db;
pub mod diff;
mod error;
pub mod harden;
mod report;
pub mod sbom;
pub mod settings;
mod source;
mod target;
pub mod trust;
pub mod vex;

pub use bulkhead_match::Matcher;
pub use error::{Error, ErrorKind, Result};
pub use report::{match_packages, match_packages_with, scan, scan_with};
pub use target::{Scanned, package_results, read_target};

pub use bulkhead_image::registry::RegistryOptions;
pub use bulkhead_layerfs::Limits;
pub use bulkhead_scan::Inventory;
pub use bulkhead_secrets::SecretsConfig;
pub use bulkhead_types::{OsInfo, Report};

use error::{Context, bail};
use std::path::PathBuf;
use std::time::Duration;

/// What to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An image file or folder: a `docker save` tarball, an OCI layout
    /// directory or an OCI layout tarball.
    File(PathBuf),
    /// A root filesystem or project folder.
    Dir(PathBuf),
    /// An image by name, looked up in [`ScanRequest::sources`] in order.
    Name(String),
}

/// The scanners to run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scanners {
    /// Known vulnerabilities of the packages (needs the database).
    pub vuln: bool,
    /// Secrets in file contents, the image config and history.
    pub secret: bool,
    /// Image-config checks (User, Healthcheck, Env, history, file modes).
    pub misconfig: bool,
}

impl Scanners {
    /// Parse scanner names: `vuln`, `secret`, `misconfig` (or `config`);
    /// empty names are ignored.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Scanners> {
        let mut s = Scanners::default();
        for name in names {
            match name.as_ref().trim().to_ascii_lowercase().as_str() {
                "vuln" => s.vuln = true,
                "secret" => s.secret = true,
                // `config` is the issue's (and older Trivy's) name for it.
                "misconfig" | "config" => s.misconfig = true,
                "" => {}
                other => bail!("unknown scanner {other:?}: choose from vuln, secret, misconfig"),
            }
        }
        Ok(s)
    }
}

/// The advisory database and when to update it.
#[derive(Debug, Clone)]
pub struct DbPolicy {
    /// The database file.
    pub path: PathBuf,
    /// Never touch the network (no update, whatever the age).
    pub offline: bool,
    /// Do not update before scanning.
    pub skip_update: bool,
    /// Mirror used when the scan updates a missing or stale database (URL or
    /// folder; None: the public OSV bucket).
    pub mirror: Option<String>,
    /// Update first when the database is older than this.
    pub max_age: Duration,
    /// Warn when the database is at least this many days old.
    pub warn_age_days: u64,
}

impl Default for DbPolicy {
    fn default() -> Self {
        DbPolicy {
            path: PathBuf::from(bulkhead_osv::DB_FILE),
            offline: false,
            skip_update: false,
            mirror: None,
            max_age: Duration::from_secs(24 * 3600),
            warn_age_days: 7,
        }
    }
}

/// One scan, as plain data.
#[derive(Debug, Clone)]
pub struct ScanRequest {
    pub target: Target,
    /// Platform to pick from a multi-platform index (None: this machine's).
    pub platform: Option<bulkhead_image::Platform>,
    pub scanners: Scanners,
    /// Per-layer bounds (uncompressed bytes, entries, captured file sizes).
    pub limits: Limits,
    /// Cache folder: the layer cache lives in `<cache_dir>/layers`.
    pub cache_dir: PathBuf,
    /// Read and write the layer cache.
    pub layer_cache: bool,
    pub db: DbPolicy,
    /// Match OS packages as this distribution instead of the detected one.
    pub distro: Option<OsInfo>,
    /// Where to look for an image by name, in order: `docker` (the local
    /// daemon) and `remote` (its registry).
    pub sources: Vec<String>,
    /// Registry client settings (insecure, timeouts, credentials file).
    pub registry: RegistryOptions,
    /// `[secrets]` settings for [`scan`] (built-in rules by default).
    pub secrets: SecretsConfig,
    /// A layer store shared with other scanners (a fleet's database), used
    /// instead of the layer cache for images read as blobs or streams.
    pub shared_layers: Option<std::sync::Arc<dyn SharedLayers>>,
}

/// Per-layer analyses shared beyond this machine's layer cache, such as a
/// database every worker of a fleet reads and fills: gives the
/// [`bulkhead_scan::LayerStore`] of one scan, keyed by its analyzer
/// versions ([`analyzers_key`]) and options (limits, the content scanner's
/// key). The pipeline calls the store from the scan's blocking threads.
pub trait SharedLayers: Send + Sync + std::fmt::Debug {
    /// The store of one scan.
    fn store(
        &self,
        versions_key: &str,
        options_key: &str,
    ) -> Box<dyn bulkhead_scan::LayerStore + '_>;
}

/// The analyzer versions key of image scans: what a stored inventory or
/// layer analysis was made with (it changes when an analyzer's output does).
pub fn analyzers_key() -> String {
    bulkhead_analyzers::versions_key(&bulkhead_analyzers::for_image())
}

impl ScanRequest {
    /// A request with the CLI's defaults: `vuln,secret` scanners, 64 GiB
    /// per layer, the layer cache on, `docker,remote` sources.
    pub fn new(target: Target, cache_dir: PathBuf) -> ScanRequest {
        let db = DbPolicy {
            path: cache_dir.join("db").join(bulkhead_osv::DB_FILE),
            ..DbPolicy::default()
        };
        ScanRequest {
            target,
            platform: None,
            scanners: Scanners {
                vuln: true,
                secret: true,
                misconfig: false,
            },
            limits: Limits::default(),
            cache_dir,
            layer_cache: true,
            db,
            distro: None,
            sources: vec!["docker".to_string(), "remote".to_string()],
            registry: RegistryOptions::default(),
            secrets: SecretsConfig::default(),
            shared_layers: None,
        }
    }
}

/// The result of [`scan`].
#[derive(Debug)]
pub struct ScanOutput {
    /// What was found in the target (final filesystem view, OS, packages).
    pub inventory: Inventory,
    /// The unfiltered report (warnings included).
    pub report: Report,
    /// Warnings about the scan (also in `report.warnings`), de-duplicated.
    pub warnings: Vec<String>,
}

/// Progress of a scan. Every method has a no-op default; calls come from the
/// scanning threads (hence `Sync`).
pub trait Progress: Sync {
    /// A task begins: `total` bytes when known (a bar), None for a spinner.
    /// `msg` may name the input: clean it before showing it on a terminal.
    fn start(&self, _msg: &str, _total: Option<u64>) {}
    /// Bytes done so far in the current task.
    fn position(&self, _done: u64) {}
    /// An event of a database update (the current task is the update).
    fn db_update(&self, _event: &bulkhead_osv::Progress<'_>) {}
    /// The current task is over.
    fn finish(&self) {}
    /// An image's layers were read: `reused` of `total` came from the layer
    /// cache (a server's `/metrics` shows the ratio).
    fn layer_cache(&self, _reused: usize, _total: usize) {}
}

/// [`scan`] for async callers (a tokio server): the scan runs on tokio's
/// blocking pool, so the caller's reactor never waits on file, daemon,
/// registry or database I/O. Needs a tokio runtime.
pub async fn scan_async(
    req: ScanRequest,
    progress: std::sync::Arc<dyn Progress + Send>,
) -> Result<ScanOutput> {
    tokio::task::spawn_blocking(move || scan(&req, progress.as_ref()))
        .await
        .map_err(|e| {
            if e.is_cancelled() {
                Error::Cancelled(format!("the scan task was cancelled: {e}"))
            } else {
                Error::Internal(format!("the scan task failed: {e}"))
            }
        })?
}

/// A [`Progress`] that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// Parse a size with an optional K, M, G or T suffix (e.g. `64G`).
pub fn parse_size(s: &str) -> Result<u64> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let mult: u64 = match c.to_ascii_uppercase() {
                'K' => 1 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                _ => bail!("bad size {s:?}: use a number with an optional K, M, G or T suffix"),
            };
            (&s[..i], mult)
        }
        _ => (s, 1),
    };
    let n: u64 = num
        .trim()
        .parse()
        .with_context(|| format!("bad size {s:?}: use e.g. 512M or 8G"))?;
    n.checked_mul(mult)
        .with_context(|| format!("size {s:?} is too large"))
}

/// Parse a duration: seconds, or a number with `s`, `m` or `h`.
pub fn parse_duration(s: &str) -> Result<Duration> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num
        .parse()
        .with_context(|| format!("bad duration {s:?}: use e.g. 90s, 10m or 1h"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        _ => bail!("bad duration {s:?}: use e.g. 90s, 10m or 1h"),
    };
    if secs == 0 {
        bail!("the timeout must be more than zero");
    }
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn request_crosses_threads() {
        assert_send_sync::<ScanRequest>();
        assert_send_sync::<ScanOutput>();
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("5d").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(
            parse_size("64G").unwrap(),
            Limits::default().max_layer_bytes
        );
        assert_eq!(parse_size("512").unwrap(), 512);
        assert!(parse_size("1X").is_err());
    }

    #[test]
    fn scanners() {
        let s = Scanners::parse(&["vuln", " Config", ""]).unwrap();
        assert!(s.vuln && s.misconfig && !s.secret);
        assert!(Scanners::parse(&["nope"]).is_err());
    }
}

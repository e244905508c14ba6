//! The one seam between the HTTP side and whatever runs the scans.
//!
//! [`Backend`] is what the handlers call: accept a scan, say where a report
//! stands, describe the scanner, count jobs. [`crate::local::LocalBackend`]
//! implements it in memory for one machine; a shared backend (a job queue
//! and results in a database, scans on workers) implements the same six
//! methods. The trait is object-safe (methods return boxed futures), so the
//! server holds an `Arc<dyn Backend>` and never knows which one it has.
//!
//! Rules for an implementation:
//! - **Never block the caller's reactor.** Every method is awaited on the
//!   HTTP server's runtime: scans run on worker threads (`spawn_blocking`) or
//!   in other processes, database calls are async or on the blocking pool.
//!   `report` in particular is polled by Harbor for every pending scan and
//!   must answer while scans run.
//! - **Keep credentials secret.** [`ScanSubmission::authorization`] is an
//!   [`Authorization`]: its `Debug` and `Display` print `<redacted>` and its
//!   memory is wiped on drop. Store it only as long as the scan needs it,
//!   never in a log, a metric, an error message or a stored result.
//! - **Ids are opaque.** [`ScanId`] is whatever the backend chooses (unique
//!   enough not to collide); `report` gets the id exactly as Harbor sends
//!   it back, which may be anything: unknown ids are [`ReportState::Unknown`].
//! - **Errors say what to do.** [`BackendError`] messages reach Harbor's job
//!   log; they name the artifact, never the credential.

use bulkhead_report::harbor::{Artifact, SbomMediaType};
use bulkhead_types::Report;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroizing;

/// A boxed, sendable future: what [`Backend`]'s methods return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The value of the `Authorization` header Harbor gives for its registry
/// (`Basic base64(user:password)` of a robot account, or `Bearer token`).
/// Redacted in `Debug` and `Display`; zeroed when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Authorization(Zeroizing<String>);

impl Authorization {
    /// Wrap a header value.
    pub fn new(value: String) -> Authorization {
        Authorization(Zeroizing::new(value))
    }

    /// The header value itself: hand it to the registry client only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Authorization(<redacted>)")
    }
}

impl fmt::Display for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Which reports a scan request asked for (`enabled_capabilities`; all of
/// them when Harbor sends none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// The vulnerability reports (both Harbor media types and the raw report).
    pub vulnerability: bool,
    /// The SBOM report.
    pub sbom: bool,
    /// SBOM formats asked for (empty: any).
    pub sbom_media_types: Vec<SbomMediaType>,
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities {
            vulnerability: true,
            sbom: true,
            sbom_media_types: Vec::new(),
        }
    }
}

/// One accepted scan request, validated.
#[derive(Debug, Clone)]
pub struct ScanSubmission {
    /// The registry's base URL as Harbor gave it (`https://core.harbor.domain`).
    pub registry_url: String,
    /// `host[:port]` of that URL.
    pub registry_host: String,
    /// Whether the URL is plain `http://` (then the registry client may use
    /// plain HTTP for that host).
    pub plain_http: bool,
    /// The registry credential, if Harbor passed one.
    pub authorization: Option<Authorization>,
    pub repository: String,
    /// `sha256:<hex>`.
    pub digest: String,
    /// May be empty.
    pub tag: String,
    /// The artifact's manifest media type (may be empty).
    pub mime_type: String,
    pub capabilities: Capabilities,
}

impl ScanSubmission {
    /// The image reference to pull: `host/repository@digest`.
    pub fn reference(&self) -> String {
        format!("{}/{}@{}", self.registry_host, self.repository, self.digest)
    }

    /// The artifact as the reports name it.
    pub fn artifact(&self) -> Artifact {
        Artifact {
            repository: self.repository.clone(),
            digest: self.digest.clone(),
            tag: self.tag.clone(),
            mime_type: self.mime_type.clone(),
        }
    }
}

/// A scan's identifier, as returned to Harbor.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScanId(pub String);

impl fmt::Display for ScanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A finished scan, ready to render in any report media type.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The unfiltered report, packages included (the SBOM documents are
    /// rendered from its packages).
    pub report: Report,
    /// The artifact Harbor named.
    pub artifact: Artifact,
    /// What the request enabled.
    pub capabilities: Capabilities,
    /// When the scan finished, RFC 3339.
    pub generated_at: String,
    /// When the advisory database used was built, RFC 3339 (None: unknown,
    /// or no vulnerability scan).
    pub db_built_at: Option<String>,
}

/// Where a scan stands.
#[derive(Debug, Clone)]
pub enum ReportState {
    /// Queued or running: ask again after `retry_after`.
    Pending { retry_after: Duration },
    /// Done.
    Ready(Arc<Stored>),
    /// The scan failed; the message says why (no credential in it).
    Failed(String),
    /// No such scan (never accepted, or forgotten).
    Unknown,
}

/// What the metadata endpoint says about the backend.
#[derive(Debug, Clone, Default)]
pub struct BackendInfo {
    /// When the advisory database was built, RFC 3339.
    pub db_built_at: Option<String>,
    /// When it was last checked for updates, RFC 3339.
    pub db_checked_at: Option<String>,
    /// More `properties` for the metadata (`bulkhead/…` keys).
    pub properties: Vec<(String, String)>,
}

/// A histogram as Prometheus exposes it: upper bounds and the count of
/// observations in each bucket (not cumulative; one more count than bounds,
/// the last for `+Inf`), their sum.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    pub bounds: Vec<f64>,
    pub counts: Vec<u64>,
    pub sum: f64,
}

impl Histogram {
    /// Scan durations, in seconds: from half a second to ten minutes.
    pub const SCAN_SECONDS: &'static [f64] =
        &[0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0];

    /// An empty histogram over `bounds` (ascending).
    pub fn new(bounds: &[f64]) -> Histogram {
        Histogram {
            bounds: bounds.to_vec(),
            counts: vec![0; bounds.len() + 1],
            sum: 0.0,
        }
    }

    /// Count one observation.
    pub fn observe(&mut self, value: f64) {
        let i = self
            .bounds
            .iter()
            .position(|b| value <= *b)
            .unwrap_or(self.bounds.len());
        if let Some(c) = self.counts.get_mut(i) {
            *c += 1;
        }
        self.sum += value;
    }

    /// Observations in all.
    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// What `/metrics` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    /// Jobs waiting for a worker.
    pub queue_depth: u64,
    /// Jobs by state (`queued`, `running`, `done`, `failed`, …).
    pub jobs: Vec<(String, u64)>,
    /// Duration of finished scans.
    pub scan_seconds: Histogram,
    /// Layers whose analysis was reused (layer cache or shared store) over
    /// all layers read; None before the first image scan.
    pub layer_reuse_ratio: Option<f64>,
}

/// Why a backend call failed.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The backend accepts no more work now (queue full, shutting down):
    /// try again later.
    #[error("{0}")]
    Busy(String),
    /// The request cannot be served as given (a value the backend
    /// refuses): the client's fault, answered 422.
    #[error("{0}")]
    Invalid(String),
    /// Something the backend needs is broken (database, store): not the
    /// request's fault.
    #[error("{0}")]
    Internal(String),
}

/// Runs scans and keeps their results (see the module documentation for
/// the rules an implementation keeps).
pub trait Backend: Send + Sync + 'static {
    /// Accept a scan; returns at once with its id (the scan runs later).
    fn submit(&self, scan: ScanSubmission) -> BoxFuture<'_, Result<ScanId, BackendError>>;

    /// Where the scan `id` stands. `id` is untrusted text from the URL.
    fn report<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<ReportState, BackendError>>;

    /// The advisory database's dates and other metadata properties.
    fn metadata(&self) -> BoxFuture<'_, Result<BackendInfo, BackendError>>;

    /// Queue and job counters for `/metrics`.
    fn metrics(&self) -> BoxFuture<'_, Result<Metrics, BackendError>>;

    /// Whether the backend can take work (`/probe/ready`).
    fn ready(&self) -> BoxFuture<'_, bool>;

    /// The server is stopping: accept nothing more, let running scans
    /// finish within `grace` (or hand claimed work back to the queue), then
    /// return.
    fn shutdown(&self, grace: Duration) -> BoxFuture<'_, ()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_never_prints() {
        let a = Authorization::new("Basic c2VjcmV0OnZhbHVl".into());
        assert_eq!(format!("{a}"), "<redacted>");
        assert!(!format!("{a:?}").contains("c2Vj"));
        let s = ScanSubmission {
            registry_url: "http://127.0.0.1:5000".into(),
            registry_host: "127.0.0.1:5000".into(),
            plain_http: true,
            authorization: Some(a.clone()),
            repository: "library/app".into(),
            digest: format!("sha256:{}", "a".repeat(64)),
            tag: String::new(),
            mime_type: String::new(),
            capabilities: Capabilities::default(),
        };
        assert!(!format!("{s:?}").contains("c2Vj"));
        assert_eq!(a.expose(), "Basic c2VjcmV0OnZhbHVl");
        assert_eq!(
            s.reference(),
            format!("127.0.0.1:5000/library/app@sha256:{}", "a".repeat(64))
        );
    }

    #[test]
    fn histogram_buckets() {
        let mut h = Histogram::new(&[1.0, 5.0]);
        h.observe(0.2);
        h.observe(1.0);
        h.observe(3.0);
        h.observe(100.0);
        assert_eq!(h.counts, vec![2, 1, 1]);
        assert_eq!(h.count(), 4);
        assert!((h.sum - 104.2).abs() < 1e-9);
    }

    fn assert_object_safe(_: &dyn Backend) {}

    #[test]
    fn the_trait_is_object_safe() {
        let _ = assert_object_safe;
    }
}

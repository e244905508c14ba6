//! [`LocalBackend`]: the in-process backend of `bulkhead server` on one
//! machine. Jobs wait in memory; at most `concurrency` scans run at once,
//! each through `bulkhead_engine::scan` on tokio's blocking pool, so the
//! HTTP reactor keeps answering while they run. Results stay in memory (the
//! newest `keep_results`) and are lost when the process stops.
//!
//! Each scan pulls `registry/repository@digest` from the registry Harbor
//! named, with the credential Harbor passed and nothing else: the server's
//! own Docker login is never used for a request (anyone who may call the
//! API would otherwise read images only the server may pull).

use crate::backend::{
    Backend, BackendError, BackendInfo, BoxFuture, Histogram, Metrics, ReportState, ScanId,
    ScanSubmission, Stored,
};
use crate::request::basic_credential;
use bulkhead_engine::{Progress, ScanRequest, Target};
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Settings of a [`LocalBackend`].
#[derive(Debug, Clone)]
pub struct LocalConfig {
    /// Engine settings every scan starts from (cache folder, database
    /// policy, limits, layer cache); target, sources, scanners and
    /// credentials are set per job.
    pub template: ScanRequest,
    /// Scans running at once (at least 1).
    pub concurrency: usize,
    /// Jobs queued or running at most; more are refused (503) until some
    /// finish.
    pub max_pending: usize,
    /// Finished results kept (oldest forgotten first: Harbor then gets 404
    /// and submits again).
    pub keep_results: usize,
    /// What pending answers tell Harbor to wait.
    pub retry_after: Duration,
}

impl LocalConfig {
    /// Defaults around an engine request template.
    pub fn new(template: ScanRequest) -> LocalConfig {
        LocalConfig {
            template,
            concurrency: 2,
            max_pending: 1000,
            keep_results: 10_000,
            retry_after: Duration::from_secs(5),
        }
    }
}

enum Job {
    Queued,
    Running,
    Done(Arc<Stored>),
    Failed(String),
}

struct State {
    jobs: HashMap<String, Job>,
    /// Finished job ids, oldest first.
    finished: VecDeque<String>,
    pending: usize,
    scan_seconds: Histogram,
    layers_reused: u64,
    layers_total: u64,
}

struct Inner {
    cfg: LocalConfig,
    state: Mutex<State>,
    permits: Arc<Semaphore>,
    closing: AtomicBool,
}

/// The in-memory backend (see the module documentation).
#[derive(Clone)]
pub struct LocalBackend {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for LocalBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalBackend")
            .field("concurrency", &self.inner.cfg.concurrency)
            .finish_non_exhaustive()
    }
}

/// Counts the layer-cache outcome of one scan.
#[derive(Default)]
struct LayerCount {
    reused: AtomicUsize,
    total: AtomicUsize,
}

impl Progress for LayerCount {
    fn layer_cache(&self, reused: usize, total: usize) {
        self.reused.fetch_add(reused, Ordering::Relaxed);
        self.total.fetch_add(total, Ordering::Relaxed);
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}

/// Longest failure message kept (an engine error chain can be long).
const MAX_MESSAGE: usize = 2000;

/// Test hook: with `BULKHEAD_TEST_SCAN_GATE=FILE`, a scan waits on its
/// worker thread until FILE exists (at most two minutes), so a test can
/// hold scans running while it polls the API.
fn test_gate() {
    if let Some(path) = std::env::var_os("BULKHEAD_TEST_SCAN_GATE") {
        let path = PathBuf::from(path);
        let until = Instant::now() + Duration::from_secs(120);
        while !path.exists() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn db_built_at(path: &std::path::Path) -> Option<String> {
    bulkhead_osv::Database::open(path)
        .and_then(|db| db.info())
        .ok()
        .and_then(|i| i.built_at)
}

impl LocalBackend {
    /// A backend; scans start when jobs are submitted from a tokio runtime.
    pub fn new(cfg: LocalConfig) -> LocalBackend {
        let mut cfg = cfg;
        cfg.concurrency = cfg.concurrency.max(1);
        cfg.max_pending = cfg.max_pending.max(1);
        LocalBackend {
            inner: Arc::new(Inner {
                permits: Arc::new(Semaphore::new(cfg.concurrency)),
                cfg,
                state: Mutex::new(State {
                    jobs: HashMap::new(),
                    finished: VecDeque::new(),
                    pending: 0,
                    scan_seconds: Histogram::new(Histogram::SCAN_SECONDS),
                    layers_reused: 0,
                    layers_total: 0,
                }),
                closing: AtomicBool::new(false),
            }),
        }
    }

    fn request_for(cfg: &LocalConfig, scan: &ScanSubmission) -> ScanRequest {
        let mut req = cfg.template.clone();
        req.target = Target::Name(scan.reference());
        req.sources = vec!["remote".to_string()];
        req.scanners.vuln = scan.capabilities.vulnerability;
        req.scanners.secret = false;
        req.scanners.misconfig = false;
        req.registry.insecure |= scan.plain_http;
        req.registry.docker_config = None;
        req.registry.credential = scan.authorization.as_ref().and_then(basic_credential);
        req
    }
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set(&self, id: &str, job: Job) {
        let mut st = self.state();
        let finished = matches!(job, Job::Done(_) | Job::Failed(_));
        if finished {
            st.pending = st.pending.saturating_sub(1);
            st.finished.push_back(id.to_string());
        }
        st.jobs.insert(id.to_string(), job);
        while st.finished.len() > self.cfg.keep_results {
            if let Some(old) = st.finished.pop_front() {
                st.jobs.remove(&old);
            }
        }
    }

    /// One job, from queue to result.
    async fn run(self: Arc<Self>, id: String, scan: ScanSubmission) {
        let permit = self.permits.clone().acquire_owned().await;
        let Ok(permit) = permit else {
            self.set(
                &id,
                Job::Failed("the server stopped before this scan started: submit it again".into()),
            );
            return;
        };
        if self.closing.load(Ordering::SeqCst) {
            self.set(
                &id,
                Job::Failed("the server stopped before this scan started: submit it again".into()),
            );
            return;
        }
        self.set(&id, Job::Running);
        let req = LocalBackend::request_for(&self.cfg, &scan);
        let artifact = scan.artifact();
        let capabilities = scan.capabilities.clone();
        drop(scan);
        tracing::info!(scan = %id, image = %artifact.repository, digest = %artifact.digest, "scan started");
        let started = Instant::now();
        let joined = tokio::task::spawn_blocking(move || {
            test_gate();
            let count = LayerCount::default();
            let out = bulkhead_engine::scan(&req, &count);
            let built = if req.scanners.vuln {
                db_built_at(&req.db.path)
            } else {
                None
            };
            (
                out,
                count.reused.load(Ordering::Relaxed),
                count.total.load(Ordering::Relaxed),
                built,
            )
        })
        .await;
        drop(permit);
        let seconds = started.elapsed().as_secs_f64();
        let job = match joined {
            Ok((Ok(out), reused, total, db_built_at)) => {
                let mut st = self.state();
                st.scan_seconds.observe(seconds);
                st.layers_reused += reused as u64;
                st.layers_total += total as u64;
                drop(st);
                tracing::info!(scan = %id, seconds, "scan finished");
                // The no-op filter pass of `bulkhead image -f json` (it adds
                // the summary counts), so the raw report is the same document.
                let mut report = out.report;
                bulkhead_report::filter::apply(
                    &mut report,
                    &bulkhead_report::filter::Filter::default(),
                );
                Job::Done(Arc::new(Stored {
                    report,
                    artifact,
                    capabilities,
                    generated_at: now_rfc3339(),
                    db_built_at,
                }))
            }
            Ok((Err(e), ..)) => {
                let msg: String = format!("{e:#}").chars().take(MAX_MESSAGE).collect();
                self.state().scan_seconds.observe(seconds);
                tracing::warn!(scan = %id, "scan failed: {msg}");
                Job::Failed(msg)
            }
            Err(e) => {
                tracing::error!(scan = %id, "scan task failed: {e}");
                Job::Failed(
                    "internal error: the scan stopped unexpectedly (please report this)".into(),
                )
            }
        };
        self.set(&id, job);
    }
}

impl Backend for LocalBackend {
    fn submit(&self, scan: ScanSubmission) -> BoxFuture<'_, Result<ScanId, BackendError>> {
        Box::pin(async move {
            if self.inner.closing.load(Ordering::SeqCst) {
                return Err(BackendError::Busy(
                    "the server is shutting down: submit the scan to another instance or later"
                        .into(),
                ));
            }
            let id = uuid::Uuid::new_v4().to_string();
            {
                let mut st = self.inner.state();
                if st.pending >= self.inner.cfg.max_pending {
                    return Err(BackendError::Busy(format!(
                        "{} scans are already queued or running: try again later",
                        st.pending
                    )));
                }
                st.pending += 1;
                st.jobs.insert(id.clone(), Job::Queued);
            }
            tracing::debug!(scan = %id, image = %scan.repository, "scan queued");
            tokio::spawn(self.inner.clone().run(id.clone(), scan));
            Ok(ScanId(id))
        })
    }

    fn report<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<ReportState, BackendError>> {
        Box::pin(async move {
            let st = self.inner.state();
            Ok(match st.jobs.get(id) {
                None => ReportState::Unknown,
                Some(Job::Queued | Job::Running) => ReportState::Pending {
                    retry_after: self.inner.cfg.retry_after,
                },
                Some(Job::Done(s)) => ReportState::Ready(s.clone()),
                Some(Job::Failed(m)) => ReportState::Failed(m.clone()),
            })
        })
    }

    fn metadata(&self) -> BoxFuture<'_, Result<BackendInfo, BackendError>> {
        Box::pin(async move {
            let path = self.inner.cfg.template.db.path.clone();
            let info = tokio::task::spawn_blocking(move || {
                bulkhead_osv::Database::open(&path).and_then(|db| db.info())
            })
            .await
            .map_err(|e| BackendError::Internal(format!("cannot read the database info: {e}")))?;
            let mut out = BackendInfo::default();
            match info {
                Ok(i) => {
                    out.db_built_at = i.built_at;
                    out.db_checked_at = i.checked_at;
                }
                // A missing database is not an error here: the first scan
                // fetches it (unless offline, where scans say so).
                Err(e) => tracing::debug!("no database info: {e}"),
            }
            out.properties.push((
                "bulkhead/concurrency".into(),
                self.inner.cfg.concurrency.to_string(),
            ));
            Ok(out)
        })
    }

    fn metrics(&self) -> BoxFuture<'_, Result<Metrics, BackendError>> {
        Box::pin(async move {
            let st = self.inner.state();
            let (mut queued, mut running, mut done, mut failed) = (0u64, 0u64, 0u64, 0u64);
            for j in st.jobs.values() {
                match j {
                    Job::Queued => queued += 1,
                    Job::Running => running += 1,
                    Job::Done(_) => done += 1,
                    Job::Failed(_) => failed += 1,
                }
            }
            let ratio =
                (st.layers_total > 0).then(|| st.layers_reused as f64 / st.layers_total as f64);
            Ok(Metrics {
                queue_depth: queued,
                jobs: vec![
                    ("queued".into(), queued),
                    ("running".into(), running),
                    ("done".into(), done),
                    ("failed".into(), failed),
                ],
                scan_seconds: st.scan_seconds.clone(),
                layer_reuse_ratio: ratio,
            })
        })
    }

    fn ready(&self) -> BoxFuture<'_, bool> {
        Box::pin(async move { !self.inner.closing.load(Ordering::SeqCst) })
    }

    fn shutdown(&self, grace: Duration) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            self.inner.closing.store(true, Ordering::SeqCst);
            // Queued jobs never start; running scans may finish.
            self.inner.permits.close();
            let until = Instant::now() + grace;
            loop {
                let running = self
                    .inner
                    .state()
                    .jobs
                    .values()
                    .filter(|j| matches!(j, Job::Running))
                    .count();
                if running == 0 {
                    tracing::info!("no scan running: the backend stopped");
                    return;
                }
                if Instant::now() >= until {
                    tracing::warn!(
                        "{running} scan(s) still running after the shutdown grace period: they are abandoned"
                    );
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{Authorization, Capabilities};

    fn submission(repo: &str) -> ScanSubmission {
        ScanSubmission {
            registry_url: "http://127.0.0.1:1".into(),
            registry_host: "127.0.0.1:1".into(),
            plain_http: true,
            authorization: Some(Authorization::new("Basic dTpw".into())),
            repository: repo.into(),
            digest: format!("sha256:{}", "0".repeat(64)),
            tag: String::new(),
            mime_type: String::new(),
            capabilities: Capabilities::default(),
        }
    }

    fn backend(dir: &std::path::Path) -> LocalBackend {
        let mut template = ScanRequest::new(Target::Name(String::new()), dir.to_path_buf());
        template.db.offline = true;
        template.registry.timeout = Duration::from_secs(5);
        template.registry.retries = 0;
        let mut cfg = LocalConfig::new(template);
        cfg.max_pending = 2;
        cfg.keep_results = 1;
        LocalBackend::new(cfg)
    }

    #[test]
    fn requests_carry_the_credential_and_nothing_of_the_server() {
        let dir = tempfile::tempdir().unwrap();
        let b = backend(dir.path());
        let req = LocalBackend::request_for(&b.inner.cfg, &submission("app"));
        assert_eq!(
            req.target,
            Target::Name(format!("127.0.0.1:1/app@sha256:{}", "0".repeat(64)))
        );
        assert_eq!(req.sources, vec!["remote".to_string()]);
        assert!(req.registry.docker_config.is_none());
        let c = req.registry.credential.unwrap();
        assert_eq!((c.username.as_str(), c.password.as_str()), ("u", "p"));
        assert!(req.scanners.vuln && !req.scanners.secret);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_scan_ends_failed_and_old_results_are_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let b = backend(dir.path());
        // SBOM only (no database needed). Nothing listens on port 1: the
        // scan fails with the registry's error.
        let sbom_only = |repo: &str| ScanSubmission {
            capabilities: Capabilities {
                vulnerability: false,
                sbom: true,
                sbom_media_types: Vec::new(),
            },
            ..submission(repo)
        };
        let first = b.submit(sbom_only("app")).await.unwrap();
        let msg = loop {
            match b.report(&first.0).await.unwrap() {
                ReportState::Failed(m) => break m,
                ReportState::Pending { .. } => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                other => panic!("{other:?}"),
            }
        };
        assert!(msg.contains("127.0.0.1:1"), "{msg}");
        assert!(!msg.contains("dTpw"), "{msg}");
        let m = b.metrics().await.unwrap();
        assert!(m.jobs.contains(&("failed".into(), 1)));
        assert_eq!(m.scan_seconds.count(), 1);
        assert_eq!(m.layer_reuse_ratio, None);
        // keep_results = 1: the next finished job pushes the first out.
        let second = b.submit(sbom_only("app2")).await.unwrap();
        while matches!(
            b.report(&second.0).await.unwrap(),
            ReportState::Pending { .. }
        ) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(matches!(
            b.report(&first.0).await.unwrap(),
            ReportState::Unknown
        ));
        assert!(matches!(
            b.report("no such id").await.unwrap(),
            ReportState::Unknown
        ));
        // After shutdown nothing more is accepted and the backend is not ready.
        b.shutdown(Duration::from_secs(5)).await;
        assert!(!b.ready().await);
        assert!(matches!(
            b.submit(submission("app3")).await,
            Err(BackendError::Busy(_))
        ));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_queue_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let b = backend(dir.path());
        // max_pending = 2: with two jobs pending a third is refused.
        b.inner.state().pending = 2;
        match b.submit(submission("c")).await {
            Err(BackendError::Busy(m)) => assert!(m.contains("try again later"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(b.inner.state().jobs.is_empty());
    }
}

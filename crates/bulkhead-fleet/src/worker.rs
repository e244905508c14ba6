//! `bulkhead worker`: claims jobs, keeps their leases alive, scans each
//! image by digest through `bulkhead-engine` (never anything else), stores
//! the result, and shuts down gracefully.
//!
//! - At most `concurrency` scans at once (each a blocking engine scan on
//!   tokio's blocking pool), which bounds the worker's memory too.
//! - Idle workers wait for `NOTIFY bulkhead_jobs` on a connection of their
//!   own, and poll every `poll` as a fallback (a lost notification, a job
//!   whose backoff ended, a lease that expired elsewhere).
//! - One heartbeat task renews the leases of every held job every third of
//!   the lease.
//! - Layers come from, and go to, the shared `layers` table.
//! - Shutdown (the future given to [`run`] resolves, e.g. on SIGINT or
//!   SIGTERM): no new claims; running scans get `grace` to finish and be
//!   stored; the rest are released (back to `queued`, the attempt not
//!   counted). A second signal releases at once.

use crate::Fleet;
use crate::error::{Error, Result};
use crate::layers::PgLayers;
use crate::queue::{self, Claimed, JobState, Lease};
use crate::results::{self, ResultMeta, StoredInventory};
use bulkhead_engine::{
    DbPolicy, Limits, RegistryOptions, ScanRequest, Scanners, SecretsConfig, Target,
};
use bulkhead_image::registry::Authorization;
use futures_util::StreamExt as _;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Scans at once.
    pub concurrency: usize,
    /// Attempts before a job ends failed (None: each job's own, 3 by
    /// default).
    pub max_attempts: Option<u32>,
    /// Lease of a claimed job; renewed every third of it.
    pub lease: Duration,
    /// Poll for jobs this often when no notification comes.
    pub poll: Duration,
    /// Wait before the retry of a failed attempt: this, doubled per
    /// attempt, at most an hour.
    pub retry_backoff: Duration,
    /// Stop when no job is queued and none is running here (a batch run).
    pub drain: bool,
    /// On shutdown, how long running scans may take to finish.
    pub grace: Duration,
    /// Longest scan: past it the attempt fails (a hung scan would
    /// otherwise keep its lease for ever).
    pub scan_timeout: Duration,
    /// This worker's name in `lease_owner` (default: host, pid, random).
    pub owner: Option<String>,
    /// What each scan does.
    pub scan: ScanSettings,
}

/// The engine settings of a worker's scans.
#[derive(Debug, Clone)]
pub struct ScanSettings {
    /// The worker's cache folder (the local advisory database lives in
    /// `<cache_dir>/db` unless `db_path` says otherwise).
    pub cache_dir: PathBuf,
    /// The local advisory database (SQLite), kept current by `bulkhead db
    /// update` on this machine; scans never update it themselves.
    pub db_path: PathBuf,
    pub scanners: Scanners,
    pub limits: Limits,
    pub secrets: SecretsConfig,
}

impl ScanSettings {
    /// The defaults of `bulkhead image` (vuln and secret scanners) with the
    /// database in `<cache_dir>/db`.
    pub fn new(cache_dir: PathBuf) -> ScanSettings {
        let req = ScanRequest::new(Target::Name(String::new()), cache_dir.clone());
        ScanSettings {
            cache_dir,
            db_path: req.db.path,
            scanners: req.scanners,
            limits: req.limits,
            secrets: req.secrets,
        }
    }
}

impl WorkerOptions {
    /// Defaults: 2 scans at once, 60 s leases, polls every 5 s, retries
    /// after 10 s (doubling), 30 s of grace.
    pub fn new(cache_dir: PathBuf) -> WorkerOptions {
        WorkerOptions {
            concurrency: 2,
            max_attempts: None,
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(5),
            retry_backoff: Duration::from_secs(10),
            drain: false,
            grace: Duration::from_secs(30),
            scan_timeout: Duration::from_secs(30 * 60),
            owner: None,
            scan: ScanSettings::new(cache_dir),
        }
    }
}

/// What a worker did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkerSummary {
    /// Jobs scanned and stored.
    pub done: u64,
    /// Failed attempts that will be retried.
    pub retried: u64,
    /// Jobs that ended failed here.
    pub failed: u64,
    /// Jobs put back to the queue at shutdown.
    pub released: u64,
    /// Jobs another worker took over (their lease had expired).
    pub lost: u64,
}

/// The shutdown signal [`run`] watches: how many times it was asked to stop
/// (0: keep going; 1: graceful; 2 or more: release now). Dropping the
/// sender asks for a graceful stop.
pub type Shutdown = watch::Receiver<u32>;

/// How many times `shutdown` asked to stop (a dropped sender counts once).
async fn stop_requests(shutdown: &mut Shutdown, level: &mut u32) {
    match shutdown.changed().await {
        Ok(()) => *level = (*level).max(*shutdown.borrow()),
        Err(_) if *level == 0 => *level = 1,
        // No sender any more: nothing else will come.
        Err(_) => std::future::pending::<()>().await,
    }
}

/// A name unique to this worker process.
fn owner_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "worker".into());
    let mut rnd = [0u8; 4];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut rnd);
    format!("{host}:{}:{}", std::process::id(), hex::encode(rnd))
}

enum Outcome {
    Done,
    Retry,
    Failed,
    Lost,
}

struct Ctx {
    fleet: Fleet,
    opts: WorkerOptions,
    owner: String,
    /// The claims running here (their leases are renewed).
    held: Mutex<BTreeSet<Lease>>,
    analyzers_key: String,
}

impl Ctx {
    fn held(&self) -> std::sync::MutexGuard<'_, BTreeSet<Lease>> {
        self.held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Run a worker until the queue is drained (with `drain`) or `shutdown`
/// asks it to stop.
pub async fn run(
    fleet: Fleet,
    opts: WorkerOptions,
    mut shutdown: Shutdown,
) -> Result<WorkerSummary> {
    if opts.scan.scanners.vuln {
        let path = opts.scan.db_path.clone();
        tokio::task::spawn_blocking(move || bulkhead_osv::Database::open(&path).map(|_| ()))
            .await
            .map_err(|e| Error::Internal(format!("the database check failed: {e}")))?
            .map_err(|e| {
                Error::AdvisoryDb(format!(
                    "the worker's advisory database is not usable ({e}): run `bulkhead db update` \
                     (or `db import`) on this machine first; workers never update it themselves"
                ))
            })?;
    }
    let ctx = Arc::new(Ctx {
        owner: opts.owner.clone().unwrap_or_else(owner_name),
        fleet,
        held: Mutex::new(BTreeSet::new()),
        analyzers_key: bulkhead_engine::analyzers_key(),
        opts,
    });
    tracing::info!(owner = %ctx.owner, concurrency = ctx.opts.concurrency, "worker started");
    let wake = Arc::new(Notify::new());
    let listener = tokio::spawn(listen(ctx.fleet.clone(), wake.clone()));
    let beat = tokio::spawn(heartbeat(ctx.clone()));
    let mut summary = WorkerSummary::default();
    let mut running: JoinSet<(Lease, Outcome)> = JoinSet::new();
    let concurrency = ctx.opts.concurrency.max(1);
    let mut claim_backoff = Duration::from_millis(500);
    let mut level = *shutdown.borrow();
    loop {
        if level > 0 {
            break;
        }
        let free = concurrency.saturating_sub(running.len());
        let mut claimed_any = false;
        if free > 0 {
            match claim(&ctx, free).await {
                Ok(jobs) => {
                    claim_backoff = Duration::from_millis(500);
                    for job in jobs {
                        claimed_any = true;
                        let lease = job.lease();
                        ctx.held().insert(lease.clone());
                        let c = ctx.clone();
                        running.spawn(async move { (lease, run_job_guarded(&c, job).await) });
                    }
                }
                Err(e) => {
                    // The database is down or restarting: keep the scans
                    // going and try again later.
                    tracing::warn!("cannot claim jobs: {e}; retrying in {claim_backoff:?}");
                    tokio::select! {
                        _ = tokio::time::sleep(claim_backoff) => {}
                        _ = stop_requests(&mut shutdown, &mut level) => {}
                    }
                    claim_backoff = (claim_backoff * 2).min(Duration::from_secs(30));
                    continue;
                }
            }
        }
        if claimed_any && running.len() < concurrency {
            continue;
        }
        if ctx.opts.drain && running.is_empty() && !claimed_any {
            match queued_count(&ctx.fleet).await {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => tracing::warn!("cannot count the queue: {e}"),
            }
        }
        tokio::select! {
            _ = wake.notified(), if running.len() < concurrency => {}
            _ = tokio::time::sleep(ctx.opts.poll) => {}
            Some(joined) = running.join_next(), if !running.is_empty() => {
                settle(&ctx, joined, &mut summary);
            }
            _ = stop_requests(&mut shutdown, &mut level) => {}
        }
    }
    // Shutdown: no new claims. Running scans get the grace period (a
    // second signal cuts it short), then the rest are released.
    if !running.is_empty() {
        tracing::info!(
            running = running.len(),
            "stopping: letting running scans finish (grace {:?})",
            ctx.opts.grace
        );
        let deadline = tokio::time::Instant::now() + ctx.opts.grace;
        while !running.is_empty() && level < 2 {
            tokio::select! {
                Some(joined) = running.join_next() => settle(&ctx, joined, &mut summary),
                _ = tokio::time::sleep_until(deadline) => break,
                _ = stop_requests(&mut shutdown, &mut level) => {}
            }
        }
        running.abort_all();
        while running.join_next().await.is_some() {}
    }
    let left: Vec<Lease> = ctx.held().iter().cloned().collect();
    if !left.is_empty() {
        match release(&ctx, &left).await {
            Ok(n) => {
                summary.released += n;
                tracing::info!(released = n, "released unfinished jobs back to the queue");
            }
            Err(e) => tracing::warn!(
                "cannot release {} job(s) ({e}); their leases expire and another worker takes them",
                left.len()
            ),
        }
    }
    beat.abort();
    listener.abort();
    Ok(summary)
}

fn settle(
    ctx: &Ctx,
    joined: std::result::Result<(Lease, Outcome), tokio::task::JoinError>,
    summary: &mut WorkerSummary,
) {
    match joined {
        Ok((lease, outcome)) => {
            ctx.held().remove(&lease);
            match outcome {
                Outcome::Done => summary.done += 1,
                Outcome::Retry => summary.retried += 1,
                Outcome::Failed => summary.failed += 1,
                Outcome::Lost => summary.lost += 1,
            }
        }
        // Panics are caught in `run_job_guarded`; this is a task aborted
        // at shutdown, whose lease `run` releases.
        Err(e) => tracing::debug!("a job task ended: {e}"),
    }
}

async fn claim(ctx: &Ctx, n: usize) -> Result<Vec<Claimed>> {
    let mut c = ctx.fleet.client().await?;
    queue::claim(
        &mut c,
        &ctx.owner,
        ctx.opts.lease,
        u32::try_from(n).unwrap_or(u32::MAX),
        ctx.opts.max_attempts,
    )
    .await
}

async fn release(ctx: &Ctx, leases: &[Lease]) -> Result<u64> {
    let c = ctx.fleet.client().await?;
    queue::release(&c, leases).await
}

async fn queued_count(fleet: &Fleet) -> Result<u64> {
    let c = fleet.client().await?;
    Ok(queue::counts(&**c)
        .await?
        .get(&JobState::Queued)
        .copied()
        .unwrap_or(0))
}

/// Renew every held lease every third of the lease.
async fn heartbeat(ctx: Arc<Ctx>) {
    let every = (ctx.opts.lease / 3).max(Duration::from_millis(200));
    loop {
        tokio::time::sleep(every).await;
        let leases: Vec<Lease> = ctx.held().iter().cloned().collect();
        if leases.is_empty() {
            continue;
        }
        let renewed = async {
            let c = ctx.fleet.client().await?;
            queue::heartbeat(&c, &leases, ctx.opts.lease).await
        }
        .await;
        match renewed {
            Ok(kept) => {
                // A job that ended while the heartbeat ran (a slow
                // reconnect) is no longer held: its lease was not lost.
                let still_held = ctx.held().clone();
                for l in leases
                    .iter()
                    .filter(|l| !kept.contains(&l.id) && still_held.contains(l))
                {
                    tracing::warn!(
                        job = l.id,
                        "lost the lease of a job (another worker took it over)"
                    );
                }
            }
            Err(e) => tracing::warn!("cannot renew the leases: {e}"),
        }
    }
}

/// Wake `wake` on every `NOTIFY bulkhead_jobs`; reconnect when the
/// connection drops (polling covers the gap).
async fn listen(fleet: Fleet, wake: Arc<Notify>) {
    let mut delay = Duration::from_millis(500);
    loop {
        match listen_once(&fleet, &wake).await {
            Ok(()) => delay = Duration::from_millis(500),
            Err(e) => {
                tracing::debug!("job notifications: {e}; reconnecting in {delay:?}");
            }
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(30));
    }
}

async fn listen_once(fleet: &Fleet, wake: &Notify) -> Result<()> {
    let (client, mut conn) = fleet
        .pg_config()
        .connect(tokio_postgres::NoTls)
        .await
        .map_err(|e| Error::Connect(crate::error::pg_message(&e)))?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| conn.poll_message(cx));
        while let Some(m) = messages.next().await {
            match m {
                Ok(tokio_postgres::AsyncMessage::Notification(_)) => {
                    if tx.send(()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    });
    let listened = client
        .batch_execute(&format!("LISTEN {}", queue::CHANNEL))
        .await;
    if let Err(e) = listened {
        driver.abort();
        return Err(Error::Connect(crate::error::pg_message(&e)));
    }
    // A job may have been queued before LISTEN took effect.
    wake.notify_one();
    while rx.recv().await.is_some() {
        wake.notify_one();
    }
    driver.abort();
    Err(Error::Connect("the notification connection closed".into()))
}

fn backoff(base: Duration, attempts: u32) -> Duration {
    base.saturating_mul(1u32 << attempts.saturating_sub(1).min(16))
        .min(Duration::from_secs(3600))
}

/// [`run_job`], with a panic of ours recorded as a failed attempt (the job
/// would otherwise stay held, its lease renewed, until the worker exits).
async fn run_job_guarded(ctx: &Ctx, job: Claimed) -> Outcome {
    use futures_util::FutureExt as _;
    let lease = job.lease();
    let attempts = job.attempts;
    match std::panic::AssertUnwindSafe(run_job(ctx, job))
        .catch_unwind()
        .await
    {
        Ok(outcome) => outcome,
        Err(_) => {
            tracing::error!(
                job = lease.id,
                "the job's task panicked (a bug): recorded as a failed attempt"
            );
            record_failure(
                ctx,
                &lease,
                attempts,
                "internal error: the worker's scan task panicked (please report this)",
            )
            .await
        }
    }
}

/// Scan one claimed job and record how it went.
async fn run_job(ctx: &Ctx, job: Claimed) -> Outcome {
    let image = job.image();
    tracing::info!(job = job.id, attempt = job.attempts, image = %image, "scanning");
    let started = Instant::now();
    let scanned = match tokio::time::timeout(ctx.opts.scan_timeout, scan(ctx, &job)).await {
        Ok(r) => r,
        // The heartbeat would renew a hung scan's lease for ever.
        Err(_) => Err(Error::Scan(format!(
            "the scan took longer than {} s (--scan-timeout): the image may hang an analyzer, or raise the limit",
            ctx.opts.scan_timeout.as_secs()
        ))),
    };
    let outcome = match scanned {
        Ok((out, meta)) => store_retrying(ctx, &job, out, meta, started.elapsed()).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(true) => {
            tracing::info!(job = job.id, image = %image, seconds = started.elapsed().as_secs_f64(), "stored");
            Outcome::Done
        }
        Ok(false) => Outcome::Lost,
        Err(e) => record_failure(ctx, &job.lease(), job.attempts, &failure_text(&e)).await,
    }
}

/// The error a failed attempt records in the job (and Harbor shows). A
/// connection error names the database's address: that stays in the
/// worker's log.
fn failure_text(e: &Error) -> String {
    match e {
        Error::Connect(m) => {
            tracing::warn!("the attempt failed: {m}");
            "the fleet database did not answer (the worker's log has the error)".to_string()
        }
        other => other.to_string(),
    }
}

/// Record a failed attempt (retried with a backoff while the database
/// does not answer, as long as the worker holds the lease).
async fn record_failure(ctx: &Ctx, lease: &Lease, attempts: u32, msg: &str) -> Outcome {
    let wait = backoff(ctx.opts.retry_backoff, attempts);
    let recorded = retry_db(ctx, "record the failed attempt", || async {
        let mut c = ctx.fleet.client().await?;
        queue::fail(&mut c, lease, msg, wait, ctx.opts.max_attempts).await
    })
    .await;
    match recorded {
        Ok(Some(JobState::Failed)) => {
            tracing::warn!(job = lease.id, attempts, "job failed for good: {msg}");
            Outcome::Failed
        }
        Ok(Some(_)) => {
            tracing::warn!(
                job = lease.id,
                attempt = attempts,
                "scan failed, will retry: {msg}"
            );
            Outcome::Retry
        }
        Ok(None) => Outcome::Lost,
        Err(e2) => {
            // The lease expires and another worker retries it.
            tracing::warn!(
                job = lease.id,
                "scan failed ({msg}) and cannot record it: {e2}"
            );
            Outcome::Retry
        }
    }
}

/// Whether an error is the database's or the connection's (worth a retry
/// once it is back), not the data's.
fn transient(e: &Error) -> bool {
    matches!(e, Error::Db { .. } | Error::Connect(_))
}

/// Run `op` until it succeeds, fails for a reason other than the database
/// being away, or [`STORE_RETRY_FOR`] has passed; the job stays held
/// meanwhile, so the heartbeat renews its lease as soon as the database
/// answers again.
async fn retry_db<T, F, Fut>(ctx: &Ctx, what: &str, mut op: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let until = Instant::now() + STORE_RETRY_FOR.max(ctx.opts.lease);
    let mut delay = Duration::from_millis(250);
    loop {
        match op().await {
            Err(e) if transient(&e) && Instant::now() < until => {
                tracing::warn!("cannot {what} ({e}); retrying in {delay:?}");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(10));
            }
            other => return other,
        }
    }
}

/// How long a worker keeps retrying to store a finished scan while the
/// database is away (at least one lease).
const STORE_RETRY_FOR: Duration = Duration::from_secs(300);

/// [`store`], retried while the database is away.
async fn store_retrying(
    ctx: &Ctx,
    job: &Claimed,
    out: bulkhead_engine::ScanOutput,
    meta: ResultMeta,
    took: Duration,
) -> Result<bool> {
    let out = &out;
    retry_db(ctx, "store the result", || {
        let meta = meta.clone();
        async move { store(ctx, job, out, meta, took).await }
    })
    .await
}

/// The engine scan of a job, with the layer counts and database time.
async fn scan(ctx: &Ctx, job: &Claimed) -> Result<(bulkhead_engine::ScanOutput, ResultMeta)> {
    let authorization: Option<Authorization> = match &job.sealed {
        None => None,
        Some(s) => match ctx.fleet.key() {
            Some(k) => Some(k.open(&job.registry, s)?),
            None => {
                return Err(Error::Input(format!(
                    "the job came with registry credentials but this worker has no {}: set it to the enqueuer's key",
                    crate::seal::KEY_ENV
                )));
            }
        },
    };
    let settings = &ctx.opts.scan;
    let layers = Arc::new(PgLayers::new(
        ctx.fleet.pool().clone(),
        ctx.fleet.shown().to_string(),
        tokio::runtime::Handle::current(),
    ));
    let mut req = ScanRequest::new(Target::Name(job.image()), settings.cache_dir.clone());
    req.sources = vec!["remote".to_string()];
    req.scanners = settings.scanners;
    req.limits = settings.limits.clone();
    req.secrets = settings.secrets.clone();
    req.layer_cache = false;
    req.shared_layers = Some(layers.clone());
    req.db = DbPolicy {
        path: settings.db_path.clone(),
        offline: true,
        skip_update: true,
        ..DbPolicy::default()
    };
    req.registry = RegistryOptions {
        insecure: job.insecure,
        // Given credentials replace the machine's Docker login.
        docker_config: if authorization.is_some() {
            None
        } else {
            RegistryOptions::default().docker_config
        },
        authorization,
        ..RegistryOptions::default()
    };
    let db_path = settings.db_path.clone();
    let vuln = settings.scanners.vuln;
    let db_built_at = tokio::task::spawn_blocking(move || {
        vuln.then(|| {
            bulkhead_osv::Database::open(&db_path)
                .ok()
                .and_then(|d| d.meta("built_at").ok().flatten())
        })
        .flatten()
    })
    .await
    .unwrap_or(None);
    test_gate().await;
    let out = bulkhead_engine::scan_async(req, Arc::new(bulkhead_engine::NoProgress))
        .await
        .map_err(|e| Error::Scan(format!("{e:#}")))?;
    let meta = ResultMeta {
        registry: job.registry.clone(),
        repository: job.repository.clone(),
        tag: job.tag.clone(),
        scanner_version: env!("CARGO_PKG_VERSION").to_string(),
        analyzers_key: ctx.analyzers_key.clone(),
        db_built_at,
        layers_reused: u32::try_from(layers.hits()).unwrap_or(u32::MAX),
        layers_analyzed: u32::try_from(layers.misses()).unwrap_or(u32::MAX),
        scan_seconds: 0.0,
        job_id: Some(job.id),
    };
    Ok((out, meta))
}

/// Test hook (the same as the in-process server's): with
/// `BULKHEAD_TEST_SCAN_GATE=FILE`, a claimed job waits until FILE exists
/// (at most two minutes) before its scan, its lease kept alive, so a test
/// can hold workers busy while it polls a server.
async fn test_gate() {
    if let Some(path) = std::env::var_os("BULKHEAD_TEST_SCAN_GATE") {
        let path = PathBuf::from(path);
        let until = Instant::now() + Duration::from_secs(120);
        while !path.exists() && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Store a job's result and mark it done, in one transaction.
async fn store(
    ctx: &Ctx,
    job: &Claimed,
    out: &bulkhead_engine::ScanOutput,
    mut meta: ResultMeta,
    took: Duration,
) -> Result<bool> {
    meta.scan_seconds = took.as_secs_f64();
    let inventory = StoredInventory::from_inventory(&out.inventory);
    let mut c = ctx.fleet.client().await?;
    let tx = c
        .transaction()
        .await
        .map_err(|e| db_err("cannot start storing the result", &e))?;
    // The claim must still hold the job before anything is written: a
    // claim that lost its lease stores nothing (the claim that took over
    // stores its own result).
    if !queue::complete(&*tx, &job.lease(), &job.digest).await? {
        tx.rollback()
            .await
            .map_err(|e| db_err("cannot roll back", &e))?;
        tracing::warn!(
            job = job.id,
            "lost the job's lease before storing (another claim took it over): result dropped"
        );
        return Ok(false);
    }
    results::upsert(&*tx, &job.digest, &out.report, &inventory, &meta).await?;
    tx.commit()
        .await
        .map_err(|e| db_err("cannot commit the result", &e))?;
    Ok(true)
}

fn db_err(context: &str, e: &tokio_postgres::Error) -> Error {
    Error::Db {
        context: context.to_string(),
        message: crate::error::pg_message(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let b = Duration::from_secs(10);
        assert_eq!(backoff(b, 1), Duration::from_secs(10));
        assert_eq!(backoff(b, 2), Duration::from_secs(20));
        assert_eq!(backoff(b, 3), Duration::from_secs(40));
        assert_eq!(backoff(b, 60), Duration::from_secs(3600));
        assert_eq!(backoff(Duration::ZERO, 5), Duration::ZERO);
    }

    #[test]
    fn a_recorded_failure_never_names_the_database() {
        let e = Error::Connect(
            "cannot connect to PostgreSQL at db.internal:5432/fleet: refused".into(),
        );
        assert!(!failure_text(&e).contains("db.internal"));
        let e = Error::Scan("the registry refused the login".into());
        assert_eq!(failure_text(&e), "the registry refused the login");
    }

    #[test]
    fn owners_are_unique() {
        assert_ne!(owner_name(), owner_name());
    }
}

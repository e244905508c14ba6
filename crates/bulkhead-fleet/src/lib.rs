//! Fleet state on PostgreSQL: many workers on many machines scan a
//! registry's images and keep the results in one database, which a scan
//! server and the `bulkhead fleet` commands read.
//!
//! - [`db`]: connections (a small pool) and the embedded, versioned schema
//!   migrations, applied at [`Fleet::connect`] under an advisory lock.
//! - [`queue`]: the job queue (claims with `FOR UPDATE SKIP LOCKED`,
//!   leases and heartbeats, `LISTEN/NOTIFY`, poison jobs, release).
//! - [`seal`]: registry credentials sealed with the fleet key
//!   (`BULKHEAD_FLEET_KEY`) for the life of their job only.
//! - [`results`]: results upserted by manifest digest (inventory, report,
//!   versions, advisory database time) and the rows queries read.
//! - [`layers`]: per-layer analyses shared by every worker (the engine's
//!   [`bulkhead_engine::SharedLayers`]).
//! - [`worker`]: `bulkhead worker`: claim, heartbeat, scan through
//!   `bulkhead-engine`, store; graceful shutdown.
//! - [`fleet_ops`]: `scan-registry`, `rematch`, `query`, `status`.
//! - [`harbor`]: the scan requests a scan server accepted for Harbor.
//! - [`cli`]: blocking entry points for the `bulkhead` binary (a runtime,
//!   signal handling).
//!
//! # For a scan server
//!
//! ```no_run
//! # async fn demo() -> bulkhead_fleet::Result<()> {
//! use bulkhead_fleet::{Fleet, ConnectOptions, ScanJob, SealKey};
//! use bulkhead_image::registry::Authorization;
//!
//! let fleet = Fleet::connect("postgres://bulkhead@db/fleet", &ConnectOptions::default())
//!     .await?
//!     .with_key(SealKey::from_env()?);
//! // Harbor's scan request: registry, repository, digest, Authorization.
//! let mut job = ScanJob::new("harbor.example", "library/app", &format!("sha256:{}", "0".repeat(64)));
//! job.authorization = Some(Authorization::parse("Bearer …").map_err(bulkhead_fleet::Error::Input)?);
//! let queued = fleet.enqueue(&job).await?; // Queued(id), AlreadyOpen(id) or AlreadyScanned
//! if let Some(id) = queued.job_id() {
//!     let state = fleet.job(id).await?.map(|j| j.state); // Queued, Running, Done, Failed
//! }
//! if let Some(result) = fleet.result(&job.digest).await? {
//!     let _report = &result.report;        // every format, SBOMs included, renders from it
//!     let _packages = &result.inventory;   // OS and package sets
//! }
//! let metrics = fleet.metrics().await?; // jobs by state, queue depth, results, layer reuse
//! # let _ = metrics; Ok(()) }
//! ```
//!
//! Every method is async and `Send` except [`Fleet::rematch`] and
//! [`Fleet::scan_registry`], which do blocking work (SQLite, matching, the
//! blocking registry client) on the calling thread: run them from
//! `Runtime::block_on` or `spawn_blocking`, as [`cli`] does.
//!
//! **Invariants**: workers scan only through `bulkhead-engine`; no registry
//! credential is stored in clear, logged or counted (sealed, and deleted
//! when its job ends); the database URL's password is never shown.

pub mod cli;
mod codec;
pub mod db;
mod error;
pub mod fleet_ops;
pub mod harbor;
pub mod layers;
pub mod queue;
pub mod results;
pub mod seal;
pub mod worker;

pub use db::ConnectOptions;
pub use error::{Error, Result};
pub use fleet_ops::{Metrics, Query, RegistryTarget, ScanDurations};
pub use harbor::HarborScan;
pub use queue::{Enqueued, JobId, JobInfo, JobState, ScanJob};
pub use results::{StoredInventory, StoredResult};
pub use seal::SealKey;
pub use worker::{ScanSettings, WorkerOptions, WorkerSummary};

use deadpool_postgres::Pool;

/// A connection to the fleet database (a pool; cheap to clone).
#[derive(Clone)]
pub struct Fleet {
    pool: Pool,
    shown: String,
    config: tokio_postgres::Config,
    key: Option<SealKey>,
}

impl std::fmt::Debug for Fleet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fleet")
            .field("db", &self.shown)
            .finish_non_exhaustive()
    }
}

impl Fleet {
    /// Connect to `url` and bring the schema up to date (see [`db`]).
    pub async fn connect(url: &str, opts: &ConnectOptions) -> Result<Fleet> {
        let (pool, shown) = db::pool(url, opts)?;
        let mut config = db::parse_url(url)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(opts.connect_timeout);
        }
        let fleet = Fleet {
            pool,
            shown,
            config,
            key: None,
        };
        let mut c = fleet.client().await?;
        db::migrate(&mut c).await?;
        Ok(fleet)
    }

    /// Use `key` to seal and open registry credentials.
    pub fn with_key(mut self, key: Option<SealKey>) -> Fleet {
        self.key = key;
        self
    }

    pub(crate) fn key(&self) -> Option<&SealKey> {
        self.key.as_ref()
    }

    /// Whether registry credentials can be sealed (a key is set).
    pub fn has_key(&self) -> bool {
        self.key.is_some()
    }

    /// The pool.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// `host:port/database`, for messages (no password).
    pub fn shown(&self) -> &str {
        &self.shown
    }

    pub(crate) fn pg_config(&self) -> &tokio_postgres::Config {
        &self.config
    }

    /// Borrow a connection.
    pub async fn client(&self) -> Result<deadpool_postgres::Object> {
        db::client(&self.pool, &self.shown).await
    }

    /// Queue a scan (see [`queue::enqueue`]); the current analyzer versions
    /// decide whether a stored result is current.
    pub async fn enqueue(&self, job: &ScanJob) -> Result<Enqueued> {
        let mut c = self.client().await?;
        queue::enqueue(&mut c, job, self.key(), &bulkhead_engine::analyzers_key()).await
    }

    /// One job's state.
    pub async fn job(&self, id: JobId) -> Result<Option<JobInfo>> {
        let c = self.client().await?;
        queue::job(&**c, id).await
    }

    /// The stored report of a manifest digest (decoded off the reactor).
    pub async fn report(&self, digest: &str) -> Result<Option<results::StoredReport>> {
        let c = self.client().await?;
        results::get_report(&**c, digest).await
    }

    /// The stored result of a manifest digest.
    pub async fn result(&self, digest: &str) -> Result<Option<StoredResult>> {
        let c = self.client().await?;
        results::get(&**c, digest).await
    }
}

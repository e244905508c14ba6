//! Blocking entry points for the `bulkhead` binary: each builds a tokio
//! runtime, connects (migrating the schema), runs one fleet operation and
//! shuts the runtime down without waiting for abandoned blocking scans.
//! The binary only turns flags into these calls.

use crate::fleet_ops::{Query, RegistryTarget};
use crate::worker::{self, WorkerOptions, WorkerSummary};
use crate::{ConnectOptions, Error, Fleet, Result, SealKey};
use bulkhead_types::fleet::{FleetQuery, FleetStatus, RegistryScan, RematchSummary};
use std::path::Path;
use std::time::Duration;

/// Run `f` on a fresh multi-thread runtime with a connected fleet.
fn with_fleet<T>(
    url: &str,
    pool_size: usize,
    f: impl AsyncFnOnce(Fleet) -> Result<T>,
) -> Result<T> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("bulkhead-fleet")
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
    let out = rt.block_on(async {
        let opts = ConnectOptions {
            pool_size,
            ..ConnectOptions::default()
        };
        let fleet = Fleet::connect(url, &opts)
            .await?
            .with_key(SealKey::from_env()?);
        f(fleet).await
    });
    // Scans cut short at shutdown may still run on blocking threads: do not
    // wait for them (their jobs were released).
    rt.shutdown_timeout(Duration::from_secs(1));
    out
}

/// `bulkhead worker`: run until drained or stopped by SIGINT/SIGTERM (a
/// second signal releases running jobs at once).
pub fn run_worker(url: &str, opts: WorkerOptions) -> Result<WorkerSummary> {
    let pool_size = opts.concurrency.max(1) * 2 + 2;
    with_fleet(url, pool_size, async move |fleet| {
        let (tx, rx) = tokio::sync::watch::channel(0u32);
        // The sender lives as long as the worker: dropping it would ask
        // for a stop.
        tokio::spawn(async move {
            let Ok(mut term) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            else {
                tracing::warn!(
                    "cannot watch SIGINT/SIGTERM: stop the worker with SIGKILL (its leases expire)"
                );
                std::future::pending::<()>().await;
                return;
            };
            loop {
                tokio::select! {
                    r = tokio::signal::ctrl_c() => if r.is_err() {
                        // SIGINT cannot be watched; SIGTERM still works.
                        let _ = term.recv().await;
                    },
                    _ = term.recv() => {}
                }
                let n = *tx.borrow() + 1;
                if n == 1 {
                    tracing::warn!(
                        "stopping: finishing running scans (signal again to release them now)"
                    );
                }
                let _ = tx.send(n);
            }
        });
        worker::run(fleet, opts, rx).await
    })
}

/// `bulkhead fleet scan-registry`.
pub fn scan_registry(
    url: &str,
    target: &RegistryTarget,
    progress: &dyn bulkhead_engine::Progress,
) -> Result<RegistryScan> {
    with_fleet(url, 2, async |fleet| {
        fleet.scan_registry(target, progress).await
    })
}

/// `bulkhead fleet rematch` against the local advisory database `db_path`.
pub fn rematch(
    url: &str,
    db_path: &Path,
    progress: &dyn bulkhead_engine::Progress,
) -> Result<RematchSummary> {
    with_fleet(url, 2, async |fleet| fleet.rematch(db_path, progress).await)
}

/// `bulkhead fleet query`.
pub fn query(url: &str, q: &Query) -> Result<FleetQuery> {
    with_fleet(url, 2, async |fleet| fleet.query(q).await)
}

/// `bulkhead fleet status`.
pub fn status(url: &str) -> Result<FleetStatus> {
    with_fleet(url, 2, async |fleet| fleet.status().await)
}

/// Connect for a scan server (inside its runtime): a pool sized for many
/// concurrent report polls, the seal key from the environment.
pub async fn connect_server(url: &str) -> Result<Fleet> {
    let opts = ConnectOptions {
        pool_size: 16,
        ..ConnectOptions::default()
    };
    Ok(Fleet::connect(url, &opts)
        .await?
        .with_key(SealKey::from_env()?))
}

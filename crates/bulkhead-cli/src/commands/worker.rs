//! `bulkhead worker`: flags → `bulkhead_fleet::cli::run_worker`.

use super::fleet::{DbUrl, fleet_err};
use crate::args::GlobalArgs;
use anyhow::Result;
use bulkhead_fleet::WorkerOptions;
use clap::Args;
use std::time::Duration;

/// Flags of `bulkhead worker`.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub db: DbUrl,
    /// Scans at once.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Attempts before a job ends failed (default: each job's own, 3).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_attempts: Option<u32>,
    /// Lease of a claimed job in seconds (renewed every third of it; a dead
    /// worker's jobs are taken over when it expires).
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub lease: u64,
    /// Look for jobs this often when no notification comes (seconds).
    #[arg(long, value_name = "SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub poll: u64,
    /// Wait before retrying a failed scan (seconds, doubled per attempt).
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub retry_backoff: u64,
    /// On SIGINT/SIGTERM, how long running scans may take to finish before
    /// they are released back to the queue (seconds).
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub grace: u64,
    /// Longest scan in seconds: past it the attempt fails (a scan that
    /// hangs would otherwise hold its job for ever).
    #[arg(long, value_name = "SECS", default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub scan_timeout: u64,
    /// Exit when no job is queued and none is running here.
    #[arg(long)]
    pub drain: bool,
}

/// `bulkhead worker`.
pub fn run(global: &GlobalArgs, args: WorkerArgs) -> Result<i32> {
    let mut opts = WorkerOptions::new(global.cache_dir());
    opts.scan.db_path = super::db::db_path(global);
    opts.concurrency = usize::from(args.concurrency);
    opts.max_attempts = args.max_attempts;
    opts.lease = Duration::from_secs(args.lease);
    opts.poll = Duration::from_secs(args.poll);
    opts.retry_backoff = Duration::from_secs(args.retry_backoff);
    opts.grace = Duration::from_secs(args.grace);
    opts.scan_timeout = Duration::from_secs(args.scan_timeout);
    opts.drain = args.drain;
    let s = bulkhead_fleet::cli::run_worker(&args.db.url, opts).map_err(fleet_err)?;
    if !global.quiet {
        eprintln!(
            "worker: {} done, {} failed, {} retried, {} released, {} taken over",
            s.done, s.failed, s.retried, s.released, s.lost
        );
    }
    Ok(0)
}

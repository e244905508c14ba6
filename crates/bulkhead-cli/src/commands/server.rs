//! `bulkhead server`: flags → `bulkhead_server::run` with the in-process
//! backend, or the fleet's with `--db`. Everything else lives in
//! `bulkhead-server`.

use crate::args::{GlobalArgs, LimitArgs};
use anyhow::Result;
use bulkhead_engine::{DbPolicy, ScanRequest, Target};
use clap::Args;
use std::sync::Arc;

/// Serve Harbor's Pluggable Scanner API (v1.2) over HTTP: Harbor registers
/// the URL as a scanner and sends scans of its images; reports in Harbor's
/// vulnerability and SBOM (SPDX, CycloneDX) formats. Also /probe/healthy,
/// /probe/ready and /metrics (Prometheus). Stops on SIGINT or SIGTERM.
#[derive(Debug, Args)]
pub struct ServerArgs {
    /// Address to listen on (HOST:PORT; port 0 picks a free one).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Require `Authorization: Bearer TOKEN` on /api/v1 (prefer the
    /// environment variable: a flag shows in the process list).
    #[arg(
        long,
        env = "BULKHEAD_SERVER_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub token: Option<String>,
    /// Queue scans in the fleet's PostgreSQL database for `bulkhead
    /// worker`s and answer from the results they store
    /// (postgres://USER[:PASSWORD]@HOST[:PORT]/DB; prefer the environment
    /// variable). Registry credentials from Harbor need BULKHEAD_FLEET_KEY.
    #[arg(
        long,
        env = "BULKHEAD_DB_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub db: Option<String>,
    /// With --db: attempts per scan job before it ends failed.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_attempts: u32,
    /// Scans running at once (without --db).
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Seconds Harbor is told to wait before polling a pending report again.
    #[arg(long, value_name = "SECONDS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub retry_after: u64,
    /// Seconds running scans may take to finish once the server stops.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub shutdown_grace: u64,
    /// Never update the advisory database (scans use it as it is).
    #[arg(long)]
    pub offline: bool,
    /// Do not update the database before scans (it still must exist).
    #[arg(long)]
    pub skip_db_update: bool,
    /// Do not read or write the layer cache.
    #[arg(long)]
    pub no_cache: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

pub fn run(global: &GlobalArgs, args: ServerArgs) -> Result<i32> {
    let mut cfg = bulkhead_server::ServerConfig::new(env!("CARGO_PKG_VERSION"));
    cfg.token = args.token.as_deref().and_then(bulkhead_server::Token::new);
    cfg.shutdown_grace = std::time::Duration::from_secs(args.shutdown_grace);
    let retry_after = std::time::Duration::from_secs(args.retry_after);
    if let Some(url) = args.db.clone() {
        let fleet_cfg = bulkhead_server::FleetConfig {
            retry_after,
            max_attempts: args.max_attempts,
        };
        bulkhead_server::run(&args.listen, cfg, global.quiet, async move {
            let fleet = bulkhead_fleet::cli::connect_server(&url)
                .await
                .map_err(super::fleet::fleet_err)?;
            Ok(
                Arc::new(bulkhead_server::FleetBackend::new(fleet, fleet_cfg))
                    as Arc<dyn bulkhead_server::Backend>,
            )
        })?;
        return Ok(0);
    }
    let mut template = ScanRequest::new(Target::Name(String::new()), global.cache_dir());
    template.db = DbPolicy {
        path: super::db::db_path(global),
        offline: args.offline,
        skip_update: args.skip_db_update,
        ..DbPolicy::default()
    };
    template.layer_cache = !args.no_cache;
    args.limits.apply(&mut template)?;
    let mut local = bulkhead_server::LocalConfig::new(template);
    local.concurrency = usize::from(args.concurrency);
    local.retry_after = retry_after;
    bulkhead_server::run(&args.listen, cfg, global.quiet, async move {
        Ok(Arc::new(bulkhead_server::LocalBackend::new(local))
            as Arc<dyn bulkhead_server::Backend>)
    })?;
    Ok(0)
}

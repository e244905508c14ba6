//! `bulkhead image` and `bulkhead fs`: inventory a target, match its packages
//! against the offline advisory database, and report.

use super::image::TargetArgs;
use crate::args::{GlobalArgs, ReportArgs};
use crate::output::{self, EmitOptions};
use crate::progress;
use anyhow::{Result, bail};
use bulkhead_types::Report;
use clap::Args;
use std::path::PathBuf;

/// Flags shared by `image` and `fs`.
#[derive(Debug, Args, Clone)]
pub struct ScanArgs {
    /// Scanners to run (comma-separated): vuln, secret, misconfig.
    #[arg(long, value_delimiter = ',', default_value = "vuln,secret")]
    pub scanners: Vec<String>,
    /// Hide vulnerabilities that have no fixed version (same as --only-fixed).
    #[arg(long)]
    pub ignore_unfixed: bool,
    /// Hide vulnerabilities that have no fixed version (Grype's name for --ignore-unfixed).
    #[arg(long)]
    pub only_fixed: bool,
    /// Include every package in the report (JSON `Packages`), not only vulnerable ones.
    #[arg(long)]
    pub list_all_pkgs: bool,
    /// Match OS packages as this distribution instead of the detected one,
    /// e.g. `debian/11`, `alpine/3.10`, `almalinux/9`.
    #[arg(long, value_name = "FAMILY/VERSION")]
    pub distro: Option<String>,
    /// Do not update the vulnerability database before scanning.
    #[arg(long)]
    pub skip_db_update: bool,
    /// Never touch the network (implies --skip-db-update).
    #[arg(long)]
    pub offline: bool,
    /// Mirror used when the scan updates a missing or stale database (URL or
    /// folder; default: the public OSV bucket).
    #[arg(long, value_name = "URL|DIR")]
    pub db_mirror: Option<String>,
    /// Update the database before scanning when it is older than this many hours.
    #[arg(long, value_name = "HOURS", default_value_t = 24)]
    pub db_max_age: u64,
    /// Warn when the database is older than this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub db_warn_age: u64,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Flags of `bulkhead image`.
#[derive(Debug, Args)]
pub struct ImageArgs {
    /// Image to scan: a file (docker save tarball, OCI layout dir or tarball);
    /// or use --input.
    pub target: Option<String>,
    #[command(flatten)]
    pub target_args: TargetArgs,
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Before scanning, check the image's signatures in its registry against
    /// the signing policy (`[policy]` of bulkhead.toml, or --policy); scan
    /// the verified digest, or exit 1 naming the rule that failed.
    #[arg(long)]
    pub verify: bool,
    /// With --verify: read `[policy]` from FILE instead of bulkhead.toml.
    #[arg(long, value_name = "FILE", requires = "verify")]
    pub policy: Option<PathBuf>,
    #[command(flatten)]
    pub advise: super::summary::AdviseArgs,
}

/// Flags of `bulkhead fs`.
#[derive(Debug, Args)]
pub struct FsArgs {
    /// Root filesystem or project folder to scan.
    pub dir: PathBuf,
    #[command(flatten)]
    pub limits: crate::args::LimitArgs,
    #[command(flatten)]
    pub scan: ScanArgs,
}

pub fn run_image(global: &GlobalArgs, mut args: ImageArgs) -> Result<i32> {
    if args.verify {
        // Everything below reads exactly the verified digest, from the registry.
        let t = args.target.as_deref();
        match super::verify::before_scan(global, t, &args.target_args, args.policy.as_deref())? {
            Ok((pinned, targs)) => (args.target, args.target_args) = (Some(pinned), targs),
            Err(code) => return Ok(code),
        }
    }
    if args.advise.summary {
        return super::summary::run(global, &args);
    }
    if args.advise.recommend {
        return super::recommend::run(global, &args);
    }
    run_scan(
        global,
        args.target.as_deref(),
        &args.target_args,
        &args.scan,
    )
}

pub fn run_fs(global: &GlobalArgs, args: FsArgs) -> Result<i32> {
    if !args.dir.is_dir() {
        bail!(
            "{} is not a directory: pass a root filesystem or project folder",
            args.dir.display()
        );
    }
    let req = super::request::fs(global, &args.dir, &args.limits, &args.scan)?;
    emit(global, engine_report(global, &req)?, &args.scan)
}

fn run_scan(
    global: &GlobalArgs,
    target: Option<&str>,
    targs: &TargetArgs,
    args: &ScanArgs,
) -> Result<i32> {
    emit(global, scan_report(global, target, targs, args)?, args)
}

fn emit(global: &GlobalArgs, report: Report, args: &ScanArgs) -> Result<i32> {
    output::emit(
        report,
        global,
        &args.report,
        output::SCAN_FORMATS,
        EmitOptions {
            ignore_unfixed: args.ignore_unfixed || args.only_fixed,
            list_packages: args.list_all_pkgs,
        },
    )
}

/// Scan a target with the chosen scanners into an unfiltered report (every
/// package kept in `Results[].Packages`); `bulkhead diff` runs it twice.
pub fn scan_report(
    global: &GlobalArgs,
    target: Option<&str>,
    targs: &TargetArgs,
    args: &ScanArgs,
) -> Result<Report> {
    let req = super::request::build(global, target, targs, Some(args))?;
    engine_report(global, &req)
}

/// Run the engine on a request with the `[secrets]` rules of the settings
/// file; its warnings go to the log.
pub fn engine_report(global: &GlobalArgs, req: &bulkhead_engine::ScanRequest) -> Result<Report> {
    let secrets = global.settings()?.secret_scanner()?;
    let out = bulkhead_engine::scan_with(req, &secrets, &progress::Bars::new(global.quiet))?;
    for n in &out.warnings {
        tracing::warn!("{n}");
    }
    Ok(out.report)
}

//! `bulkhead diff A B`: scan two images through the normal pipeline (layer
//! cache on, so layers they share are analysed once) and report what changed
//! from A (before) to B (after).

use super::image_source::SourceArgs;
use super::request;
use super::scan::ScanArgs;
use crate::args::GlobalArgs;
use crate::output;
use anyhow::{Context, Result};
use bulkhead_engine::Target;
use bulkhead_engine::diff::Side;
use bulkhead_report::FilterOutcome;
use bulkhead_report::diff as render;
use bulkhead_report::filter::{self, Filter};
use clap::Args;
use std::path::PathBuf;

/// Flags of `bulkhead diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Image A, the one before: a name (Docker daemon, then registry) or a
    /// file (docker save tarball, OCI layout dir or tarball).
    pub a: Option<String>,
    /// Image B, the one after (same kinds of target as A).
    pub b: Option<String>,
    /// Read image A from this file or folder (instead of the first argument).
    #[arg(long, value_name = "PATH")]
    pub input_a: Option<PathBuf>,
    /// Read image B from this file or folder (instead of the second argument).
    #[arg(long, value_name = "PATH")]
    pub input_b: Option<PathBuf>,
    /// Platform to pick from a multi-platform index: os/arch[/variant].
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    #[command(flatten)]
    pub limits: crate::args::LimitArgs,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Database flags, `--ignore-unfixed`, `--distro`, and the filters:
    /// `--severity` limits the fixed and introduced findings shown,
    /// `--exit-code`/`--fail-on` look at introduced findings only. Only the
    /// vulnerability scanner runs (`--scanners` other than `vuln` is refused).
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// The request of one side (vulnerabilities only: the engine's diff sets
/// the scanners).
fn side_request(
    global: &GlobalArgs,
    which: Side,
    target: &Target,
    args: &DiffArgs,
    scan: &ScanArgs,
) -> Result<bulkhead_engine::ScanRequest> {
    let flags = request::TargetFlags {
        platform: args.platform.as_deref(),
        limits: &args.limits,
        source: &args.source,
    };
    request::for_target(global, Ok(target.clone()), flags, Some(scan))
        .with_context(|| format!("cannot scan {}", which.label()))
}

pub fn run(global: &GlobalArgs, args: DiffArgs) -> Result<i32> {
    // Check the flags and both targets before the (long) scans.
    let terminal = output::terminal(global);
    let format = bulkhead_report::flags::diff_format(global.format.as_deref(), terminal)?;
    let shown = args.scan.report.shown()?;
    let policy = args.scan.report.policy()?;
    let ignores = args.scan.report.ignores(global)?;
    let ta = Side::A.target(args.a.as_deref(), args.input_a.as_deref())?;
    let tb = Side::B.target(args.b.as_deref(), args.input_b.as_deref())?;
    // Only the vulnerability scanner: the diff compares packages and their
    // advisories. Every package is kept in the reports.
    bulkhead_engine::diff::check_scanners(&args.scan.scanners)?;
    let scan = ScanArgs {
        scanners: vec!["vuln".to_string()],
        list_all_pkgs: true,
        ..args.scan.clone()
    };
    let before = side_request(global, Side::A, &ta, &args, &scan)?;
    let after = side_request(global, Side::B, &tb, &args, &scan)?;
    // Ignores and --ignore-unfixed apply to both images before comparing;
    // the severity filter applies to what the diff shows.
    let f = Filter {
        severities: None,
        ignore_unfixed: args.scan.ignore_unfixed || args.scan.only_fixed,
        ignores,
        today: bulkhead_engine::settings::today_utc(),
    };
    let secrets = global.settings()?.secret_scanner()?;
    let mut diff = bulkhead_engine::diff::diff(
        &before,
        &after,
        &secrets,
        &crate::progress::Bars::new(global.quiet),
        &|r| {
            filter::apply(r, &f);
        },
    )?;
    // --fail-on, --fail-on-kev and --epss-threshold look at every
    // introduced finding, shown or not (Grype semantics); --exit-code at
    // the introduced findings --severity shows.
    let outcome =
        FilterOutcome::of_vulnerabilities(&diff.vulnerabilities.introduced, shown.as_deref());
    output::warn_blind_spots(&policy, &outcome);
    if let Some(sevs) = &shown {
        diff.retain_severities(sevs);
    }
    let code = policy.diff_exit_code(&outcome, diff.vulnerabilities.introduced.len());
    let mut buf = Vec::new();
    render::write(&diff, format, output::color(global), &mut buf)
        .context("cannot render the diff")?;
    output::write_text(global, &String::from_utf8_lossy(&buf))?;
    Ok(code)
}

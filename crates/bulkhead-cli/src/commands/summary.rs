//! `bulkhead image --summary` (quick view), and what it shares with
//! `--recommend`: the flags, the filters, the base image and
//! cheap image metadata (layers and sizes without reading layers).

use super::image::TargetArgs;
use super::request::{platform, registry_options};
use super::scan::{ImageArgs, ScanArgs};
use crate::args::GlobalArgs;
use crate::output;
use anyhow::Result;
use bulkhead_advise::base::BaseImage;
use bulkhead_advise::eol;
use bulkhead_engine::advise::MetaSources;
use bulkhead_report::filter::{self, Filter, FilterOutcome};
use bulkhead_types::Report;
use clap::Args;
use time::Date;

/// Flags of `bulkhead image` for the quick view and base-image advice.
#[derive(Debug, Args, Clone, Default)]
pub struct AdviseArgs {
    /// Quick view instead of the full report: counts by severity and
    /// fixability, the OS and its end of life, the base image, and the five
    /// most urgent findings (table or json).
    #[arg(long, conflicts_with_all = ["recommend", "verify"])]
    pub summary: bool,
    /// Rank candidate base images by their vulnerabilities (critical, then
    /// high, then all), size and closeness to the current base, and say
    /// which of this image's findings each would fix.
    #[arg(long, conflicts_with = "verify")]
    pub recommend: bool,
    /// Candidate base images for --recommend (comma-separated names or
    /// paths; default: every tag of the current base's repository).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "IMAGE,...",
        requires = "recommend"
    )]
    pub candidates: Vec<String>,
    /// With --recommend and no --candidates: scan at most this many tags,
    /// those nearest the current base's tag.
    #[arg(long, value_name = "N", default_value_t = 10, requires = "recommend")]
    pub max_candidates: usize,
    /// Images that may be this image's base (comma-separated names or
    /// paths): the one whose layers are this image's first layers is its
    /// base, when no label names it.
    #[arg(long, value_delimiter = ',', value_name = "IMAGE,...")]
    pub base_candidates: Vec<String>,
}

/// The scan flags with only the vulnerability scanner (what the quick view
/// and the ranking count).
pub fn vuln_only(scan: &ScanArgs) -> ScanArgs {
    let mut s = scan.clone();
    s.scanners = vec!["vuln".to_string()];
    s
}

/// The report filters of `--severity`, ignores and `--ignore-unfixed`.
pub fn report_filter(global: &GlobalArgs, scan: &ScanArgs, today: Date) -> Result<Filter> {
    Ok(Filter {
        severities: scan.report.shown()?,
        ignore_unfixed: scan.ignore_unfixed || scan.only_fixed,
        ignores: scan.report.ignores(global)?,
        today: eol::iso(today),
    })
}

/// Where `--base-candidates` and `--recommend` look up images by name
/// (`--image-src`, `--platform`, `--insecure`, `--timeout`).
pub fn meta_sources(targs: &TargetArgs) -> Result<MetaSources> {
    Ok(MetaSources {
        sources: targs.source.image_src.clone(),
        platform: platform(targs)?,
        registry: registry_options(targs)?,
    })
}

/// The base image (see [`bulkhead_engine::advise::identify_base`]); the
/// target flags are read only when there are candidates to look up.
pub fn identify_base(
    report: &Report,
    advise: &AdviseArgs,
    targs: &TargetArgs,
    notes: &mut Vec<String>,
) -> Result<Option<BaseImage>> {
    let from = if advise.base_candidates.is_empty() {
        MetaSources {
            sources: Vec::new(),
            platform: None,
            registry: bulkhead_engine::RegistryOptions::default(),
        }
    } else {
        meta_sources(targs)?
    };
    Ok(bulkhead_engine::advise::identify_base(
        report,
        &advise.base_candidates,
        &from,
        notes,
    ))
}

/// `bulkhead image --summary`.
pub fn run(global: &GlobalArgs, args: &ImageArgs) -> Result<i32> {
    let today = bulkhead_engine::advise::today()?;
    let scan = vuln_only(&args.scan);
    let filter = report_filter(global, &scan, today)?;
    let policy = scan.report.policy()?;
    let mut report =
        super::scan::scan_report(global, args.target.as_deref(), &args.target_args, &scan)?;
    let outcome: FilterOutcome = filter::apply(&mut report, &filter);
    let mut notes = Vec::new();
    let base = identify_base(&report, &args.advise, &args.target_args, &mut notes)?;
    report.warnings.extend(notes);
    let summary = bulkhead_advise::summarize(&report, base, today);
    output::write_view(global, &summary, bulkhead_report::advise::summary_text)?;
    output::warn_blind_spots(&policy, &outcome);
    Ok(policy.exit_code(&outcome))
}

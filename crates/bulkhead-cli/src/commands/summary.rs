//! `bulkhead image --summary` (quick view), and what it shares with
//! `--recommend`: the flags, "today", the filters, the base image and
//! cheap image metadata (layers and sizes without reading layers).

use super::image::TargetArgs;
use super::request::{platform, registry_options};
use super::scan::{ImageArgs, ScanArgs};
use crate::args::GlobalArgs;
use crate::output;
use anyhow::{Context, Result, bail};
use bulkhead_advise::base::{self, BaseImage};
use bulkhead_advise::eol;
use bulkhead_image::{ImageError, Reference};
use bulkhead_report::Format;
use bulkhead_report::filter::{self, Filter, FilterOutcome};
use bulkhead_types::Report;
use clap::Args;
use std::path::Path;
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

/// Today in UTC, or `BULKHEAD_TODAY` (YYYY-MM-DD) to reproduce a report as
/// of another day.
pub fn today() -> Result<Date> {
    match std::env::var("BULKHEAD_TODAY") {
        Ok(s) if !s.trim().is_empty() => eol::parse_date(&s)
            .with_context(|| format!("BULKHEAD_TODAY={s:?} is not a date: use YYYY-MM-DD")),
        _ => Ok(time::OffsetDateTime::now_utc().date()),
    }
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
    let (shown, _) = output::severities(&scan.report)?;
    Ok(Filter {
        severities: shown,
        ignore_unfixed: scan.ignore_unfixed || scan.only_fixed,
        ignores: output::ignore_rules(global, &scan.report)?,
        today: eol::iso(today),
    })
}

/// An image's layers and stored size, read without reading its layers.
pub struct ImageMeta {
    pub diff_ids: Vec<String>,
    /// Sum of stored layer sizes; unknown for images in the Docker daemon.
    pub size: Option<u64>,
}

/// Sum of the stored layer sizes, saturating: a registry's manifest may
/// claim any sizes.
fn stored_size(layers: &[bulkhead_image::Layer]) -> u64 {
    layers.iter().fold(0u64, |n, l| n.saturating_add(l.size))
}

/// Layers and size of an image given as a path or a name (sources in the
/// order of `--image-src`, like a scan).
pub fn image_meta(name: &str, targs: &TargetArgs) -> Result<ImageMeta> {
    let platform = platform(targs)?;
    if Path::new(name).exists() {
        let img = bulkhead_image::open_input(Path::new(name), platform.as_ref())
            .with_context(|| format!("cannot read image {name}"))?;
        return Ok(ImageMeta {
            size: Some(stored_size(&img.layers)),
            diff_ids: img.diff_ids,
        });
    }
    let mut tried = Vec::new();
    for src in &targs.source.image_src {
        let attempt = match src.trim() {
            "docker" => bulkhead_image::daemon::inspect(name).map(|i| ImageMeta {
                diff_ids: i.diff_ids,
                size: None,
            }),
            "remote" => {
                let r = Reference::parse(name).map_err(anyhow::Error::msg)?;
                bulkhead_image::registry::pull(&r, platform.as_ref(), registry_options(targs)?).map(
                    |img| ImageMeta {
                        size: Some(stored_size(&img.layers)),
                        diff_ids: img.diff_ids,
                    },
                )
            }
            other => {
                bail!("unknown image source {other:?} in --image-src: use docker and/or remote")
            }
        };
        match attempt {
            Ok(m) => return Ok(m),
            Err(ImageError::NotFound(m) | ImageError::Unreachable(m)) => {
                tried.push(format!("{src}: {m}"));
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read image {name}")),
        }
    }
    bail!(
        "image {name} was not found ({}): check the name, or pass a file path",
        tried.join("; ")
    )
}

/// The base image: its labels first, else the `--base-candidates` image
/// whose layers are this image's first layers. Candidates that cannot be
/// read are noted and skipped.
pub fn identify_base(
    report: &Report,
    advise: &AdviseArgs,
    targs: &TargetArgs,
    notes: &mut Vec<String>,
) -> Option<BaseImage> {
    if let Some(b) = report
        .metadata
        .image_config
        .as_ref()
        .and_then(base::from_labels)
    {
        return Some(b);
    }
    let mut metas: Vec<(String, Vec<String>)> = Vec::new();
    for name in &advise.base_candidates {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        match image_meta(name, targs) {
            Ok(m) => metas.push((name.to_string(), m.diff_ids)),
            Err(e) => notes.push(format!("base candidate {name} skipped: {e:#}")),
        }
    }
    let found = base::from_layers(
        &report.metadata.diff_ids,
        metas.iter().map(|(n, d)| (n.as_str(), d.as_slice())),
    );
    if found.is_none() && !metas.is_empty() {
        notes.push(
            "none of the --base-candidates has layers that start this image: base not identified"
                .to_string(),
        );
    }
    found
}

/// Write a view as text (table) or JSON.
pub fn write_view<T: serde::Serialize>(
    global: &GlobalArgs,
    view: &T,
    text: impl FnOnce(&T) -> String,
) -> Result<()> {
    let format = output::choose_format(global, &["table", "json"])?;
    let out = match format {
        Format::Table => text(view),
        _ => {
            let mut s = bulkhead_types::text::to_json_pretty(view)
                .map_err(|e| crate::Internal(format!("cannot serialise the view: {e}")))?;
            s.push('\n');
            s
        }
    };
    output::write_text(global, &out)
}

/// `bulkhead image --summary`.
pub fn run(global: &GlobalArgs, args: &ImageArgs) -> Result<i32> {
    let today = today()?;
    let scan = vuln_only(&args.scan);
    let filter = report_filter(global, &scan, today)?;
    let policy = output::exit_policy(&scan.report)?;
    let mut report =
        super::scan::scan_report(global, args.target.as_deref(), &args.target_args, &scan)?;
    let outcome: FilterOutcome = filter::apply(&mut report, &filter);
    let mut notes = Vec::new();
    let base = identify_base(&report, &args.advise, &args.target_args, &mut notes);
    report.warnings.extend(notes);
    let summary = bulkhead_advise::summarize(&report, base, today);
    write_view(global, &summary, bulkhead_report::advise::summary_text)?;
    output::warn_blind_spots(&policy, &outcome);
    Ok(policy.exit_code(&outcome))
}

//! `bulkhead sbom`: read a target into an inventory (`bulkhead_engine`) and
//! report it; the target flags shared by `sbom`, `image` and `diff`.

use crate::args::{GlobalArgs, ReportArgs};
use crate::output::{self, EmitOptions};
use crate::progress;
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

/// Flags that choose and bound the target.
#[derive(Debug, Args, Clone, Default)]
pub struct TargetArgs {
    /// Read the image from a file or folder: a `docker save` tarball, an OCI
    /// layout directory or an OCI layout tarball.
    #[arg(long, value_name = "PATH")]
    pub input: Option<PathBuf>,
    /// Platform to pick from a multi-platform index: os/arch[/variant]
    /// (default: this machine's).
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    #[command(flatten)]
    pub limits: crate::args::LimitArgs,
    #[command(flatten)]
    pub source: super::image_source::SourceArgs,
}

/// Flags of `bulkhead sbom`.
#[derive(Debug, Args)]
pub struct SbomArgs {
    /// A root filesystem directory to inventory (or use --input for an image file).
    pub target: Option<String>,
    #[command(flatten)]
    pub target_args: TargetArgs,
}

pub fn run_sbom(global: &GlobalArgs, args: SbomArgs) -> Result<i32> {
    let req = super::request::build(global, args.target.as_deref(), &args.target_args, None)?;
    let scanned = bulkhead_engine::read_target(&req, None, &progress::Bars::new(global.quiet))?;
    let mut report = scanned.report;
    report.results = bulkhead_engine::package_results(&report, &scanned.inventory);
    report.warnings = scanned.inventory.warnings.clone();
    // The SBOM repeats the image config and history: no secret in them
    // leaves whole (the same redaction as `image`).
    super::secret::redact_report(&mut report, &super::secret::load_scanner(global)?);
    if !global.quiet {
        for w in &report.warnings {
            tracing::warn!("{w}");
        }
    }
    let format = output::choose_format(global, bulkhead_report::SBOM_FORMATS)?;
    output::write(&report, global, format, true)?;
    let _ = (ReportArgs::default(), EmitOptions::default());
    Ok(0)
}

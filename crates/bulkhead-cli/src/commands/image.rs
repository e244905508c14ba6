//! `bulkhead sbom`: a target's packages (`bulkhead_engine::sbom`), written
//! in the chosen format; the target flags shared by `sbom`, `image` and `diff`.

use crate::args::GlobalArgs;
use crate::output;
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
    let bars = progress::Bars::new(global.quiet);
    let report = bulkhead_engine::sbom::report(&req, global.config.as_deref(), &bars)?;
    if !global.quiet {
        for w in &report.warnings {
            tracing::warn!("{w}");
        }
    }
    let format = output::choose_format(global, bulkhead_report::SBOM_FORMATS)?;
    output::write(&report, global, format, true)?;
    Ok(0)
}

//! `bulkhead image`, `bulkhead fs`, `bulkhead sbom`.

use crate::args::{GlobalArgs, ReportArgs};
use anyhow::{Result, bail};
use clap::Args;
use std::path::PathBuf;

/// Flags of `bulkhead image`.
#[derive(Debug, Args)]
pub struct ImageArgs {
    /// Image name (daemon, then registry).
    pub name: Option<String>,
    /// Read the image from a file: docker-archive tar, OCI layout dir or OCI layout tar.
    #[arg(long, value_name = "PATH")]
    pub input: Option<PathBuf>,
    /// Platform to pick from a multi-platform index (os/arch[/variant]).
    #[arg(long)]
    pub platform: Option<String>,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Flags of `bulkhead fs`.
#[derive(Debug, Args)]
pub struct FsArgs {
    /// A root filesystem or project folder.
    pub dir: PathBuf,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Flags of `bulkhead sbom`.
#[derive(Debug, Args)]
pub struct SbomArgs {
    /// Image name, or a directory (root filesystem).
    pub target: Option<String>,
    /// Read the image from a file.
    #[arg(long, value_name = "PATH")]
    pub input: Option<PathBuf>,
    /// Platform to pick from a multi-platform index.
    #[arg(long)]
    pub platform: Option<String>,
}

pub fn run_image(_global: &GlobalArgs, _args: ImageArgs) -> Result<i32> {
    bail!("image scanning is being built")
}

pub fn run_fs(_global: &GlobalArgs, _args: FsArgs) -> Result<i32> {
    bail!("filesystem scanning is being built")
}

pub fn run_sbom(_global: &GlobalArgs, _args: SbomArgs) -> Result<i32> {
    bail!("sbom is being built")
}

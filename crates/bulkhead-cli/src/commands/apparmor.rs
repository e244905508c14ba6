//! `bulkhead apparmor generate`.

use crate::args::GlobalArgs;
use anyhow::Result;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Flags of `bulkhead apparmor`.
#[derive(Debug, Args)]
pub struct AppArmorArgs {
    #[command(subcommand)]
    pub command: AppArmorCommand,
}

/// AppArmor subcommands.
#[derive(Debug, Subcommand)]
pub enum AppArmorCommand {
    /// Render an AppArmor profile for a container from a TOML policy (name,
    /// read/write/exec paths, network, capabilities, deny rules). Load it with
    /// `apparmor_parser -r -W FILE` and run with `--security-opt apparmor=NAME`.
    Generate(GenerateArgs),
}

/// Flags of `bulkhead apparmor generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The policy file (TOML): `name`, `read`, `write`, `exec`, `network`,
    /// `capabilities`, `deny`, `deny_write`, `daemon_profile`, `includes`.
    pub policy: PathBuf,
}

pub fn run(global: &GlobalArgs, args: AppArmorArgs) -> Result<i32> {
    match args.command {
        AppArmorCommand::Generate(a) => {
            let profile = bulkhead_profile::files::apparmor_profile(&a.policy)?;
            crate::output::write_text(global, &profile)?;
            Ok(0)
        }
    }
}

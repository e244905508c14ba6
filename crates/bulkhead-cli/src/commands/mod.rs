//! One module per command. Each turns parsed flags into calls on the library
//! crates and ends in `output::emit` (reports) or `output::write_text`.

pub mod apparmor;
pub mod audit;
pub mod cache;
pub mod check;
pub mod config;
pub mod db;
pub mod diff;
pub mod fleet;
pub mod harden;
pub mod image;
pub mod image_source;
pub mod key;
pub mod recommend;
pub mod request;
pub mod scan;
pub mod seccomp;
pub mod server;
pub mod sign;
pub mod summary;
pub mod verify;
pub mod vex;
pub mod worker;

use crate::args::{Cli, Command};
use anyhow::Result;

/// Run the parsed command line; returns the process exit code.
pub fn run(cli: Cli) -> Result<i32> {
    let global = cli.global;
    match cli.command {
        Command::Config(args) => config::run(&global, args),
        Command::Sbom(args) => image::run_sbom(&global, args),
        Command::Image(args) => scan::run_image(&global, args),
        Command::Fs(args) => scan::run_fs(&global, args),
        Command::Db(args) => db::run(&global, args),
        Command::Diff(args) => diff::run(&global, args),
        Command::Seccomp(args) => seccomp::run(&global, args),
        Command::Apparmor(args) => apparmor::run(&global, args),
        Command::Harden(args) => harden::run(&global, args),
        Command::Audit(args) => audit::run(&global, args),
        Command::Caps(args) => audit::run_caps(&global, args),
        Command::Cache(args) => cache::run(&global, args),
        Command::Key(args) => key::run(&global, args),
        Command::Sign(args) => sign::run(&global, args),
        Command::Verify(args) => verify::run(&global, args),
        Command::Vex(args) => vex::run(&global, args),
        Command::Check(args) => check::run(&global, args),
        Command::Server(args) => server::run(&global, args),
        Command::Fleet(args) => fleet::run(&global, args),
        Command::Worker(args) => worker::run(&global, args),
    }
}

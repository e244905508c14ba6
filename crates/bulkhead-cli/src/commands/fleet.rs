//! `bulkhead fleet scan-registry|rematch|query|status`: flags → a
//! `bulkhead_fleet::cli` call → a `bulkhead_report::fleet` view.

use crate::args::GlobalArgs;
use crate::progress::Bars;
use anyhow::Result;
use bulkhead_fleet::{Query, RegistryTarget};
use clap::{Args, Subcommand};
use std::io::IsTerminal;

/// The fleet database, for every fleet command.
#[derive(Debug, Args, Clone)]
pub struct DbUrl {
    /// The fleet's PostgreSQL database (postgres://USER[:PASSWORD]@HOST[:PORT]/DB).
    #[arg(
        long = "db",
        id = "db_url",
        env = "BULKHEAD_DB_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub url: String,
}

/// Flags of `bulkhead fleet`.
#[derive(Debug, Args)]
pub struct FleetArgs {
    #[command(subcommand)]
    pub command: FleetCommand,
}

/// The `fleet` subcommands.
#[derive(Debug, Subcommand)]
pub enum FleetCommand {
    /// Queue every image of a registry (catalog, tags, digests) that has no
    /// current result or open job; print the counts.
    ScanRegistry(ScanRegistryArgs),
    /// Match every stored inventory against this machine's advisory
    /// database again (after `db update`), without pulling any image;
    /// update the stored reports and print which images changed.
    Rematch(DbArgs),
    /// Which stored images are affected: by a vulnerability, KEV, a
    /// package or severities.
    Query(QueryArgs),
    /// Jobs by state, results, layer reuse, the last re-match, recent failures.
    Status(DbArgs),
}

/// Just the database.
#[derive(Debug, Args)]
pub struct DbArgs {
    #[command(flatten)]
    pub db: DbUrl,
}

/// Flags of `bulkhead fleet scan-registry`.
#[derive(Debug, Args)]
pub struct ScanRegistryArgs {
    /// The registry: HOST[:PORT], optionally with https:// or http://.
    #[arg(value_name = "URL")]
    pub url: String,
    #[command(flatten)]
    pub db: DbUrl,
    /// Only repositories matching this glob (`*` within a path segment,
    /// `**` across); repeatable.
    #[arg(long = "repo", value_name = "GLOB")]
    pub repos: Vec<String>,
    /// Plain HTTP or unverified TLS for this registry (workers too).
    #[arg(long)]
    pub insecure: bool,
    /// Attempts per job before it ends failed.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_attempts: u32,
}

/// Flags of `bulkhead fleet query`: one question.
#[derive(Debug, Args)]
#[group(required = true, multiple = false, id = "question")]
pub struct QueryArgs {
    #[command(flatten)]
    pub db: DbUrl,
    /// Images with this vulnerability (its id or an alias: CVE, GHSA, DSA…).
    #[arg(long, value_name = "ID", group = "question")]
    pub cve: Option<String>,
    /// Images with a finding in CISA's KEV catalogue.
    #[arg(long, group = "question")]
    pub kev: bool,
    /// Images with this package (NAME or NAME@VERSION).
    #[arg(long, value_name = "NAME[@VERSION]", group = "question")]
    pub package: Option<String>,
    /// Images with findings of these severities (comma-separated).
    #[arg(long, value_name = "LIST", value_delimiter = ',', group = "question")]
    pub severity: Vec<String>,
}

/// JSON or a table: `--format`, else a table on a terminal, JSON otherwise.
fn json(global: &GlobalArgs) -> Result<bool> {
    match global.format.as_deref() {
        None => Ok(global.output.is_some() || !std::io::stdout().is_terminal()),
        Some("table") => Ok(false),
        Some("json") => Ok(true),
        Some(other) => anyhow::bail!("fleet commands print table or json, not {other:?}"),
    }
}

pub(crate) fn fleet_err(e: bulkhead_fleet::Error) -> anyhow::Error {
    if e.is_internal() {
        anyhow::Error::new(crate::Internal(e.to_string()))
    } else {
        anyhow::Error::new(e)
    }
}

/// `bulkhead fleet …`.
pub fn run(global: &GlobalArgs, args: FleetArgs) -> Result<i32> {
    let as_json = json(global)?;
    let bars = Bars::new(global.quiet);
    let text = match args.command {
        FleetCommand::ScanRegistry(a) => {
            let target = RegistryTarget {
                url: a.url,
                repo_globs: a.repos,
                insecure: a.insecure,
                max_attempts: a.max_attempts,
            };
            let r =
                bulkhead_fleet::cli::scan_registry(&a.db.url, &target, &bars).map_err(fleet_err)?;
            bulkhead_report::fleet::registry_scan(&r, as_json)?
        }
        FleetCommand::Rematch(a) => {
            let r = bulkhead_fleet::cli::rematch(&a.db.url, &super::db::db_path(global), &bars)
                .map_err(fleet_err)?;
            bulkhead_report::fleet::rematch(&r, as_json)?
        }
        FleetCommand::Query(a) => {
            let q = Query::from_flags(a.cve, a.kev, a.package, &a.severity).map_err(fleet_err)?;
            let r = bulkhead_fleet::cli::query(&a.db.url, &q).map_err(fleet_err)?;
            let color = !as_json
                && !global.no_color
                && global.output.is_none()
                && std::env::var_os("NO_COLOR").is_none()
                && std::io::stdout().is_terminal();
            bulkhead_report::fleet::query(&r, as_json, color)?
        }
        FleetCommand::Status(a) => {
            let r = bulkhead_fleet::cli::status(&a.db.url).map_err(fleet_err)?;
            bulkhead_report::fleet::status(&r, as_json)?
        }
    };
    crate::output::write_text(global, &text)?;
    Ok(0)
}

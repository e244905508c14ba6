//! `bulkhead db update|import|info`: the offline advisory database
//! (`bulkhead_engine::db`), rendered by `bulkhead_report::db`.

use crate::args::GlobalArgs;
use crate::output;
use crate::progress;
use anyhow::{Context, Result};
use bulkhead_osv::{Mirror, UpdateOptions, UpdateReport};
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Flags of `bulkhead db`.
#[derive(Debug, Args)]
pub struct DbArgs {
    #[command(subcommand)]
    pub command: DbCommand,
}

/// The `db` subcommands.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Download the OSV advisories (only what changed since the last update)
    /// and the CISA KEV catalogue, then swap the new database in atomically.
    Update(UpdateArgs),
    /// Add OSV records from JSON/YAML files, folders or zips (a KEV catalogue,
    /// EPSS scores, NVD 2.0 data and CVE JSON 5 records are recognised too).
    Import(ImportArgs),
    /// Show the database's sources, records per ecosystem and age.
    Info,
}

/// Flags of `bulkhead db update`.
#[derive(Debug, Args, Clone, Default)]
pub struct UpdateArgs {
    /// Where to download from: an OSV mirror URL or a local folder laid out
    /// as `ecosystems.txt` + `<Ecosystem>/all.zip` (default: the public OSV
    /// bucket).
    #[arg(long, value_name = "URL|DIR")]
    pub mirror: Option<String>,
    /// Only these ecosystems (comma-separated, as in the mirror's
    /// ecosystems.txt, e.g. `Debian,Alpine,PyPI`).
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub ecosystems: Vec<String>,
    /// KEV catalogue URL or file (default: `<mirror>/kev/known_exploited_vulnerabilities.json`
    /// for a custom mirror, CISA's feed for the default one).
    #[arg(long, value_name = "URL|FILE")]
    pub kev: Option<String>,
    /// FIRST EPSS scores, URL or file (default: `<mirror>/epss/epss_scores-current.csv.gz`
    /// for a custom mirror, FIRST's daily file for the default one).
    #[arg(long, value_name = "URL|FILE")]
    pub epss: Option<String>,
    /// NVD CVE data in NVD's JSON 2.0 shape (a yearly `nvdcve-2.0-YYYY.json.gz`
    /// feed or a CVE API 2.0 response), URL or file; repeatable (default:
    /// every yearly feed, from `<mirror>/nvd/` or NVD).
    #[arg(long, value_name = "URL|FILE")]
    pub nvd: Vec<String>,
    /// CVE JSON 5 records: a zip (the CVE Program's bulk download, CISA's
    /// vulnrichment) or one record, URL or file; repeatable (default:
    /// `<mirror>/cve/vulnrichment.zip` and `cves.zip`, or CISA's vulnrichment).
    #[arg(long, value_name = "URL|FILE")]
    pub cve: Vec<String>,
    /// Fetch no rating data (CVSS, EPSS); what was imported before stays.
    #[arg(long)]
    pub no_ratings: bool,
}

/// Flags of `bulkhead db import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// OSV JSON/YAML files, folders (searched recursively) or zips.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// Path of the advisory database file.
pub fn db_path(global: &GlobalArgs) -> PathBuf {
    bulkhead_engine::db::db_path(&global.cache_dir())
}

pub fn run(global: &GlobalArgs, args: DbArgs) -> Result<i32> {
    let bars = progress::Bars::new(global.quiet);
    match args.command {
        DbCommand::Update(u) => {
            let report = update(global, &u)?;
            print_summary(global, "update", &report);
        }
        DbCommand::Import(i) => {
            let report = bulkhead_engine::db::import(&db_path(global), &i.paths, &bars)?;
            print_summary(global, "import", &report);
        }
        DbCommand::Info => {
            let path = db_path(global);
            let (info, age_days) = bulkhead_engine::db::info(&path)?;
            let text = bulkhead_report::db::info(
                &path.display().to_string(),
                &info,
                age_days,
                global.format.as_deref() == Some("json"),
            )
            .context("cannot render the database info")?;
            output::write_text(global, &text)?;
        }
    }
    Ok(0)
}

/// Run an update with progress on stderr.
pub fn update(global: &GlobalArgs, args: &UpdateArgs) -> Result<UpdateReport> {
    let opts = UpdateOptions {
        mirror: args
            .mirror
            .as_deref()
            .map(Mirror::parse)
            .unwrap_or_default(),
        ecosystems: (!args.ecosystems.is_empty()).then(|| args.ecosystems.clone()),
        kev: args.kev.clone(),
        ratings: bulkhead_osv::RatingOptions {
            skip: args.no_ratings,
            epss: args.epss.clone(),
            nvd: args.nvd.clone(),
            cve: args.cve.clone(),
        },
    };
    let bars = progress::Bars::new(global.quiet);
    Ok(bulkhead_engine::db::update(&db_path(global), &opts, &bars)?)
}

fn print_summary(global: &GlobalArgs, what: &str, r: &UpdateReport) {
    for w in &r.warnings {
        tracing::warn!("{w}");
    }
    for f in r.ratings_updated.iter().chain(&r.stats.rating_files) {
        tracing::info!("ratings: {f}");
    }
    if global.quiet {
        return;
    }
    eprintln!(
        "{}",
        bulkhead_report::db::update_summary(what, &r.summary())
    );
}

//! `bulkhead image` and `bulkhead fs`: inventory a target, match its packages
//! against the offline advisory database, and report.

use super::db;
use super::image::{TargetArgs, package_results};
use crate::args::{GlobalArgs, ReportArgs};
use crate::output::{self, EmitOptions};
use anyhow::{Context, Result, bail};
use bulkhead_match::{Matcher, Target};
use bulkhead_osv::Database;
use bulkhead_types::{OsInfo, Report};
use clap::Args;
use std::path::PathBuf;
use std::time::Duration;

/// Flags shared by `image` and `fs`.
#[derive(Debug, Args, Clone)]
pub struct ScanArgs {
    /// Scanners to run (comma-separated): vuln, secret, misconfig.
    #[arg(long, value_delimiter = ',', default_value = "vuln,secret")]
    pub scanners: Vec<String>,
    /// Hide vulnerabilities that have no fixed version (same as --only-fixed).
    #[arg(long)]
    pub ignore_unfixed: bool,
    /// Hide vulnerabilities that have no fixed version (Grype's name for --ignore-unfixed).
    #[arg(long)]
    pub only_fixed: bool,
    /// Include every package in the report (JSON `Packages`), not only vulnerable ones.
    #[arg(long)]
    pub list_all_pkgs: bool,
    /// Match OS packages as this distribution instead of the detected one,
    /// e.g. `debian/11`, `alpine/3.10`, `almalinux/9`.
    #[arg(long, value_name = "FAMILY/VERSION")]
    pub distro: Option<String>,
    /// Do not update the vulnerability database before scanning.
    #[arg(long)]
    pub skip_db_update: bool,
    /// Never touch the network (implies --skip-db-update).
    #[arg(long)]
    pub offline: bool,
    /// Mirror used when the scan updates a missing or stale database (URL or
    /// folder; default: the public OSV bucket).
    #[arg(long, value_name = "URL|DIR")]
    pub db_mirror: Option<String>,
    /// Update the database before scanning when it is older than this many hours.
    #[arg(long, value_name = "HOURS", default_value_t = 24)]
    pub db_max_age: u64,
    /// Warn when the database is older than this many days.
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub db_warn_age: u64,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Flags of `bulkhead image`.
#[derive(Debug, Args)]
pub struct ImageArgs {
    /// Image to scan: a file (docker save tarball, OCI layout dir or tarball);
    /// or use --input.
    pub target: Option<String>,
    #[command(flatten)]
    pub target_args: TargetArgs,
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Before scanning, check the image's signatures in its registry against
    /// the signing policy (`[policy]` of bulkhead.toml, or --policy); scan
    /// the verified digest, or exit 1 naming the rule that failed.
    #[arg(long)]
    pub verify: bool,
    /// With --verify: read `[policy]` from FILE instead of bulkhead.toml.
    #[arg(long, value_name = "FILE", requires = "verify")]
    pub policy: Option<PathBuf>,
    #[command(flatten)]
    pub advise: super::summary::AdviseArgs,
}

/// Flags of `bulkhead fs`.
#[derive(Debug, Args)]
pub struct FsArgs {
    /// Root filesystem or project folder to scan.
    pub dir: PathBuf,
    /// Refuse files that expand to more than this many bytes. Accepts K, M, G suffixes.
    #[arg(long, value_name = "SIZE", default_value = "64G")]
    pub max_layer_size: String,
    #[command(flatten)]
    pub scan: ScanArgs,
}

pub fn run_image(global: &GlobalArgs, mut args: ImageArgs) -> Result<i32> {
    if args.verify {
        // Everything below reads exactly the verified digest, from the registry.
        let t = args.target.as_deref();
        match super::verify::before_scan(global, t, &args.target_args, args.policy.as_deref())? {
            Ok((pinned, targs)) => (args.target, args.target_args) = (Some(pinned), targs),
            Err(code) => return Ok(code),
        }
    }
    if args.advise.summary {
        return super::summary::run(global, &args);
    }
    if args.advise.recommend {
        return super::recommend::run(global, &args);
    }
    run_scan(
        global,
        args.target.as_deref(),
        &args.target_args,
        &args.scan,
    )
}

pub fn run_fs(global: &GlobalArgs, args: FsArgs) -> Result<i32> {
    if !args.dir.is_dir() {
        bail!(
            "{} is not a directory: pass a root filesystem or project folder",
            args.dir.display()
        );
    }
    let target_args = TargetArgs {
        max_layer_size: args.max_layer_size.clone(),
        ..TargetArgs::default()
    };
    let dir = args.dir.display().to_string();
    run_scan(global, Some(&dir), &target_args, &args.scan)
}

fn parse_distro(s: &str) -> Result<OsInfo> {
    let (family, version) = s.split_once('/').with_context(|| {
        format!("bad --distro {s:?}: use FAMILY/VERSION, e.g. debian/11 or alpine/3.10")
    })?;
    if family.trim().is_empty() || version.trim().is_empty() {
        bail!("bad --distro {s:?}: use FAMILY/VERSION, e.g. debian/11 or alpine/3.10");
    }
    Ok(OsInfo {
        family: family.trim().to_ascii_lowercase(),
        name: version.trim().to_string(),
        ..OsInfo::default()
    })
}

/// Open the database, updating it first when missing or stale (unless
/// offline), and warn when it is old.
fn open_db(global: &GlobalArgs, args: &ScanArgs, notes: &mut Vec<String>) -> Result<Database> {
    let path = db::db_path(global);
    let current = Database::open(&path).ok();
    let stale = match &current {
        None => true,
        Some(d) => d
            .age()
            .is_none_or(|a| a > Duration::from_secs(args.db_max_age.saturating_mul(3600))),
    };
    if stale && !args.offline && !args.skip_db_update {
        drop(current);
        let up = db::UpdateArgs {
            mirror: args.db_mirror.clone(),
            ..db::UpdateArgs::default()
        };
        match db::update(global, &up) {
            Ok(r) => notes.extend(r.warnings),
            Err(e) if path.is_file() => notes.push(format!(
                "could not update the vulnerability database ({e:#}); scanning with the existing one"
            )),
            Err(e) => {
                return Err(e).context(
                    "no vulnerability database yet and the download failed: run `bulkhead db update --mirror URL|DIR`, \
                     or `bulkhead db import PATH`, then scan again (or pass --scanners without vuln)",
                );
            }
        }
    }
    let db = Database::open(&path)?;
    if let Some(age) = db.age() {
        let days = age.as_secs() / 86_400;
        if days >= args.db_warn_age {
            notes.push(format!(
                "the vulnerability database is {days} day(s) old: run `bulkhead db update` for recent advisories"
            ));
        }
    }
    Ok(db)
}

fn run_scan(
    global: &GlobalArgs,
    target: Option<&str>,
    targs: &TargetArgs,
    args: &ScanArgs,
) -> Result<i32> {
    let report = scan_report(global, target, targs, args)?;
    output::emit(
        report,
        global,
        &args.report,
        output::SCAN_FORMATS,
        EmitOptions {
            ignore_unfixed: args.ignore_unfixed || args.only_fixed,
            list_packages: args.list_all_pkgs,
        },
    )
}

/// Scan a target with the chosen scanners into an unfiltered report (every
/// package kept in `Results[].Packages`); `bulkhead diff` runs it twice.
pub fn scan_report(
    global: &GlobalArgs,
    target: Option<&str>,
    targs: &TargetArgs,
    args: &ScanArgs,
) -> Result<Report> {
    let mut notes: Vec<String> = Vec::new();
    let mut vuln = false;
    let mut secret = false;
    let mut misconfig = false;
    for s in &args.scanners {
        match s.trim().to_ascii_lowercase().as_str() {
            "vuln" => vuln = true,
            "secret" => secret = true,
            // `config` is the (and older Trivy's) name for it.
            "misconfig" | "config" => misconfig = true,
            "" => {}
            other => bail!("unknown scanner {other:?}: choose from vuln, secret, misconfig"),
        }
    }
    let distro = args.distro.as_deref().map(parse_distro).transpose()?;
    // Check the database before reading a large image.
    let db = if vuln {
        Some(open_db(global, args, &mut notes)?)
    } else {
        None
    };
    // The secret scanner reads file contents in the same pass over the layers;
    // its rules also redact secrets the report repeats from the image config.
    let secrets = super::secret::load_scanner(global)?;
    let content: Option<&dyn bulkhead_scan::ContentScanner> = secret.then_some(&secrets);
    let scanned = super::image::scan_target_with(global, target, targs, content)?;
    let secret_results = if secret {
        super::secret::secret_results(&scanned, &secrets)
    } else {
        Vec::new()
    };
    // Image-config checks (User, Healthcheck, Env, history, setuid and
    // world-writable files): an image has a config, a folder has none.
    let misconfig_results = match &scanned.image {
        Some(image) if misconfig => bulkhead_lint::image_config_results(
            &image.config,
            scanned.inventory.image_files(),
            scanned.inventory.users.as_deref(),
        ),
        None if misconfig => {
            notes.push(
                "the misconfig scanner checks image configs and a folder has none: \
                 use `bulkhead config DIR` for its Dockerfiles and Compose files"
                    .to_string(),
            );
            Vec::new()
        }
        _ => Vec::new(),
    };
    let mut report = scanned.report;
    let inventory = scanned.inventory;
    report.results = package_results(&report, &inventory);
    notes.extend(inventory.warnings.iter().cloned());
    if let Some(db) = &db {
        let os = distro.or_else(|| inventory.os.clone());
        let mut matcher = Matcher::new(db);
        if inventory.package_sets.is_empty() {
            notes.push("no packages found: nothing to match".to_string());
        }
        for (result, set) in report.results.iter_mut().zip(&inventory.package_sets) {
            match Target::for_packages(set.ecosystem, os.as_ref()) {
                Ok(t) => {
                    let m = matcher.match_packages(&t, &set.packages);
                    result.vulnerabilities = m.vulnerabilities;
                    notes.extend(m.notes);
                }
                Err(note) => notes.push(note),
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    notes.retain(|n| seen.insert(n.clone()));
    for n in &notes {
        tracing::warn!("{n}");
    }
    report.warnings = notes;
    report.results.extend(secret_results);
    report.results.extend(misconfig_results);
    // A secret in the config `Env` is reported once, as BH-IM-004, not again
    // as a secret finding.
    bulkhead_secrets::sources::drop_image_env_duplicates(&mut report);
    super::secret::redact_report(&mut report, &secrets);
    Ok(report)
}

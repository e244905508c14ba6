//! Running the scanners over a read target: database open and staleness
//! policy, the matching loop, image-config checks, secret results, warning
//! de-duplication and redaction.

use crate::error::{Context, Error, Result};
use crate::target::{Scanned, package_results, read_target};
use crate::{DbPolicy, Progress, ScanOutput, ScanRequest};
use bulkhead_match::{Matcher, Target};
use bulkhead_osv::{Database, Mirror, UpdateOptions};
use bulkhead_secrets::{Scanner, sources};
use bulkhead_types::ScanResult;

/// Scan the request's target with its scanners, with the secret rules of
/// `req.secrets`. Blocking; see the crate documentation for async callers.
pub fn scan(req: &ScanRequest, progress: &dyn Progress) -> Result<ScanOutput> {
    let secrets = Scanner::new(&req.secrets).context("the [secrets] settings")?;
    scan_with(req, &secrets, progress)
}

/// [`scan`] with an already built secret scanner (its rules also redact what
/// the report repeats from the image config and history, whatever scanners
/// run).
pub fn scan_with(
    req: &ScanRequest,
    secrets: &Scanner,
    progress: &dyn Progress,
) -> Result<ScanOutput> {
    let mut notes: Vec<String> = Vec::new();
    let scanners = req.scanners;
    // Check the database before reading a large image.
    let db = if scanners.vuln {
        Some(open_db(&req.db, progress, &mut notes)?)
    } else {
        None
    };
    // The secret scanner reads file contents in the same pass over the layers.
    let content: Option<&dyn bulkhead_scan::ContentScanner> = scanners.secret.then_some(secrets);
    let scanned = read_target(req, content, progress)?;
    let secret_results = if scanners.secret {
        secret_results(&scanned, secrets)
    } else {
        Vec::new()
    };
    // Image-config checks (User, Healthcheck, Env, history, setuid and
    // world-writable files): an image has a config, a folder has none.
    let misconfig_results = match &scanned.image {
        Some(image) if scanners.misconfig => bulkhead_lint::image_config_results(
            &image.config,
            scanned.inventory.image_files(),
            scanned.inventory.users.as_deref(),
        ),
        None if scanners.misconfig => {
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
        let os = req.distro.clone().or_else(|| inventory.os.clone());
        notes.extend(match_packages(
            db,
            os.as_ref(),
            &inventory.package_sets,
            &mut report.results,
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    notes.retain(|n| seen.insert(n.clone()));
    report.warnings = notes.clone();
    report.results.extend(secret_results);
    report.results.extend(misconfig_results);
    // A secret in the config `Env` is reported once, as BH-IM-004, not again
    // as a secret finding.
    sources::drop_image_env_duplicates(&mut report);
    sources::redact_report(&mut report, secrets);
    Ok(ScanOutput {
        inventory,
        report,
        warnings: notes,
    })
}

/// Match package sets against the database: `results[i]` (the package
/// result of `package_sets[i]`, as [`package_results`] built them) gets the
/// vulnerabilities of set `i`, as `os` (the detected or forced distribution)
/// sees them. Returns the notes (no data for an ecosystem, …). A scan does
/// this once; a fleet re-matches stored inventories with it when the
/// database changes.
pub fn match_packages(
    db: &Database,
    os: Option<&bulkhead_types::OsInfo>,
    package_sets: &[bulkhead_scan::PackageSet],
    results: &mut [ScanResult],
) -> Vec<String> {
    match_packages_with(&mut Matcher::new(db), os, package_sets, results)
}

/// [`match_packages`] with a matcher the caller keeps: its read cache of
/// advisories and ratings then serves every inventory matched with it
/// (a fleet re-match of thousands of images reads each package's
/// advisories once, not once per image).
pub fn match_packages_with(
    matcher: &mut Matcher<'_>,
    os: Option<&bulkhead_types::OsInfo>,
    package_sets: &[bulkhead_scan::PackageSet],
    results: &mut [ScanResult],
) -> Vec<String> {
    let mut notes = Vec::new();
    if package_sets.is_empty() {
        notes.push("no packages found: nothing to match".to_string());
    }
    for (result, set) in results.iter_mut().zip(package_sets) {
        match Target::for_packages(set.ecosystem, os) {
            Ok(t) => {
                let m = matcher.match_packages(&t, &set.packages);
                result.vulnerabilities = m.vulnerabilities;
                notes.extend(m.notes);
            }
            Err(note) => notes.push(note),
        }
    }
    notes
}

/// Secret results of a target read with `scanner` as its content scanner:
/// image layers (with `Layer`/`RemovedIn`), config `Env` and history; or the
/// files of a directory.
pub fn secret_results(scanned: &Scanned, scanner: &Scanner) -> Vec<ScanResult> {
    match &scanned.image {
        Some(image) => {
            sources::image_results(image, &scanned.layers, &scanned.inventory.fs, scanner)
        }
        None => scanned
            .layers
            .iter()
            .flat_map(sources::dir_results)
            .collect(),
    }
}

/// Open the database, updating it first when missing or stale (unless
/// offline), and warn when it is old.
fn open_db(
    policy: &DbPolicy,
    progress: &dyn Progress,
    notes: &mut Vec<String>,
) -> Result<Database> {
    let path = &policy.path;
    let current = Database::open(path).ok();
    let stale = match &current {
        None => true,
        Some(d) => d.age().is_none_or(|a| a > policy.max_age),
    };
    if stale && !policy.offline && !policy.skip_update {
        drop(current);
        match update(policy, progress) {
            Ok(r) => notes.extend(r.warnings),
            Err(e) if path.is_file() => notes.push(format!(
                "could not update the vulnerability database ({e:#}); scanning with the existing one"
            )),
            Err(e) => {
                // Whatever stopped the download (an unreachable mirror, a
                // bad archive), the scan has no database: the caller must
                // get one first.
                return Err(Error::Database(
                    e.context(
                        "no vulnerability database yet and the download failed: run `bulkhead db update --mirror URL|DIR`, \
                         or `bulkhead db import PATH`, then scan again (or pass --scanners without vuln)",
                    )
                    .message()
                    .to_string(),
                ));
            }
        }
    }
    let db = Database::open(path)?;
    if let Some(age) = db.age() {
        let days = age.as_secs() / 86_400;
        if days >= policy.warn_age_days {
            notes.push(format!(
                "the vulnerability database is {days} day(s) old: run `bulkhead db update` for recent advisories"
            ));
        }
    }
    Ok(db)
}

/// Update the database from the policy's mirror (all ecosystems, default
/// KEV and rating sources).
fn update(policy: &DbPolicy, progress: &dyn Progress) -> Result<bulkhead_osv::UpdateReport> {
    let opts = UpdateOptions {
        mirror: policy
            .mirror
            .as_deref()
            .map(Mirror::parse)
            .unwrap_or_default(),
        ecosystems: None,
        kev: None,
        ratings: bulkhead_osv::RatingOptions::default(),
    };
    progress.start("updating advisories", Some(0));
    let report = bulkhead_osv::update(&policy.path, &opts, &|p| progress.db_update(&p))
        .with_context(|| {
            format!(
                "cannot update the vulnerability database {}",
                policy.path.display()
            )
        })?;
    progress.finish();
    Ok(report)
}

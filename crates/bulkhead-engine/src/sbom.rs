//! `bulkhead sbom` as one call: a target read into an inventory and
//! reported package by package, no scanner run.

use crate::error::Result;
use crate::{Progress, ScanRequest};
use bulkhead_types::Report;
use std::path::Path;

/// The request's target as a report of its packages (every package listed,
/// with its layer) and the warnings of reading it. The report repeats the
/// image config and history: secrets in them are redacted with the built-in
/// rules plus `[secrets]` of the settings file (`config`, see
/// [`crate::settings::load`]), as a scan's are.
pub fn report(req: &ScanRequest, config: Option<&Path>, progress: &dyn Progress) -> Result<Report> {
    let scanned = crate::read_target(req, None, progress)?;
    let mut report = scanned.report;
    report.results = crate::package_results(&report, &scanned.inventory);
    report.warnings = scanned.inventory.warnings.clone();
    let secrets = crate::settings::load(config)?.secret_scanner()?;
    bulkhead_secrets::sources::redact_report(&mut report, &secrets);
    Ok(report)
}

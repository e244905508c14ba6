//! Two images compared through the engine: each side read and matched like
//! [`crate::scan`] (vulnerabilities only, every package kept), then
//! [`bulkhead_diff::compare`].

use crate::{Progress, ScanRequest, Scanners};
use anyhow::{Context, Result};
use bulkhead_diff::ImageDiff;
use bulkhead_secrets::Scanner;
use bulkhead_types::Report;

/// Which side of a diff, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

impl Side {
    /// "image A (before)" / "image B (after)".
    pub fn label(self) -> &'static str {
        match self {
            Side::A => "image A (before)",
            Side::B => "image B (after)",
        }
    }
}

/// Scan `before` and `after` (their scanners are set to vulnerabilities
/// only: the diff compares packages, advisories, layers and config) with
/// `secrets` redacting what the reports repeat from the images, apply
/// `prepare` to both reports (the caller's ignores and `--ignore-unfixed`,
/// which must hold on both sides before comparing), and compare. Errors
/// name the side.
pub fn diff(
    before: &ScanRequest,
    after: &ScanRequest,
    secrets: &Scanner,
    progress: &dyn Progress,
    prepare: &dyn Fn(&mut Report),
) -> Result<ImageDiff> {
    let side = |req: &ScanRequest, which: Side| -> Result<Report> {
        let mut req = req.clone();
        req.scanners = Scanners {
            vuln: true,
            ..Scanners::default()
        };
        let out = crate::scan_with(&req, secrets, progress)
            .with_context(|| format!("cannot scan {}", which.label()))?;
        for n in &out.warnings {
            tracing::warn!("{n}");
        }
        let mut report = out.report;
        prepare(&mut report);
        Ok(report)
    };
    let a = side(before, Side::A)?;
    let b = side(after, Side::B)?;
    Ok(bulkhead_diff::compare(&a, &b))
}

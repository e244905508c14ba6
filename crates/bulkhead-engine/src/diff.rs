//! Two images compared through the engine: each side read and matched like
//! [`crate::scan`] (vulnerabilities only, every package kept), then
//! [`bulkhead_diff::compare`].

use crate::error::{Context, Result, bail};
use crate::{Progress, ScanRequest, Scanners, Target};
use bulkhead_diff::ImageDiff;
use bulkhead_secrets::Scanner;
use bulkhead_types::Report;
use std::path::Path;

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

/// Whether `t` can only be a path (image names never start with `/` or `.`).
fn looks_like_path(t: &str) -> bool {
    t.starts_with('/') || t.starts_with("./") || t.starts_with("../") || t.ends_with(".tar")
}

impl Side {
    /// The target of this side: `positional` (a name or a path) or `input`
    /// (`--input-a`/`--input-b`, a path), exactly one of them. A path that
    /// must exist is checked here, before the (long) scans.
    pub fn target(self, positional: Option<&str>, input: Option<&Path>) -> Result<Target> {
        let label = self.label();
        match (positional, input) {
            (Some(_), Some(_)) => bail!(
                "{label} is given twice (an argument and --input-{}): give one",
                if self == Side::A { "a" } else { "b" }
            ),
            (None, Some(p)) => {
                if !p.exists() {
                    bail!("{label}: {} does not exist: check the path", p.display());
                }
                Ok(Target::File(p.to_path_buf()))
            }
            (Some(t), None) => {
                let path = Path::new(t);
                if looks_like_path(t) && !path.exists() {
                    bail!("{label}: {t} does not exist: check the path (or give an image name)");
                }
                // An OCI layout directory is an image (`image DIR` would read
                // it as a root filesystem); other folders stay root filesystems.
                if path.is_file() || path.join("oci-layout").is_file() {
                    return Ok(Target::File(path.to_path_buf()));
                }
                Target::resolve(Some(t), None)
            }
            (None, None) => bail!(
                "{label} is missing: run `bulkhead diff A B` with two image names or files \
                 (or --input-a PATH / --input-b PATH)"
            ),
        }
    }
}

/// Check the scanners asked of a diff: it compares packages, advisories,
/// layers and config only, so anything but the scan default (`vuln,secret`)
/// or `vuln` would be silently ignored, and is refused.
pub fn check_scanners(asked: &[String]) -> Result<()> {
    let asked: Vec<&str> = asked.iter().map(|s| s.trim()).collect();
    if asked != ["vuln", "secret"] && asked != ["vuln"] {
        bail!(
            "bulkhead diff compares packages, vulnerabilities, layers and image config only; \
             --scanners {} is not supported here: drop it (run `bulkhead image --scanners …` on each image for secrets or misconfigurations)",
            asked.join(",")
        );
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_vulnerability_scanner() {
        let given = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(check_scanners(&given(&["vuln", "secret"])).is_ok());
        assert!(check_scanners(&given(&[" vuln"])).is_ok());
        let e = check_scanners(&given(&["vuln", "misconfig"])).unwrap_err();
        assert!(
            e.to_string()
                .contains("--scanners vuln,misconfig is not supported"),
            "{e}"
        );
    }
}

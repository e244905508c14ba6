//! A live CIS Docker Benchmark audit as one call: check selection and the
//! baseline are read first ([`plan`], before the daemon is reached), then
//! [`run`] collects a snapshot over the Engine API, runs the checks and
//! keeps only what drifted from the baseline. Async: the caller owns the
//! tokio runtime.

use crate::error::Result;
use crate::error::bail;
use bulkhead_audit::checks::Check;
use bulkhead_audit::engine::{self, CollectOptions, ContainerCaps};
use bulkhead_audit::report;
use bulkhead_types::Report;
use std::path::PathBuf;

/// One audit, as plain data.
#[derive(Debug, Clone, Default)]
pub struct AuditRequest {
    /// Only this running container (name or id): container checks only.
    pub container: Option<String>,
    /// Checks to run (CIS ids or sections, Bulkhead ids); empty: all.
    pub checks: Vec<String>,
    /// Checks to skip (same syntax).
    pub skip: Vec<String>,
    /// An earlier JSON audit report: keep only what drifted since.
    pub baseline: Option<PathBuf>,
    /// List each container's processes (CIS 5.7; one API call each).
    pub processes: bool,
}

/// The checks an audit runs and the baseline it compares with.
pub struct Plan {
    selected: Vec<&'static Check>,
    baseline: Option<Report>,
    collect: CollectOptions,
}

/// What an audit found.
#[derive(Debug)]
pub struct Audited {
    pub report: Report,
    /// With a baseline: how many check results drifted.
    pub drifts: Option<usize>,
}

/// Select the checks and read the baseline: errors here come before the
/// daemon is asked anything.
pub fn plan(req: &AuditRequest) -> Result<Plan> {
    let selected = report::select_checks(&req.checks, &req.skip);
    if selected.is_empty() {
        bail!(
            "--checks {} selects no check: give CIS ids or sections such as 5 or 2.2,5.4",
            req.checks.join(",")
        );
    }
    let baseline = req
        .baseline
        .as_deref()
        .map(report::read_baseline)
        .transpose()?;
    Ok(Plan {
        selected,
        baseline,
        collect: CollectOptions {
            container: req.container.clone(),
            processes: req.processes,
        },
    })
}

/// Connect to the daemon, collect, run the planned checks and compare with
/// the baseline. The report is named after the daemon.
pub async fn run(plan: Plan) -> Result<Audited> {
    let docker = engine::connect().await?;
    let snap = engine::collect(&docker, &plan.collect).await?;
    let name = snap
        .daemon
        .info
        .name
        .clone()
        .unwrap_or_else(engine::daemon_address);
    let mut report = report::build_report(&snap, plan.selected, &name);
    let drifts = plan
        .baseline
        .map(|base| report::apply_baseline(&mut report, &base).len());
    Ok(Audited { report, drifts })
}

/// The capabilities of a running container (`bulkhead caps inspect`).
pub async fn container_caps(container: &str) -> Result<ContainerCaps> {
    let docker = engine::connect().await?;
    Ok(engine::container_caps(&docker, container).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_fail_before_the_daemon() {
        let req = AuditRequest {
            checks: vec!["99.99".into()],
            ..AuditRequest::default()
        };
        let e = plan(&req).err().unwrap();
        assert!(
            e.to_string().starts_with("--checks 99.99 selects no check"),
            "{e}"
        );
        let req = AuditRequest {
            baseline: Some(PathBuf::from("/nonexistent/baseline.json")),
            ..AuditRequest::default()
        };
        let e = plan(&req).err().unwrap();
        assert!(e.to_string().contains("cannot read baseline"), "{e}");
        assert!(plan(&AuditRequest::default()).is_ok());
    }
}

//! The logic of `bulkhead check`: one workload, the eight layers of the
//! container security stack, every finding in one risk order, a fix plan.
//!
//! Pure: [`build`] takes plain data (the runtime settings as a
//! [`ContainerSpec`], the scan [`Report`], the Dockerfile's findings, the
//! signature outcome, the `harden` proposal already rendered) and returns a
//! [`CheckReport`]. `bulkhead_engine::check` gathers the inputs (the scan,
//! the Compose/run/inspect adapters, the registry, `harden`);
//! `bulkhead_report::check` renders the result.
//!
//! - [`scoreboard`]: one rule per layer, each with its evidence.
//! - [`findings`](crate::findings): findings of every scanner, merged when
//!   several report the same thing (a secret in `ENV` seen by the secret
//!   scanner, the image-config check, the runtime control and the
//!   Dockerfile rule is one finding with four sources), each tagged with
//!   its layer.
//! - [`exposure`]: the workload's exposure from its runtime settings, and
//!   the risk formula that combines it with each finding's rating.
//! - [`plan`](crate::plan): the fix plan, each step's effect found by
//!   applying it to the settings and the findings (what it removes, what it
//!   only defuses).
//!
//! The rules and the formula are documented in `docs/check.md`; adding a
//! layer rule means editing [`scoreboard`] and that page.

pub mod exposure;
mod findings;
#[doc(hidden)]
pub mod fuzzing;
mod plan;
pub mod scoreboard;
#[cfg(test)]
mod tests;

use bulkhead_types::check::{
    CHECK_SCHEMA_VERSION, CheckCounts, CheckReport, CheckWorkload, FixFile, SnippetKind,
};
use bulkhead_types::signature::VerifyOutcome;
use bulkhead_types::{ContainerSpec, Misconfiguration, PasswdEntry, Report, Severity, SpecTmpfs};
use std::collections::BTreeMap;

pub use findings::{layer_of_control, layer_of_rule};

/// The scanners the scan ran (a layer whose scanner did not run says so).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScannersRun {
    pub vuln: bool,
    pub secret: bool,
    pub misconfig: bool,
}

/// The Dockerfile's findings (`bulkhead_lint`), when one was given.
#[derive(Debug, Clone, Default)]
pub struct DockerfileInput {
    /// As shown (`Dockerfile`, `build/Dockerfile`).
    pub path: String,
    pub findings: Vec<Misconfiguration>,
}

/// What is known of the image's signatures.
#[derive(Debug, Clone)]
pub enum Trust {
    /// Not looked up, and why (an image file has no registry; registry
    /// access was not allowed).
    NotChecked(String),
    /// The lookup failed, and why (registry unreachable, a policy key that
    /// cannot be read).
    Failed(String),
    /// Looked up: what was found and whether the policy (if any) is met.
    Checked(Box<VerifyOutcome>),
}

/// The settings `harden` proposes, as they change a [`ContainerSpec`]
/// (the engine fills this from `bulkhead_harden::Proposal`).
#[derive(Debug, Clone, Default)]
pub struct Hardened {
    /// Numeric `uid:gid`.
    pub user: String,
    pub read_only: bool,
    /// tmpfs mounts the proposal adds (those the input has already stay).
    pub tmpfs: Vec<SpecTmpfs>,
    pub cap_drop: Vec<String>,
    pub cap_add: Vec<String>,
    pub no_new_privileges: bool,
    /// `seccomp=` value the proposal sets (a profile path), when any.
    pub seccomp: Option<String>,
    pub pids_limit: i64,
    /// Bytes.
    pub memory: u64,
    /// The proposal turns `privileged` off.
    pub unprivileged: bool,
}

/// The `harden` proposal for the workload, rendered.
#[derive(Debug, Clone)]
pub struct HardenPlan {
    /// [`SnippetKind::ComposeOverride`] for a Compose service,
    /// [`SnippetKind::RunFlags`] otherwise.
    pub kind: SnippetKind,
    /// `bulkhead harden`'s text (override file or flags).
    pub text: String,
    pub settings: Hardened,
    /// What the proposal says to do by hand.
    pub warnings: Vec<String>,
    /// Files the text references (a seccomp profile).
    pub files: Vec<FixFile>,
}

/// Everything [`build`] reads.
#[derive(Debug, Clone)]
pub struct CheckInput {
    pub workload: CheckWorkload,
    /// The runtime settings: the Compose service, run flags or inspect
    /// (or Docker's defaults for an image alone), completed with the
    /// image config (`bulkhead_policy::image_config::apply`).
    pub spec: ContainerSpec,
    /// Where the settings came from, for finding locations
    /// (`compose.yaml (service api)`, `container web`, `docker run flags`,
    /// `image defaults`).
    pub spec_origin: String,
    /// Compose lines in `spec` point into one file (`spec_origin` names it):
    /// locations then carry `:LINE`. Off for merged files and other sources.
    pub spec_lines: bool,
    /// The image's `/etc/passwd`, to resolve user names.
    pub passwd: Option<Vec<PasswdEntry>>,
    /// The scan (vulnerabilities, secrets, image-config checks), unfiltered.
    pub report: Report,
    pub scanners: ScannersRun,
    pub dockerfile: Option<DockerfileInput>,
    pub trust: Trust,
    /// Severity of each Compose rule (`BH-CO-003` → MEDIUM): a runtime
    /// finding takes the severity of the Compose rule of its control.
    pub rule_severity: BTreeMap<String, Severity>,
    pub harden: Option<HardenPlan>,
    /// Warnings met while gathering the inputs.
    pub warnings: Vec<String>,
}

/// Build the report: scoreboard, findings in risk order, fix plan, counts.
/// Findings are not filtered (`bulkhead_report::check::filter` applies
/// ignores and `--severity`).
pub fn build(input: CheckInput) -> CheckReport {
    let exposure = exposure::exposure(&input.spec, input.passwd.as_deref());
    let drafts = findings::collect(&input);
    let mut scoreboard = scoreboard::judge(&input, &drafts);
    for v in &mut scoreboard {
        v.findings = drafts.iter().filter(|d| d.layer == v.layer).count();
    }
    let fix_plan = plan::plan(&input, &drafts);
    let mut findings: Vec<_> = drafts
        .iter()
        .map(|d| d.finish(&input.spec, input.passwd.as_deref(), &exposure))
        .collect();
    findings::sort(&mut findings);
    let mut report = input.report.clone();
    report.results.extend(findings::extra_results(&input));
    let mut warnings = input.warnings.clone();
    warnings.extend(report.warnings.iter().cloned());
    let mut seen = std::collections::BTreeSet::new();
    warnings.retain(|w| seen.insert(w.clone()));
    let mut out = CheckReport {
        schema_version: CHECK_SCHEMA_VERSION,
        artifact_name: report.artifact_name.clone(),
        workload: input.workload.clone(),
        scoreboard,
        exposure,
        findings,
        fix_plan,
        counts: CheckCounts::default(),
        warnings,
        report,
    };
    out.recount(0, 0);
    out
}

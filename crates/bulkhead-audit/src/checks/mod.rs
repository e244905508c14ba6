//! The checks, one file per CIS section or small family, registered in the
//! single static list [`CHECKS`].
//!
//! A check is metadata (CIS 1.6.0 id, title, description, resolution,
//! severity) plus a function over the [`Snapshot`]: either global (host,
//! daemon, images, swarm) or run once per running container.

use crate::runtime::RuntimeSettings;
use crate::snapshot::{ContainerFacts, Snapshot};
use bulkhead_types::{MisconfStatus, Severity};

mod s1_host;
mod s2_daemon;
mod s3_files;
mod s4_images;
mod s5_mounts;
mod s5_namespaces;
mod s5_network;
mod s5_privileges;
mod s5_resources;
mod s5_runtime;
mod s6_s7;

/// Where a result belongs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// The machine (sections 1 and 3): `docker-host`.
    Host,
    /// The daemon (sections 2, 5.1, 6, 7 and manual notes): `docker-daemon`.
    Daemon,
    /// An image, by tag or short id.
    Image(String),
    /// A container, by name.
    Container(String),
}

impl Target {
    /// The report's `Target` string.
    pub fn name(&self) -> &str {
        match self {
            Target::Host => "docker-host",
            Target::Daemon => "docker-daemon",
            Target::Image(n) | Target::Container(n) => n,
        }
    }

    /// The report's `Type`.
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Host => "docker-host",
            Target::Daemon => "docker-daemon",
            Target::Image(_) => "image",
            Target::Container(_) => "container",
        }
    }
}

/// The verdict of a check on one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: MisconfStatus,
    /// The field and value seen (`HostConfig.Privileged=true`).
    pub evidence: String,
    /// Short human message; defaults to the title when empty.
    pub message: String,
}

impl Verdict {
    pub fn new(status: MisconfStatus, evidence: impl Into<String>) -> Verdict {
        Verdict {
            status,
            evidence: evidence.into(),
            message: String::new(),
        }
    }
    pub fn pass(evidence: impl Into<String>) -> Verdict {
        Verdict::new(MisconfStatus::Pass, evidence)
    }
    pub fn warn(evidence: impl Into<String>) -> Verdict {
        Verdict::new(MisconfStatus::Warn, evidence)
    }
    pub fn info(evidence: impl Into<String>) -> Verdict {
        Verdict::new(MisconfStatus::Info, evidence)
    }
    pub fn note(evidence: impl Into<String>) -> Verdict {
        Verdict::new(MisconfStatus::Note, evidence)
    }
    /// WARN when `bad`, else PASS, with the same evidence.
    pub fn warn_if(bad: bool, evidence: impl Into<String>) -> Verdict {
        if bad {
            Verdict::warn(evidence)
        } else {
            Verdict::pass(evidence)
        }
    }
    pub fn with_message(mut self, message: impl Into<String>) -> Verdict {
        self.message = message.into();
        self
    }
}

/// One result: a verdict on a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub target: Target,
    pub verdict: Verdict,
}

/// How a check runs.
#[derive(Clone, Copy)]
pub enum Run {
    /// Once over the snapshot; returns one outcome per target it judged
    /// (possibly none, e.g. a file check on a host without the file).
    Global(fn(&Snapshot, &Check) -> Vec<Outcome>),
    /// Once per running container.
    Container(fn(&ContainerFacts, &Snapshot) -> Verdict),
}

/// A check.
#[derive(Clone, Copy)]
pub struct Check {
    /// Our stable id (`AUDIT-5.5`, or `AUDIT-<NAME>` for non-CIS checks).
    pub id: &'static str,
    /// CIS Docker Benchmark 1.6.0 id, empty for our own checks.
    pub cis: &'static str,
    pub title: &'static str,
    /// What the check looks at, and where it differs from docker-bench.
    pub description: &'static str,
    pub resolution: &'static str,
    pub severity: Severity,
    pub run: Run,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check").field("id", &self.id).finish()
    }
}

impl Check {
    /// Runs per container (section 5 and 4.1/4.10 on containers).
    pub fn per_container(&self) -> bool {
        matches!(self.run, Run::Container(_))
    }

    /// Whether a `--checks` selector picks this check: a CIS id (`5.5`), a
    /// section or prefix (`5`, `1.1`), or our id (`AUDIT-5.5`),
    /// case-insensitive.
    pub fn selected_by(&self, selector: &str) -> bool {
        let s = selector.trim();
        if s.is_empty() {
            return false;
        }
        if s.eq_ignore_ascii_case(self.id) {
            return true;
        }
        let cis = if self.cis.is_empty() {
            self.id.trim_start_matches("AUDIT-")
        } else {
            self.cis
        };
        let s = s.trim_start_matches("CIS-").trim_start_matches("cis-");
        cis.eq_ignore_ascii_case(s) || cis.starts_with(&format!("{s}."))
    }
}

/// Every check, in CIS order.
pub static CHECKS: &[&[Check]] = &[
    s1_host::CHECKS,
    s2_daemon::CHECKS,
    s3_files::CHECKS,
    s4_images::CHECKS,
    s5_privileges::CHECKS,
    s5_mounts::CHECKS,
    s5_network::CHECKS,
    s5_namespaces::CHECKS,
    s5_resources::CHECKS,
    s5_runtime::CHECKS,
    s6_s7::CHECKS,
];

/// All checks, flattened.
pub fn all() -> impl Iterator<Item = &'static Check> {
    CHECKS.iter().flat_map(|s| s.iter())
}

/// Run `checks` over `snap`. With `snap.single_container`, only per-container
/// checks run.
pub fn run<'a>(
    snap: &Snapshot,
    checks: impl IntoIterator<Item = &'a Check>,
) -> Vec<(&'a Check, Outcome)> {
    let mut out = Vec::new();
    for check in checks {
        match check.run {
            Run::Global(f) => {
                if snap.single_container {
                    continue;
                }
                for o in f(snap, check) {
                    out.push((check, o));
                }
            }
            Run::Container(f) => {
                for c in &snap.containers {
                    out.push((
                        check,
                        Outcome {
                            target: Target::Container(c.settings.name.clone()),
                            verdict: f(c, snap),
                        },
                    ));
                }
            }
        }
    }
    out
}

/// One daemon-level outcome.
pub(crate) fn daemon(v: Verdict) -> Vec<Outcome> {
    vec![Outcome {
        target: Target::Daemon,
        verdict: v,
    }]
}

/// One host-level outcome.
pub(crate) fn host(v: Verdict) -> Vec<Outcome> {
    vec![Outcome {
        target: Target::Host,
        verdict: v,
    }]
}

/// A manual check: NOTE on the daemon target.
pub(crate) fn manual(_: &Snapshot, check: &Check) -> Vec<Outcome> {
    daemon(Verdict::note("manual review").with_message(check.title))
}

/// The effective `no-new-privileges` daemon default.
pub(crate) fn daemon_no_new_privileges(snap: &Snapshot) -> bool {
    let d = &snap.daemon;
    d.flag_bool("--no-new-privileges") == Some(true)
        || d.json_bool("no-new-privileges") == Some(true)
        || d.security_option("no-new-privileges").is_some()
}

/// Convenience for container checks that only need the settings.
pub(crate) fn settings(c: &ContainerFacts) -> &RuntimeSettings {
    &c.settings
}

/// The container's settings as the spec the `bulkhead-policy` controls
/// read: section-5 checks decide through those controls (the same ones the
/// Compose rules and `harden` run) and keep their own evidence text.
pub(crate) fn spec(c: &ContainerFacts) -> bulkhead_types::ContainerSpec {
    c.settings.to_spec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_unique_and_well_formed() {
        let mut seen = BTreeSet::new();
        for c in all() {
            assert!(seen.insert(c.id), "duplicate id {}", c.id);
            assert!(c.id.starts_with("AUDIT-"));
            if !c.cis.is_empty() {
                assert_eq!(c.id, format!("AUDIT-{}", c.cis));
            }
            assert!(!c.title.is_empty() && !c.resolution.is_empty());
        }
    }

    #[test]
    fn selectors() {
        let c = all().find(|c| c.cis == "5.5").unwrap();
        assert!(c.selected_by("5"));
        assert!(c.selected_by("5.5"));
        assert!(c.selected_by("cis-5.5"));
        assert!(c.selected_by("audit-5.5"));
        assert!(!c.selected_by("5.50"));
        assert!(!c.selected_by("2"));
    }

    #[test]
    fn covers_every_docker_bench_id_of_sections_2_4_5() {
        let ids: BTreeSet<&str> = all().map(|c| c.cis).collect();
        for i in 1..=18 {
            assert!(ids.contains(format!("2.{i}").as_str()), "2.{i}");
        }
        for i in 1..=12 {
            assert!(ids.contains(format!("4.{i}").as_str()), "4.{i}");
        }
        for i in 1..=32 {
            assert!(ids.contains(format!("5.{i}").as_str()), "5.{i}");
        }
        for i in 1..=24 {
            assert!(ids.contains(format!("3.{i}").as_str()), "3.{i}");
        }
    }
}

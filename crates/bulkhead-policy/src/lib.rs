//! Container policy, written once.
//!
//! Bulkhead judges the runtime settings of a container in three places: the
//! Compose linter (`BH-CO-…` rules), the live audit (CIS section 5) and
//! `harden`. All three build a [`bulkhead_types::ContainerSpec`] from their
//! source and run the controls of [`controls`]: one file per control, each
//! with a `check(&ContainerSpec) -> Option<Finding>` (and, where `harden`
//! proposes a value, a `propose`). The commands keep their own report
//! shapes (rule ids, CIS ids, messages); what they decide comes from here,
//! so they agree.
//!
//! The crate is pure (no I/O, no async, no Docker client): besides the
//! controls it holds the adapters whose sources have no crate of their own,
//! [`run_flags`] (a `docker run …` command line, parsed, never executed)
//! and [`image_config`] (an image config JSON's `USER`, `EXPOSE`, `VOLUME`,
//! `HEALTHCHECK`).

pub mod controls;
pub mod image_config;
pub mod run_flags;
mod util;

pub use bulkhead_types::ContainerSpec;
pub use util::parse_bytes;

/// Identity of a control: its name and the ids each command reports it
/// under (the reports keep their ids; this is the cross-reference).
#[derive(Debug, PartialEq, Eq)]
pub struct Control {
    /// Stable short name (`pids-limit`).
    pub name: &'static str,
    pub title: &'static str,
    /// Compose lint rule ids (`BH-CO-019`).
    pub lint: &'static [&'static str],
    /// CIS Docker Benchmark 1.6.0 ids the audit reports (`5.29`).
    pub cis: &'static [&'static str],
}

/// One offending value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// What is wrong, in the spec's normalised terms (`SYS_ADMIN`,
    /// `/var/run/docker.sock:/var/run/docker.sock`, `host`).
    pub value: String,
    /// Compose key the value came from (for lint locations), when any.
    pub key: &'static str,
    /// Origin line (Compose); 0 when unknown.
    pub line: usize,
    /// Index of the offending entry in the spec's list the control reads
    /// (`mounts`, `ports`, `tmpfs`, `cap_add`, `devices`); 0 for settings
    /// that are not lists.
    pub index: usize,
}

/// What a control found wrong with a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub control: &'static Control,
    /// At least one.
    pub hits: Vec<Hit>,
}

impl Finding {
    pub(crate) fn new(control: &'static Control, hits: Vec<Hit>) -> Option<Finding> {
        (!hits.is_empty()).then_some(Finding { control, hits })
    }
    pub(crate) fn one(control: &'static Control, hit: Hit) -> Option<Finding> {
        Some(Finding {
            control,
            hits: vec![hit],
        })
    }
    /// The hit values joined with `, `.
    pub fn values(&self) -> String {
        self.hits
            .iter()
            .map(|h| h.value.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A proposed value and why (what `harden` prints).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposed<T> {
    pub value: T,
    pub why: String,
}

/// What was observed on a running container, passed to `propose` as data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Observations {
    /// Memory in use now (bytes).
    pub memory_usage: Option<u64>,
    /// Processes/threads in the container's cgroup now.
    pub pids: Option<u64>,
}

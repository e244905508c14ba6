//! The workload's exposure and the risk formula (`docs/check.md`, "Risk").
//!
//! Exposure is read from the runtime settings alone: each factor that holds
//! adds its weight, the sum is capped at 1. Every finding's base risk (the
//! rating's risk for a vulnerability, the severity for the rest) is scaled
//! by `0.5 + 0.5 × exposure`: the same finding in a fully exposed
//! container keeps its whole base risk, in a hardened one half of it.

use bulkhead_policy::controls::cap_add::HIGH_RISK;
use bulkhead_policy::controls::{docker_socket, user};
use bulkhead_types::check::{Exposure, ExposureFactor, FindingKind};
use bulkhead_types::rating::severity_midpoint;
use bulkhead_types::{ContainerSpec, PasswdEntry, Severity};

/// Weight of each factor.
pub mod weight {
    pub const PRIVILEGED: f64 = 0.30;
    pub const DOCKER_SOCKET: f64 = 0.30;
    pub const HOST_NAMESPACE: f64 = 0.20;
    pub const ROOT: f64 = 0.15;
    pub const HIGH_RISK_CAPS: f64 = 0.15;
    pub const ADDED_CAPS: f64 = 0.05;
    pub const WRITABLE_ROOT: f64 = 0.10;
    pub const PORT_ALL_INTERFACES: f64 = 0.15;
    pub const PORT_LOOPBACK: f64 = 0.05;
    pub const NO_SECCOMP: f64 = 0.10;
    pub const NO_MAC: f64 = 0.05;
}

/// Share of a finding's threat that a non-vulnerability finding stands
/// for, by kind (a vulnerability's comes from EPSS and KEV): a credential
/// in clear text is usable by whoever reads it; a signature gap or a
/// runtime setting widens what an attacker can do; a Dockerfile habit
/// matters once it is built.
pub fn kind_weight(kind: FindingKind) -> f64 {
    match kind {
        FindingKind::Secret => 0.5,
        FindingKind::Trust => 0.3,
        FindingKind::Runtime | FindingKind::ImageConfig => 0.2,
        FindingKind::Dockerfile => 0.1,
        FindingKind::Vulnerability => 1.0,
    }
}

/// Base risk of a finding that is not a vulnerability:
/// `10 × severity midpoint × kind weight`, one decimal.
pub fn base_risk(kind: FindingKind, severity: Severity) -> f64 {
    round1(10.0 * severity_midpoint(severity) * kind_weight(kind))
}

/// `0.5 + 0.5 × score`.
pub fn multiplier(score: f64) -> f64 {
    0.5 + 0.5 * score.clamp(0.0, 1.0)
}

/// A finding's risk: its base risk scaled by the exposure, one decimal.
pub fn risk(base: f64, exposure: &Exposure) -> f64 {
    round1(base.clamp(0.0, 100.0) * exposure.multiplier)
}

pub(crate) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Whether the process runs as root: no user, `root`, uid 0, or a name
/// the image's `/etc/passwd` gives uid 0.
pub fn runs_as_root(spec: &ContainerSpec, passwd: Option<&[PasswdEntry]>) -> bool {
    let u = spec.effective_user();
    let name = u.split(':').next().unwrap_or(u).trim();
    if name.is_empty() || user::is_root(name) {
        return true;
    }
    name.parse::<u32>().is_err()
        && passwd.is_some_and(|p| p.iter().any(|e| e.name == name && e.uid == 0))
}

/// Whether a host namespace is shared (cgroup left out: it is Docker's
/// default on cgroup v1 hosts).
fn host_namespaces(spec: &ContainerSpec) -> Vec<&'static str> {
    spec.host_namespaces()
        .into_iter()
        .filter(|n| *n != "cgroup")
        .collect()
}

/// The exposure of a workload.
pub fn exposure(spec: &ContainerSpec, passwd: Option<&[PasswdEntry]>) -> Exposure {
    let mut factors: Vec<ExposureFactor> = Vec::new();
    let mut add = |factor: &str, weight: f64, reason: String| {
        factors.push(ExposureFactor {
            factor: factor.to_string(),
            weight,
            reason,
        })
    };
    if spec.privileged {
        add(
            "privileged",
            weight::PRIVILEGED,
            "runs privileged".to_string(),
        );
    }
    if spec
        .mounts
        .iter()
        .any(|m| docker_socket::is_socket(&m.source) || docker_socket::is_socket(&m.target))
        || spec.use_api_socket
    {
        add(
            "docker-socket",
            weight::DOCKER_SOCKET,
            "Docker socket mounted".to_string(),
        );
    }
    let ns = host_namespaces(spec);
    if !ns.is_empty() {
        add(
            "host-namespace",
            weight::HOST_NAMESPACE,
            format!("shares the host's {} namespace", ns.join(", ")),
        );
    }
    if runs_as_root(spec, passwd) {
        add("root", weight::ROOT, "runs as root".to_string());
    }
    let high: Vec<&str> = spec
        .cap_add
        .iter()
        .map(String::as_str)
        .filter(|c| HIGH_RISK.contains(c))
        .collect();
    let dropped_all = spec.cap_drop.iter().any(|c| c == "ALL");
    let other: Vec<&str> = spec
        .cap_add
        .iter()
        .map(String::as_str)
        .filter(|c| !HIGH_RISK.contains(c))
        .filter(|c| {
            // With cap_drop ALL every add counts; otherwise only what
            // Docker's default set lacks (NET_RAW counts: it is the one the
            // stack's advice drops first).
            dropped_all
                || *c == "NET_RAW"
                || !bulkhead_policy::controls::cap_add::DOCKER_DEFAULT.contains(c)
        })
        .filter(|c| *c != "NET_BIND_SERVICE")
        .collect();
    if !high.is_empty() && !spec.privileged {
        add(
            "high-risk-capabilities",
            weight::HIGH_RISK_CAPS,
            format!("adds {}", high.join(", ")),
        );
    } else if !other.is_empty() && !spec.privileged {
        add(
            "added-capabilities",
            weight::ADDED_CAPS,
            format!("adds {}", other.join(", ")),
        );
    }
    if !spec.read_only {
        add(
            "writable-root",
            weight::WRITABLE_ROOT,
            "root filesystem writable".to_string(),
        );
    }
    let all: Vec<String> = spec
        .ports
        .iter()
        .filter(|p| p.all_interfaces())
        .map(port_name)
        .collect();
    let local: Vec<String> = spec
        .ports
        .iter()
        .filter(|p| !p.all_interfaces())
        .map(port_name)
        .collect();
    if !all.is_empty() || spec.publish_all {
        let what = if all.is_empty() {
            "every exposed port published (-P)".to_string()
        } else {
            format!(
                "port{} {} published on all interfaces",
                if all.len() > 1 { "s" } else { "" },
                all.join(", ")
            )
        };
        add("published-port", weight::PORT_ALL_INTERFACES, what);
    } else if !local.is_empty() {
        let ips: Vec<&str> = spec
            .ports
            .iter()
            .map(|p| p.host_ip.trim())
            .filter(|ip| !ip.is_empty())
            .collect();
        let ip = ips.first().copied().unwrap_or("a host address");
        add(
            "published-port-local",
            weight::PORT_LOOPBACK,
            format!(
                "port{} {} published on {ip}",
                if local.len() > 1 { "s" } else { "" },
                local.join(", ")
            ),
        );
    }
    if spec.seccomp() == Some("unconfined") && !spec.privileged {
        add(
            "no-seccomp",
            weight::NO_SECCOMP,
            "seccomp disabled".to_string(),
        );
    }
    let mac_off = spec.has_security_opt("apparmor", Some("unconfined"))
        || spec.apparmor_profile.as_deref() == Some("unconfined")
        || spec.has_security_opt("label", Some("disable"));
    if mac_off && !spec.privileged {
        add(
            "no-mac",
            weight::NO_MAC,
            "AppArmor/SELinux disabled".to_string(),
        );
    }
    factors.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    let score = round2(factors.iter().map(|f| f.weight).sum::<f64>().min(1.0));
    Exposure {
        score,
        multiplier: (multiplier(score) * 1000.0).round() / 1000.0,
        factors,
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `8080` (the host port when published, else the container port).
fn port_name(p: &bulkhead_types::SpecPort) -> String {
    if p.published.trim().is_empty() {
        p.target.clone()
    } else {
        p.published.trim().to_string()
    }
}

/// What keeps the exposure low, for a finding's reasons when no factor
/// holds or few do (`non-root, read-only root, all capabilities dropped`).
pub fn strengths(spec: &ContainerSpec, passwd: Option<&[PasswdEntry]>) -> Vec<String> {
    let mut out = Vec::new();
    if !runs_as_root(spec, passwd) {
        let u = spec.effective_user();
        out.push(format!("runs as {}", u.split(':').next().unwrap_or(u)));
    }
    if spec.read_only {
        out.push("read-only root".to_string());
    }
    if spec.cap_drop.iter().any(|c| c == "ALL") && !spec.privileged {
        out.push("capabilities dropped".to_string());
    }
    if spec.ports.is_empty() && !spec.publish_all {
        out.push("no published port".to_string());
    }
    out
}

//! Section 5, mounts: sensitive host directories (5.6), mount propagation
//! (5.20), the Docker socket (5.32).

use super::{Check, Run, Verdict, spec};
use crate::snapshot::{ContainerFacts, Snapshot};
use bulkhead_policy::controls::{docker_socket, propagation, sensitive_mount};
use bulkhead_types::Severity;

fn sensitive_mounts(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let spec = spec(c);
    let bad: Vec<String> = sensitive_mount::mounts(&spec)
        .map(|m| {
            let mode = if m.read_only { "ro" } else { "rw" };
            format!("{}:{} ({mode})", m.source, m.target)
        })
        .collect();
    if bad.is_empty() {
        Verdict::pass(format!(
            "no bind mount of {}",
            sensitive_mount::SENSITIVE.join(", ")
        ))
    } else {
        Verdict::warn(format!(".Mounts: {}", bad.join(", ")))
    }
}

fn propagation(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let spec = spec(c);
    let bad: Vec<String> = propagation::check(&spec)
        .into_iter()
        .flat_map(|f| f.hits)
        .filter_map(|h| spec.mounts.get(h.index))
        .map(|m| {
            format!(
                "{} Propagation={}",
                m.target,
                m.propagation.as_deref().unwrap_or_default()
            )
        })
        .collect();
    if bad.is_empty() {
        Verdict::pass("no mount with shared propagation")
    } else {
        Verdict::warn(format!(".Mounts: {}", bad.join(", ")))
    }
}

fn docker_socket(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let bad: Vec<String> = docker_socket::check(&spec(c))
        .into_iter()
        .flat_map(|f| f.hits)
        .map(|h| h.value)
        .collect();
    if bad.is_empty() {
        Verdict::pass("no docker.sock, containerd.sock or podman.sock mount")
    } else {
        Verdict::warn(format!(".Mounts: {}", bad.join(", ")))
    }
}

pub(super) static CHECKS: &[Check] = &[
    Check {
        id: "AUDIT-5.6",
        cis: "5.6",
        title: "Sensitive host system directories not mounted",
        description: "A bind mount whose host source is, or is under, /, /boot, /dev, /etc, /lib, /lib64, /proc, /sys, /usr, /bin, /sbin, /run, /var/run, /var/lib/docker, /root or /var/log is flagged, read-only ones too (they still expose the host; the evidence gives the mode). Named volumes are not host directories; sockets are 5.32. Same control as Compose rule BH-CO-015.",
        resolution: "Do not bind-mount host system directories; if unavoidable, mount them read-only (:ro).",
        severity: Severity::High,
        run: Run::Container(sensitive_mounts),
    },
    Check {
        id: "AUDIT-5.20",
        cis: "5.20",
        title: "Mount propagation mode not shared",
        description: "Mounts[].Propagation shared or rshared is flagged.",
        resolution: "Use the default rprivate propagation (drop bind-propagation=shared/rshared).",
        severity: Severity::Medium,
        run: Run::Container(propagation),
    },
    Check {
        id: "AUDIT-5.32",
        cis: "5.32",
        title: "Docker socket not mounted inside containers",
        description: "Any mount whose source or destination ends in docker.sock (or containerd.sock or podman.sock, equally root-equivalent; docker-bench only looks for docker.sock) is flagged. Same control as Compose rule BH-CO-014.",
        resolution: "Do not mount the Docker or containerd socket; use a narrowly scoped API proxy if a container must talk to the daemon.",
        severity: Severity::Critical,
        run: Run::Container(docker_socket),
    },
];

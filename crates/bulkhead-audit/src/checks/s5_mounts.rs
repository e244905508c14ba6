//! Section 5, mounts: sensitive host directories (5.6), mount propagation
//! (5.20), the Docker socket (5.32).

use super::{Check, Run, Verdict, settings};
use crate::snapshot::{ContainerFacts, Snapshot};
use bulkhead_types::Severity;

/// Host directories CIS 5.6 names.
const SENSITIVE: [&str; 8] = [
    "/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr",
];

fn sensitive_mounts(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let bad: Vec<String> = settings(c)
        .mounts
        .iter()
        .filter(|m| m.rw)
        .filter(|m| {
            let src = m.source.trim_end_matches('/');
            let src = if src.is_empty() { "/" } else { src };
            m.kind != "volume"
                && (SENSITIVE.contains(&src) || SENSITIVE.contains(&m.destination.as_str()))
        })
        .map(|m| format!("{}:{} (rw)", m.source, m.destination))
        .collect();
    if bad.is_empty() {
        Verdict::pass("no read-write mount of /, /boot, /dev, /etc, /lib, /proc, /sys or /usr")
    } else {
        Verdict::warn(format!(".Mounts: {}", bad.join(", ")))
    }
}

fn propagation(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let bad: Vec<String> = settings(c)
        .mounts
        .iter()
        .filter(|m| m.propagation == "shared" || m.propagation == "rshared")
        .map(|m| format!("{} Propagation={}", m.destination, m.propagation))
        .collect();
    if bad.is_empty() {
        Verdict::pass("no mount with shared propagation")
    } else {
        Verdict::warn(format!(".Mounts: {}", bad.join(", ")))
    }
}

fn docker_socket(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let bad: Vec<String> = settings(c)
        .mounts
        .iter()
        .filter(|m| {
            ["docker.sock", "containerd.sock"]
                .iter()
                .any(|s| m.source.ends_with(s) || m.destination.ends_with(s))
        })
        .map(|m| format!("{}:{}", m.source, m.destination))
        .collect();
    if bad.is_empty() {
        Verdict::pass("no docker.sock or containerd.sock mount")
    } else {
        Verdict::warn(format!(".Mounts: {}", bad.join(", ")))
    }
}

pub(super) static CHECKS: &[Check] = &[
    Check {
        id: "AUDIT-5.6",
        cis: "5.6",
        title: "Sensitive host system directories not mounted",
        description: "A read-write bind mount whose host source or container destination is /, /boot, /dev, /etc, /lib, /proc, /sys or /usr is flagged (named volumes are not host directories).",
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
        description: "Any mount whose source or destination ends in docker.sock (or containerd.sock, equally root-equivalent; docker-bench only looks for docker.sock) is flagged.",
        resolution: "Do not mount the Docker or containerd socket; use a narrowly scoped API proxy if a container must talk to the daemon.",
        severity: Severity::Critical,
        run: Run::Container(docker_socket),
    },
];

//! Section 1, the host: data-root partition (1.1.1), docker group (1.1.2),
//! audit rules for Docker's files (1.1.3–1.1.18), hardening note (1.2.1),
//! engine version (1.2.2).

use super::{Check, Outcome, Run, Verdict, daemon, host, manual};
use crate::host::AUDITED_PATHS;
use crate::snapshot::Snapshot;
use bulkhead_types::Severity;

fn partition(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    let Some(h) = &snap.host else {
        return Vec::new();
    };
    host(match h.data_root_is_mount {
        Some(true) => Verdict::pass(format!("{} is a mount point", h.data_root)),
        Some(false) => Verdict::warn(format!("{} is not a mount point", h.data_root)),
        None => Verdict::info(format!("{} not found", h.data_root)),
    })
}

fn docker_group(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    let Some(h) = &snap.host else {
        return Vec::new();
    };
    host(match h.docker_gid {
        None => Verdict::info("no group named docker"),
        Some(_) => Verdict::info(format!(
            "docker group members: {:?}",
            h.docker_group_members
        ))
        .with_message("members of the docker group are root-equivalent: confirm each is trusted"),
    })
}

/// Whether an audit rules text watches `path` (`-w PATH` or `-F path=PATH`).
pub(crate) fn audited(rules: &str, path: &str) -> bool {
    rules.lines().any(|l| {
        let mut words = l.split_whitespace().peekable();
        while let Some(w) = words.next() {
            if (w == "-w" && words.peek() == Some(&path))
                || w.strip_prefix("path=").is_some_and(|p| p == path)
                || w.strip_prefix("dir=")
                    .is_some_and(|p| p.trim_end_matches('/') == path)
            {
                return true;
            }
        }
        false
    })
}

fn audit_rule(snap: &Snapshot, check: &Check) -> Vec<Outcome> {
    let Some(h) = &snap.host else {
        return Vec::new();
    };
    let Some((_, spec)) = AUDITED_PATHS.iter().find(|(id, _)| *id == check.cis) else {
        return Vec::new();
    };
    let path = match spec.strip_prefix("unit:") {
        Some(unit) => match h.units.get(unit).cloned().flatten() {
            Some(p) => p,
            None => return host(Verdict::info(format!("{unit} not found"))),
        },
        // Debian and Ubuntu install dockerd in /usr/sbin: audit the binary
        // that exists (docker-bench looks at /usr/bin/dockerd only).
        None if *spec == "/usr/bin/dockerd"
            && h.stat(spec).is_none()
            && h.stat("/usr/sbin/dockerd").is_some() =>
        {
            "/usr/sbin/dockerd".to_string()
        }
        None => spec.to_string(),
    };
    if spec.starts_with('/') && h.stat(&path).is_none() {
        return host(Verdict::info(format!("{path} not found")));
    }
    host(match &h.audit_rules {
        None => Verdict::warn(format!("{path}: no audit rules ({})", h.audit_source)),
        Some(rules) => Verdict::warn_if(
            !audited(rules, &path),
            format!(
                "{path} {} in {}",
                if audited(rules, &path) {
                    "watched"
                } else {
                    "not watched"
                },
                h.audit_source
            ),
        ),
    })
}

/// `YY.MM` of a Docker engine version (`20.10.24+dfsg1` → (20, 10)).
pub(crate) fn year_month(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.split(['.', '+', '-']);
    let y = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    Some((y, m))
}

fn version_current(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    let v = &snap.daemon.server_version;
    let cutoff = time::OffsetDateTime::now_utc() - time::Duration::days(30);
    let want = (
        (cutoff.year() % 100) as u32,
        u8::from(cutoff.month()) as u32,
    );
    daemon(match year_month(v) {
        Some(ym) if ym >= want => Verdict::pass(format!("server version {v}")),
        Some(_) => Verdict::info(format!(
            "server version {v}, released before {:02}.{:02}",
            want.0, want.1
        ))
        .with_message("Docker engine is not current: check it is still supported"),
        None => Verdict::info(format!("server version {v:?} not understood")),
    })
}

macro_rules! audit {
    ($id:literal, $cis:literal, $path:literal) => {
        Check {
            id: $id,
            cis: $cis,
            title: concat!("Auditing configured for ", $path),
            description: concat!(
                "Audit rules (auditctl -l, else /etc/audit/audit.rules and rules.d) must watch ",
                $path,
                "; a missing path is INFO."
            ),
            resolution: concat!("Add an audit rule: -w ", $path, " -k docker"),
            severity: Severity::Low,
            run: Run::Global(audit_rule),
        }
    };
}

pub(super) static CHECKS: &[Check] = &[
    Check {
        id: "AUDIT-1.1.1",
        cis: "1.1.1",
        title: "Separate partition for containers created",
        description: "docker info DockerRootDir (its parent with userns-remap) must be a mount point.",
        resolution: "Put the Docker data root on its own partition or logical volume.",
        severity: Severity::Low,
        run: Run::Global(partition),
    },
    Check {
        id: "AUDIT-1.1.2",
        cis: "1.1.2",
        title: "Only trusted users allowed to control Docker daemon",
        description: "Lists the members of group docker as INFO for review.",
        resolution: "Remove untrusted users from the docker group.",
        severity: Severity::Medium,
        run: Run::Global(docker_group),
    },
    audit!("AUDIT-1.1.3", "1.1.3", "/usr/bin/dockerd"),
    audit!("AUDIT-1.1.4", "1.1.4", "/run/containerd"),
    audit!("AUDIT-1.1.5", "1.1.5", "/var/lib/docker"),
    audit!("AUDIT-1.1.6", "1.1.6", "/etc/docker"),
    audit!("AUDIT-1.1.7", "1.1.7", "docker.service"),
    audit!("AUDIT-1.1.8", "1.1.8", "/run/containerd/containerd.sock"),
    audit!("AUDIT-1.1.9", "1.1.9", "docker.socket"),
    audit!("AUDIT-1.1.10", "1.1.10", "/etc/default/docker"),
    audit!("AUDIT-1.1.11", "1.1.11", "/etc/docker/daemon.json"),
    audit!("AUDIT-1.1.12", "1.1.12", "/etc/containerd/config.toml"),
    audit!("AUDIT-1.1.13", "1.1.13", "/etc/sysconfig/docker"),
    audit!("AUDIT-1.1.14", "1.1.14", "/usr/bin/containerd"),
    audit!("AUDIT-1.1.15", "1.1.15", "/usr/bin/containerd-shim"),
    audit!("AUDIT-1.1.16", "1.1.16", "/usr/bin/containerd-shim-runc-v1"),
    audit!("AUDIT-1.1.17", "1.1.17", "/usr/bin/containerd-shim-runc-v2"),
    audit!("AUDIT-1.1.18", "1.1.18", "/usr/bin/runc"),
    Check {
        id: "AUDIT-1.2.1",
        cis: "1.2.1",
        title: "Container host has been hardened",
        description: "Manual.",
        resolution: "Harden the host OS (CIS benchmark for the distribution).",
        severity: Severity::Low,
        run: Run::Global(manual),
    },
    Check {
        id: "AUDIT-1.2.2",
        cis: "1.2.2",
        title: "Version of Docker is up to date",
        description: "Server version YY.MM compared with the month 30 days ago; older → INFO (manual).",
        resolution: "Upgrade Docker Engine to a supported release.",
        severity: Severity::Low,
        run: Run::Global(version_current),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_rule_forms() {
        let rules = "-w /usr/bin/dockerd -k docker\n-a exit,always -F path=/run/containerd -F perm=war -k docker\n";
        assert!(audited(rules, "/usr/bin/dockerd"));
        assert!(audited(rules, "/run/containerd"));
        assert!(!audited(rules, "/usr/bin/runc"));
    }

    #[test]
    fn versions() {
        assert_eq!(year_month("20.10.24+dfsg1"), Some((20, 10)));
        assert_eq!(year_month("28.2.2"), Some((28, 2)));
        assert_eq!(year_month("dev"), None);
    }
}

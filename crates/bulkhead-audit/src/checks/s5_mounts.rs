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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::runtime::{MountInfo, RuntimeSettings};
    use bulkhead_types::MisconfStatus;

    fn facts(mounts: &[(&str, &str, &str, bool)]) -> ContainerFacts {
        ContainerFacts {
            settings: RuntimeSettings {
                mounts: mounts
                    .iter()
                    .map(|(kind, src, dst, rw)| MountInfo {
                        kind: kind.to_string(),
                        source: src.to_string(),
                        destination: dst.to_string(),
                        rw: *rw,
                        propagation: String::new(),
                    })
                    .collect(),
                ..RuntimeSettings::default()
            },
            processes: None,
        }
    }

    /// 5.6 reads mounts like Compose rule BH-CO-015: read-only binds and
    /// the runtime folders count, the container path alone does not.
    #[test]
    fn sensitive_mounts_agree_with_the_compose_rule() {
        let snap = Snapshot::default();
        let status = |m: &[(&str, &str, &str, bool)]| sensitive_mounts(&facts(m), &snap).status;
        assert_eq!(
            status(&[("bind", "/etc", "/host-etc", false)]),
            MisconfStatus::Warn
        );
        assert_eq!(
            status(&[("bind", "/etc", "/host-etc", true)]),
            MisconfStatus::Warn
        );
        assert_eq!(
            status(&[("bind", "/var/lib/docker", "/d", true)]),
            MisconfStatus::Warn
        );
        assert_eq!(
            status(&[("bind", "/srv/app", "/etc", false)]),
            MisconfStatus::Pass
        );
        assert_eq!(
            status(&[("volume", "/var/lib/docker/volumes/v/_data", "/v", false)]),
            MisconfStatus::Pass
        );
        // (kind, source, destination, rw)
        let v = sensitive_mounts(&facts(&[("bind", "/etc", "/e", false)]), &snap);
        assert_eq!(v.evidence, ".Mounts: /etc:/e (ro)");
    }

    #[test]
    fn podman_socket_too() {
        let snap = Snapshot::default();
        let v = docker_socket(
            &facts(&[(
                "bind",
                "/run/podman/podman.sock",
                "/var/run/docker.sock",
                true,
            )]),
            &snap,
        );
        assert_eq!(v.status, MisconfStatus::Warn);
        assert_eq!(
            v.evidence,
            ".Mounts: /run/podman/podman.sock:/var/run/docker.sock"
        );
    }
}

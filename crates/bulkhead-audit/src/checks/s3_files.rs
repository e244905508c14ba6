//! Section 3, owners and modes of the daemon's files (3.1–3.24).
//!
//! Modes are compared as permission bits (`mode & !allowed == 0`), not as
//! octal numbers compared like integers the way docker-bench does (which
//! accepts 604 as "≤ 644" but also 640 vs 604 inconsistently).

use super::{Check, Outcome, Run, Verdict, host};
use crate::host::tls_path;
use crate::snapshot::Snapshot;
use bulkhead_types::Severity;

#[derive(Clone, Copy)]
enum Sel {
    Unit(&'static str),
    Path(&'static str),
    RegistryCerts,
    Tls(&'static str),
}

#[derive(Clone, Copy)]
enum Req {
    /// uid 0 and gid 0.
    RootRoot,
    /// uid 0 only (3.7, as CIS words it).
    RootUid,
    /// uid 0 and the docker group (gid 0 when there is no docker group).
    RootDocker,
    /// No permission bit outside this mask.
    ModeAtMost(u32),
}

const SPEC: [(&str, Sel, Req); 24] = [
    ("3.1", Sel::Unit("docker.service"), Req::RootRoot),
    ("3.2", Sel::Unit("docker.service"), Req::ModeAtMost(0o644)),
    ("3.3", Sel::Unit("docker.socket"), Req::RootRoot),
    ("3.4", Sel::Unit("docker.socket"), Req::ModeAtMost(0o644)),
    ("3.5", Sel::Path("/etc/docker"), Req::RootRoot),
    ("3.6", Sel::Path("/etc/docker"), Req::ModeAtMost(0o755)),
    ("3.7", Sel::RegistryCerts, Req::RootUid),
    ("3.8", Sel::RegistryCerts, Req::ModeAtMost(0o444)),
    ("3.9", Sel::Tls("tlscacert"), Req::RootRoot),
    ("3.10", Sel::Tls("tlscacert"), Req::ModeAtMost(0o444)),
    ("3.11", Sel::Tls("tlscert"), Req::RootRoot),
    ("3.12", Sel::Tls("tlscert"), Req::ModeAtMost(0o444)),
    ("3.13", Sel::Tls("tlskey"), Req::RootRoot),
    ("3.14", Sel::Tls("tlskey"), Req::ModeAtMost(0o400)),
    ("3.15", Sel::Path("/var/run/docker.sock"), Req::RootDocker),
    (
        "3.16",
        Sel::Path("/var/run/docker.sock"),
        Req::ModeAtMost(0o660),
    ),
    ("3.17", Sel::Path("/etc/docker/daemon.json"), Req::RootRoot),
    (
        "3.18",
        Sel::Path("/etc/docker/daemon.json"),
        Req::ModeAtMost(0o644),
    ),
    ("3.19", Sel::Path("/etc/default/docker"), Req::RootRoot),
    (
        "3.20",
        Sel::Path("/etc/default/docker"),
        Req::ModeAtMost(0o644),
    ),
    (
        "3.21",
        Sel::Path("/etc/sysconfig/docker"),
        Req::ModeAtMost(0o644),
    ),
    ("3.22", Sel::Path("/etc/sysconfig/docker"), Req::RootRoot),
    (
        "3.23",
        Sel::Path("/run/containerd/containerd.sock"),
        Req::RootRoot,
    ),
    (
        "3.24",
        Sel::Path("/run/containerd/containerd.sock"),
        Req::ModeAtMost(0o660),
    ),
];

fn file_check(snap: &Snapshot, check: &Check) -> Vec<Outcome> {
    let Some(h) = &snap.host else {
        return Vec::new();
    };
    let Some((_, sel, req)) = SPEC.iter().find(|(id, _, _)| *id == check.cis) else {
        return Vec::new();
    };
    let paths: Vec<String> = match sel {
        Sel::Unit(u) => match h.units.get(*u).cloned().flatten() {
            Some(p) => vec![p],
            None => return host(Verdict::info(format!("{u} not found"))),
        },
        Sel::Path(p) => vec![p.to_string()],
        Sel::RegistryCerts => {
            if h.registry_certs.is_empty() {
                return host(Verdict::info("no *.crt under /etc/docker/certs.d"));
            }
            h.registry_certs.clone()
        }
        Sel::Tls(key) => match tls_path(&snap.daemon, key) {
            Some(p) => vec![p],
            None => return host(Verdict::info(format!("no {key} configured"))),
        },
    };
    let mut bad = Vec::new();
    let mut seen = Vec::new();
    for p in &paths {
        let Some(st) = h.stat(p) else {
            if paths.len() == 1 {
                return host(Verdict::info(format!("{p} not found")));
            }
            continue;
        };
        let docker_gid = h.docker_gid.unwrap_or(0);
        let (ok, what) = match req {
            Req::RootRoot => (
                st.uid == 0 && st.gid == 0,
                format!("{p} owner {}:{}", st.uid, st.gid),
            ),
            Req::RootUid => (st.uid == 0, format!("{p} owner uid {}", st.uid)),
            Req::RootDocker => (
                st.uid == 0 && (st.gid == docker_gid || st.gid == 0),
                format!("{p} owner {}:{} (docker gid {docker_gid})", st.uid, st.gid),
            ),
            Req::ModeAtMost(m) => (
                st.mode & !m == 0,
                format!("{p} mode {:o} (allowed ≤ {m:o})", st.mode),
            ),
        };
        if !ok {
            bad.push(what.clone());
        }
        seen.push(what);
    }
    host(if bad.is_empty() {
        Verdict::pass(seen.join("; "))
    } else {
        Verdict::warn(bad.join("; "))
    })
}

macro_rules! f {
    ($id:literal, $cis:literal, $title:literal, $res:literal) => {
        Check {
            id: $id,
            cis: $cis,
            title: $title,
            description: "Owner and mode read with stat(2) on this host; a missing file is INFO. Modes compare permission bits, not octal numbers.",
            resolution: $res,
            severity: Severity::Medium,
            run: Run::Global(file_check),
        }
    };
}

pub(super) static CHECKS: &[Check] = &[
    f!(
        "AUDIT-3.1",
        "3.1",
        "docker.service file ownership set to root:root",
        "chown root:root on the docker.service unit"
    ),
    f!(
        "AUDIT-3.2",
        "3.2",
        "docker.service file permissions 644 or more restrictive",
        "chmod 644 on the docker.service unit"
    ),
    f!(
        "AUDIT-3.3",
        "3.3",
        "docker.socket file ownership set to root:root",
        "chown root:root on the docker.socket unit"
    ),
    f!(
        "AUDIT-3.4",
        "3.4",
        "docker.socket file permissions 644 or more restrictive",
        "chmod 644 on the docker.socket unit"
    ),
    f!(
        "AUDIT-3.5",
        "3.5",
        "/etc/docker directory ownership set to root:root",
        "chown root:root /etc/docker"
    ),
    f!(
        "AUDIT-3.6",
        "3.6",
        "/etc/docker directory permissions 755 or more restrictive",
        "chmod 755 /etc/docker"
    ),
    f!(
        "AUDIT-3.7",
        "3.7",
        "Registry certificate file ownership set to root",
        "chown root:root /etc/docker/certs.d/*/*"
    ),
    f!(
        "AUDIT-3.8",
        "3.8",
        "Registry certificate file permissions 444 or more restrictive",
        "chmod 444 /etc/docker/certs.d/*/*"
    ),
    f!(
        "AUDIT-3.9",
        "3.9",
        "TLS CA certificate file ownership set to root:root",
        "chown root:root on the tlscacert file"
    ),
    f!(
        "AUDIT-3.10",
        "3.10",
        "TLS CA certificate file permissions 444 or more restrictive",
        "chmod 444 on the tlscacert file"
    ),
    f!(
        "AUDIT-3.11",
        "3.11",
        "Docker server certificate file ownership set to root:root",
        "chown root:root on the tlscert file"
    ),
    f!(
        "AUDIT-3.12",
        "3.12",
        "Docker server certificate file permissions 444 or more restrictive",
        "chmod 444 on the tlscert file"
    ),
    f!(
        "AUDIT-3.13",
        "3.13",
        "Docker server key file ownership set to root:root",
        "chown root:root on the tlskey file"
    ),
    f!(
        "AUDIT-3.14",
        "3.14",
        "Docker server key file permissions set to 400",
        "chmod 400 on the tlskey file"
    ),
    f!(
        "AUDIT-3.15",
        "3.15",
        "Docker socket file ownership set to root:docker",
        "chown root:docker /var/run/docker.sock"
    ),
    f!(
        "AUDIT-3.16",
        "3.16",
        "Docker socket file permissions 660 or more restrictive",
        "chmod 660 /var/run/docker.sock"
    ),
    f!(
        "AUDIT-3.17",
        "3.17",
        "daemon.json file ownership set to root:root",
        "chown root:root /etc/docker/daemon.json"
    ),
    f!(
        "AUDIT-3.18",
        "3.18",
        "daemon.json file permissions 644 or more restrictive",
        "chmod 644 /etc/docker/daemon.json"
    ),
    f!(
        "AUDIT-3.19",
        "3.19",
        "/etc/default/docker file ownership set to root:root",
        "chown root:root /etc/default/docker"
    ),
    f!(
        "AUDIT-3.20",
        "3.20",
        "/etc/default/docker file permissions 644 or more restrictive",
        "chmod 644 /etc/default/docker"
    ),
    f!(
        "AUDIT-3.21",
        "3.21",
        "/etc/sysconfig/docker file permissions 644 or more restrictive",
        "chmod 644 /etc/sysconfig/docker"
    ),
    f!(
        "AUDIT-3.22",
        "3.22",
        "/etc/sysconfig/docker file ownership set to root:root",
        "chown root:root /etc/sysconfig/docker"
    ),
    f!(
        "AUDIT-3.23",
        "3.23",
        "containerd socket file ownership set to root:root",
        "chown root:root /run/containerd/containerd.sock"
    ),
    f!(
        "AUDIT-3.24",
        "3.24",
        "containerd socket file permissions 660 or more restrictive",
        "chmod 660 /run/containerd/containerd.sock"
    ),
];

//! Facts about the host machine for CIS sections 1 and 3: file owners and
//! modes, the docker group, audit rules, the data-root partition.
//!
//! Gathering ([`HostFacts::gather`]) is the only I/O; checks read the facts,
//! so tests build them by hand.

use crate::daemon::DaemonConfig;
use std::collections::BTreeMap;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

/// Owner and mode of one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStat {
    pub uid: u32,
    pub gid: u32,
    /// Permission bits (`mode & 0o7777`).
    pub mode: u32,
    pub is_socket: bool,
    pub is_dir: bool,
}

/// Host facts.
#[derive(Debug, Clone, Default)]
pub struct HostFacts {
    /// `stat` of every path a check asked about; `None` = missing.
    pub files: BTreeMap<String, Option<FileStat>>,
    /// `*.crt` files under `/etc/docker/certs.d/`.
    pub registry_certs: Vec<String>,
    /// gid of group `docker`, when it exists.
    pub docker_gid: Option<u32>,
    /// Members of group `docker`.
    pub docker_group_members: Vec<String>,
    /// Whether the Docker data root is its own mount point; `None` when it
    /// cannot be told (remote daemon, missing dir).
    pub data_root_is_mount: Option<bool>,
    /// The data root looked at.
    pub data_root: String,
    /// Audit rules (`auditctl -l`, else `/etc/audit/audit.rules`); `None`
    /// when neither is available.
    pub audit_rules: Option<String>,
    /// Where the audit rules came from.
    pub audit_source: String,
    /// `DOCKER_CONTENT_TRUST` of this process.
    pub content_trust: Option<String>,
    /// Resolved systemd unit paths (`docker.service`, `docker.socket`).
    pub units: BTreeMap<String, Option<String>>,
}

/// Paths whose owner/mode section 3 checks, besides units and TLS files.
pub const FIXED_PATHS: [&str; 7] = [
    "/etc/docker",
    "/etc/docker/daemon.json",
    "/var/run/docker.sock",
    "/etc/default/docker",
    "/etc/sysconfig/docker",
    "/run/containerd/containerd.sock",
    "/var/lib/docker",
];

/// Paths section 1.1.x wants audit rules for (files and binaries).
pub const AUDITED_PATHS: [(&str, &str); 16] = [
    ("1.1.3", "/usr/bin/dockerd"),
    ("1.1.4", "/run/containerd"),
    ("1.1.5", "/var/lib/docker"),
    ("1.1.6", "/etc/docker"),
    ("1.1.7", "unit:docker.service"),
    ("1.1.8", "/run/containerd/containerd.sock"),
    ("1.1.9", "unit:docker.socket"),
    ("1.1.10", "/etc/default/docker"),
    ("1.1.11", "/etc/docker/daemon.json"),
    ("1.1.12", "/etc/containerd/config.toml"),
    ("1.1.13", "/etc/sysconfig/docker"),
    ("1.1.14", "/usr/bin/containerd"),
    ("1.1.15", "/usr/bin/containerd-shim"),
    ("1.1.16", "/usr/bin/containerd-shim-runc-v1"),
    ("1.1.17", "/usr/bin/containerd-shim-runc-v2"),
    ("1.1.18", "/usr/bin/runc"),
];

fn stat(path: &Path) -> Option<FileStat> {
    let m = std::fs::metadata(path).ok()?;
    Some(FileStat {
        uid: m.uid(),
        gid: m.gid(),
        mode: m.mode() & 0o7777,
        is_socket: m.file_type().is_socket(),
        is_dir: m.is_dir(),
    })
}

/// First existing location of a systemd unit (as docker-bench looks).
fn find_unit(unit: &str) -> Option<String> {
    [
        "/etc/systemd/system",
        "/lib/systemd/system",
        "/usr/lib/systemd/system",
        "/run/systemd/system",
    ]
    .iter()
    .map(|d| Path::new(d).join(unit))
    .find(|p| p.exists())
    .map(|p| p.display().to_string())
}

/// A path is a mount point when `/proc/self/mountinfo` lists it or it is on
/// another device than its parent (what `mountpoint -q` tests).
fn is_mount_point(path: &Path) -> Option<bool> {
    let here = std::fs::metadata(path).ok()?;
    let parent = std::fs::metadata(path.parent()?).ok()?;
    // Bind mounts of the same device are listed in mountinfo (field 5).
    let listed = std::fs::read_to_string("/proc/self/mountinfo").is_ok_and(|t| {
        t.lines()
            .any(|l| l.split_whitespace().nth(4) == path.to_str())
    });
    Some(listed || here.dev() != parent.dev() || here.ino() == parent.ino())
}

impl HostFacts {
    /// Read the facts from this machine. Paths only make sense when the
    /// daemon is local; the caller skips sections 1 and 3 otherwise.
    pub fn gather(daemon: &DaemonConfig) -> HostFacts {
        let mut facts = HostFacts::default();
        for p in FIXED_PATHS {
            facts.files.insert(p.to_string(), stat(Path::new(p)));
        }
        for unit in ["docker.service", "docker.socket"] {
            let found = find_unit(unit);
            if let Some(path) = &found {
                facts.files.insert(path.clone(), stat(Path::new(path)));
            }
            facts.units.insert(unit.to_string(), found);
        }
        facts.files.insert(
            "/usr/sbin/dockerd".to_string(),
            stat(Path::new("/usr/sbin/dockerd")),
        );
        for (_, p) in AUDITED_PATHS {
            if !p.starts_with("unit:") {
                facts.files.insert(p.to_string(), stat(Path::new(p)));
            }
        }
        for key in ["tlscacert", "tlscert", "tlskey"] {
            if let Some(p) = tls_path(daemon, key) {
                facts.files.insert(p.clone(), stat(Path::new(&p)));
            }
        }
        if let Ok(rd) = std::fs::read_dir("/etc/docker/certs.d") {
            for dir in rd.flatten() {
                for f in std::fs::read_dir(dir.path())
                    .into_iter()
                    .flatten()
                    .flatten()
                {
                    let p = f.path();
                    if p.extension().is_some_and(|e| e == "crt") {
                        let s = p.display().to_string();
                        facts.files.insert(s.clone(), stat(&p));
                        facts.registry_certs.push(s);
                    }
                }
            }
        }
        facts.registry_certs.sort();
        if let Ok(Some(g)) = nix::unistd::Group::from_name("docker") {
            facts.docker_gid = Some(g.gid.as_raw());
            facts.docker_group_members = g.mem;
        }
        let root = daemon
            .info
            .docker_root_dir
            .clone()
            .unwrap_or_else(|| "/var/lib/docker".to_string());
        // With userns-remap the root is `<root>/<uid>.<gid>`: look at the
        // parent, as docker-bench does.
        let root_path = if daemon.security_option("userns").is_some() {
            Path::new(&root)
                .parent()
                .map_or_else(|| root.clone(), |p| p.display().to_string())
        } else {
            root
        };
        facts.data_root_is_mount = is_mount_point(Path::new(&root_path));
        facts.data_root = root_path;
        let (rules, source) = read_audit_rules();
        facts.audit_rules = rules;
        facts.audit_source = source;
        facts.content_trust = std::env::var("DOCKER_CONTENT_TRUST").ok();
        facts
    }

    /// The stat of a path asked about during gathering.
    pub fn stat(&self, path: &str) -> Option<FileStat> {
        self.files.get(path).copied().flatten()
    }
}

/// The TLS file for `tlscacert`/`tlscert`/`tlskey` from the command line or
/// daemon.json.
pub fn tls_path(daemon: &DaemonConfig, key: &str) -> Option<String> {
    daemon
        .flag(&format!("--{key}"))
        .filter(|s| !s.is_empty())
        .or_else(|| daemon.json_str(key))
}

fn read_audit_rules() -> (Option<String>, String) {
    if let Ok(out) = std::process::Command::new("auditctl").arg("-l").output()
        && out.status.success()
    {
        return (
            Some(String::from_utf8_lossy(&out.stdout).into_owned()),
            "auditctl -l".to_string(),
        );
    }
    let mut text = String::new();
    let mut found = false;
    for p in ["/etc/audit/audit.rules"] {
        if let Ok(t) = std::fs::read_to_string(p) {
            found = true;
            text.push_str(&t);
        }
    }
    if let Ok(rd) = std::fs::read_dir("/etc/audit/rules.d") {
        for f in rd.flatten() {
            if let Ok(t) = std::fs::read_to_string(f.path()) {
                found = true;
                text.push_str(&t);
            }
        }
    }
    if found {
        let rules: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        (Some(rules), "/etc/audit/audit.rules".to_string())
    } else {
        (None, "none (auditd not installed)".to_string())
    }
}

//! Sensitive host folder bind-mounted (CIS 5.6, BH-CO-015).
use crate::util::is_under;
use crate::{Control, Finding, Hit};
use bulkhead_types::{ContainerSpec, MountKind, SpecMount};

pub static CONTROL: Control = Control {
    name: "sensitive-mount",
    title: "Sensitive host folder mounted",
    lint: &["BH-CO-015"],
    cis: &["5.6"],
};

/// Host folders whose bind mount exposes or lets the container change the
/// host: CIS 5.6's list plus the runtime and log folders.
pub const SENSITIVE: &[&str] = &[
    "/",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib64",
    "/proc",
    "/sys",
    "/usr",
    "/bin",
    "/sbin",
    "/var/run",
    "/run",
    "/var/lib/docker",
    "/root",
    "/var/log",
];

/// Whether a bind mount's host source is (under) a sensitive folder.
/// Sockets are the `docker_socket` control's.
pub fn is_sensitive(m: &SpecMount) -> bool {
    if m.kind != MountKind::Bind || super::docker_socket::is_socket(&m.source) || m.source.ends_with(".sock") {
        return false;
    }
    let src = if m.source.len() > 1 {
        m.source.trim_end_matches('/')
    } else {
        m.source.as_str()
    };
    let src = if src.is_empty() { "/" } else { src };
    SENSITIVE.iter().any(|p| is_under(src, p))
}

/// One hit per sensitive bind mount (value `source:target`), read-only ones
/// included: they still map the host. The mount's mode is on the spec.
pub fn check(s: &ContainerSpec) -> Option<Finding> {
    Finding::new(
        &CONTROL,
        s.mounts
            .iter()
            .enumerate()
            .filter(|(_, m)| is_sensitive(m))
            .map(|(index, m)| Hit {
                value: format!("{}:{}", m.source, m.target),
                key: "volumes",
                line: m.line,
                index,
            })
            .collect(),
    )
}

/// The sensitive mounts themselves (for messages that show their mode).
pub fn mounts(s: &ContainerSpec) -> impl Iterator<Item = &SpecMount> {
    s.mounts.iter().filter(|m| is_sensitive(m))
}

//! High-risk capabilities added (CIS 5.4, BH-CO-005).
use crate::{Control, Finding, Hit};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "cap-add-high-risk",
    title: "High-risk capability added",
    lint: &["BH-CO-005"],
    cis: &["5.4"],
};

/// Capabilities that allow known container escapes or host tampering
/// (names without `CAP_`).
pub const HIGH_RISK: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "DAC_READ_SEARCH",
    "NET_ADMIN",
    "SYS_RAWIO",
    "BPF",
    "PERFMON",
    "SYS_TIME",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "SYS_BOOT",
    "DAC_OVERRIDE",
    "SETFCAP",
    "LINUX_IMMUTABLE",
];

/// Docker's default capability set (moby `oci/caps/defaults.go`).
pub const DOCKER_DEFAULT: &[&str] = &[
    "CHOWN",
    "DAC_OVERRIDE",
    "FSETID",
    "FOWNER",
    "MKNOD",
    "NET_RAW",
    "SETGID",
    "SETUID",
    "SETFCAP",
    "SETPCAP",
    "NET_BIND_SERVICE",
    "SYS_CHROOT",
    "KILL",
    "AUDIT_WRITE",
];

/// One hit per high-risk capability in `cap_add`, in the given order.
pub fn check(s: &ContainerSpec) -> Option<Finding> {
    let line = s.line_of("cap_add");
    Finding::new(
        &CONTROL,
        s.cap_add
            .iter()
            .enumerate()
            .filter(|(_, c)| HIGH_RISK.contains(&c.as_str()))
            .map(|(index, c)| Hit {
                value: c.clone(),
                key: "cap_add",
                line,
                index,
            })
            .collect(),
    )
}

/// Capabilities added beyond Docker's default set (`ALL` included): what
/// CIS 5.4 asks to review.
pub fn beyond_default(s: &ContainerSpec) -> Vec<&str> {
    s.cap_add
        .iter()
        .map(String::as_str)
        .filter(|c| !DOCKER_DEFAULT.contains(c))
        .collect()
}

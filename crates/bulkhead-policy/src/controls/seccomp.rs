//! Seccomp disabled (CIS 5.22, BH-CO-008): `seccomp=unconfined`. A
//! privileged container runs without a profile too; that is reported by
//! the `privileged` control (and the audit's 5.22 evidence says so).
use crate::{Control, Finding, Hit};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "seccomp",
    title: "Seccomp disabled",
    lint: &["BH-CO-008"],
    cis: &["5.22"],
};

pub fn check(s: &ContainerSpec) -> Option<Finding> {
    if s.seccomp() != Some("unconfined") {
        return None;
    }
    Finding::one(
        &CONTROL,
        Hit {
            value: "seccomp:unconfined".into(),
            key: "security_opt",
            line: s.line_of("security_opt"),
            index: 0,
        },
    )
}

//! no-new-privileges not set (CIS 5.26, BH-CO-007). The daemon-wide
//! default (`--no-new-privileges`) is the audit's context, not the spec's.
use crate::{Control, Finding, Hit, Proposed};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "no-new-privileges",
    title: "no-new-privileges not set",
    lint: &["BH-CO-007"],
    cis: &["5.26"],
};

pub fn check(s: &ContainerSpec) -> Option<Finding> {
    if s.no_new_privileges() {
        return None;
    }
    Finding::one(
        &CONTROL,
        Hit {
            value: "no-new-privileges".into(),
            key: "security_opt",
            line: s.line_of("security_opt"),
            index: 0,
        },
    )
}

pub fn propose(s: &ContainerSpec) -> Proposed<bool> {
    propose_from(s.no_new_privileges())
}

/// [`propose`] from whether it is on already.
pub fn propose_from(on: bool) -> Proposed<bool> {
    Proposed {
        value: true,
        why: if on {
            "already on; kept".to_string()
        } else {
            "setuid/setgid binaries and file capabilities cannot raise privileges (su, sudo, ping with file caps stop working)".to_string()
        },
    }
}

//! Writable root filesystem (CIS 5.13, BH-CO-003).
use crate::{Control, Finding, Hit, Proposed};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "read-only-rootfs",
    title: "Root filesystem is writable",
    lint: &["BH-CO-003"],
    cis: &["5.13"],
};

pub fn check(s: &ContainerSpec) -> Option<Finding> {
    if s.read_only {
        return None;
    }
    Finding::one(
        &CONTROL,
        Hit {
            value: "false".into(),
            key: "read_only",
            line: s.line_of("read_only"),
            index: 0,
        },
    )
}

/// Always `true`; the reason says whether it is on already.
pub fn propose(s: &ContainerSpec, already_why: &str, new_why: &str) -> Proposed<bool> {
    Proposed {
        value: true,
        why: if s.read_only { already_why } else { new_why }.to_string(),
    }
}

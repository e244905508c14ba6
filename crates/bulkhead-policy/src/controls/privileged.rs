//! Privileged container (CIS 5.5, BH-CO-006).
use crate::{Control, Finding, Hit};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "privileged",
    title: "Privileged container",
    lint: &["BH-CO-006"],
    cis: &["5.5"],
};

pub fn check(s: &ContainerSpec) -> Option<Finding> {
    if !s.privileged {
        return None;
    }
    Finding::one(
        &CONTROL,
        Hit {
            value: "true".into(),
            key: "privileged",
            line: s.line_of("privileged"),
            index: 0,
        },
    )
}

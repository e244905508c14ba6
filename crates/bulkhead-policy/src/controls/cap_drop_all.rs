//! Capabilities not all dropped (CIS 5.4, BH-CO-004).
use crate::{Control, Finding, Hit, Proposed};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "cap-drop-all",
    title: "Capabilities not dropped",
    lint: &["BH-CO-004"],
    cis: &[],
};

pub fn check(s: &ContainerSpec) -> Option<Finding> {
    if s.cap_drop.iter().any(|c| c == "ALL") {
        return None;
    }
    Finding::one(
        &CONTROL,
        Hit {
            value: "ALL".into(),
            key: "cap_drop",
            line: s.line_of("cap_drop"),
            index: 0,
        },
    )
}

pub fn propose(_s: &ContainerSpec) -> Proposed<Vec<String>> {
    Proposed {
        value: vec!["ALL".to_string()],
        why: "start from no capability and add back only what the workload needs".into(),
    }
}

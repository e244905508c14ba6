//! Host devices exposed (CIS 5.18, BH-CO-016).
use crate::{Control, Finding, Hit};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "devices",
    title: "Host device exposed",
    lint: &["BH-CO-016"],
    cis: &["5.18"],
};

pub fn check(s: &ContainerSpec) -> Option<Finding> {
    let line = s.line_of("devices");
    Finding::new(
        &CONTROL,
        s.devices
            .iter()
            .enumerate()
            .map(|(index, d)| Hit {
                value: d.clone(),
                key: "devices",
                line,
                index,
            })
            .collect(),
    )
}

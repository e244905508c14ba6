//! Port published on every host interface (CIS 5.14, BH-CO-027).
use crate::{Control, Finding, Hit};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "port-all-interfaces",
    title: "Port published on all host interfaces",
    lint: &["BH-CO-027"],
    cis: &["5.14"],
};

/// One hit per such port (value `ip:published:target/protocol`).
pub fn check(s: &ContainerSpec) -> Option<Finding> {
    Finding::new(
        &CONTROL,
        s.ports
            .iter()
            .enumerate()
            .filter(|(_, p)| p.all_interfaces())
            .map(|(index, p)| Hit {
                value: format!(
                    "{}:{}:{}/{}",
                    if p.host_ip.trim().is_empty() {
                        "0.0.0.0"
                    } else {
                        p.host_ip.trim()
                    },
                    p.published,
                    p.target,
                    p.protocol
                ),
                key: "ports",
                line: if p.line > 0 { p.line } else { s.line_of("ports") },
                index,
            })
            .collect(),
    )
}

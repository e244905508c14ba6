//! Host network namespace (CIS 5.10, BH-CO-010).
use crate::{Control, Finding};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "host-network",
    title: "Host network namespace",
    lint: &["BH-CO-010"],
    cis: &["5.10"],
};

pub fn check(s: &ContainerSpec) -> Option<Finding> {
    super::host_other_ns::host_ns(s, &CONTROL, "network", "network_mode")
}

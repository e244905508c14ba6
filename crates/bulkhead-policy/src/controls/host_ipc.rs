//! Host IPC namespace (CIS 5.17, BH-CO-012).
use crate::{Control, Finding};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "host-ipc",
    title: "Host IPC namespace",
    lint: &["BH-CO-012"],
    cis: &["5.17"],
};

pub fn check(s: &ContainerSpec) -> Option<Finding> {
    super::host_other_ns::host_ns(s, &CONTROL, "ipc", "ipc")
}

//! Host PID namespace (CIS 5.16, BH-CO-011).
use crate::{Control, Finding};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "host-pid",
    title: "Host PID namespace",
    lint: &["BH-CO-011"],
    cis: &["5.16"],
};

pub fn check(s: &ContainerSpec) -> Option<Finding> {
    super::host_other_ns::host_ns(s, &CONTROL, "pid", "pid")
}

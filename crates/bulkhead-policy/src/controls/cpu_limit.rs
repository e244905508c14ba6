//! No CPU control (CIS 5.12, BH-CO-018): any of `--cpus`, `--cpu-shares`,
//! `--cpu-quota`, `--cpuset-cpus` (Compose `cpus`, `cpu_shares`,
//! `cpu_quota`, `cpuset`, `deploy.resources.limits.cpus`) counts.
use crate::{Control, Finding, Hit};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "cpu-limit",
    title: "No CPU limit",
    lint: &["BH-CO-018"],
    cis: &["5.12"],
};

pub fn check(s: &ContainerSpec) -> Option<Finding> {
    if s.cpu_limited() {
        return None;
    }
    Finding::one(
        &CONTROL,
        Hit {
            value: "unlimited".into(),
            key: "cpus",
            line: s.line,
            index: 0,
        },
    )
}

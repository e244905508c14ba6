//! Broad device cgroup rules (BH-CO-029; reported with host devices under
//! CIS 5.18 by the audit): `device_cgroup_rules` / `--device-cgroup-rule` /
//! `HostConfig.DeviceCgroupRules` let the container use device nodes it
//! creates or gets later. A rule of type `a`, or with a `*` major number,
//! allows every device of that kind (disks, /dev/mem).
//!
//! `harden` warns about such a rule and does not carry it over: it
//! changes no device access, and an override cannot remove a Compose list
//! entry.
use crate::{Control, Finding, Hit};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "device-cgroup-rules",
    title: "Broad device cgroup rule",
    lint: &["BH-CO-029"],
    cis: &["5.18"],
};

/// Whether a `TYPE MAJOR:MINOR ACCESS` rule is broad: type `a`, or a `*`
/// major number. Unparseable rules count too (Docker rejects them).
pub fn is_broad(rule: &str) -> bool {
    let mut parts = rule.split_whitespace();
    let (Some(kind), Some(nums)) = (parts.next(), parts.next()) else {
        return true;
    };
    let major = nums.split(':').next().unwrap_or("*");
    kind == "a" || major == "*"
}

/// One hit per broad rule (value: the rule as written).
pub fn check(s: &ContainerSpec) -> Option<Finding> {
    let line = s.line_of("device_cgroup_rules");
    Finding::new(
        &CONTROL,
        s.device_cgroup_rules
            .iter()
            .enumerate()
            .filter(|(_, r)| is_broad(r))
            .map(|(index, r)| Hit {
                value: r.clone(),
                key: "device_cgroup_rules",
                line,
                index,
            })
            .collect(),
    )
}

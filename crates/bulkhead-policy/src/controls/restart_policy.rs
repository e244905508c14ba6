//! Restart policy not bounded (CIS 5.15): `always`, `unless-stopped`, and
//! `on-failure` with 0 (unlimited) or more than 5 retries. No Compose rule
//! reports it yet.
use crate::{Control, Finding, Hit};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "restart-policy",
    title: "on-failure restart policy limited to 5",
    lint: &[],
    cis: &["5.15"],
};

pub fn check(s: &ContainerSpec) -> Option<Finding> {
    let r = s.restart.as_ref()?;
    let bad = match r.name.as_str() {
        "always" | "unless-stopped" => true,
        "on-failure" => r.max_retries <= 0 || r.max_retries > 5,
        _ => false,
    };
    if !bad {
        return None;
    }
    Finding::one(
        &CONTROL,
        Hit {
            value: if r.name == "on-failure" {
                format!("on-failure:{}", r.max_retries)
            } else {
                r.name.clone()
            },
            key: "restart",
            line: s.line_of("restart"),
            index: 0,
        },
    )
}

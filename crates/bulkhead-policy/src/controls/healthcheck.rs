//! Health check missing or disabled (CIS 5.27, BH-CO-021).
use crate::{Control, Finding, Hit};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "healthcheck",
    title: "Healthcheck missing or disabled",
    lint: &["BH-CO-021"],
    cis: &["5.27"],
};

/// Hit value of a disabled health check (`NONE`, `disable: true`).
pub const DISABLED: &str = "disabled";
/// Hit value when none is configured.
pub const UNSET: &str = "(unset)";

pub fn check(s: &ContainerSpec) -> Option<Finding> {
    let value = match &s.healthcheck {
        Some(h) if h.disabled || h.test.first().is_some_and(|t| t == "NONE") => DISABLED,
        // A health check without `test` keeps the image's.
        Some(_) => return None,
        None => UNSET,
    };
    Finding::one(
        &CONTROL,
        Hit {
            value: value.into(),
            key: "healthcheck",
            line: if value == DISABLED {
                s.line_of("healthcheck")
            } else {
                s.line
            },
            index: 0,
        },
    )
}

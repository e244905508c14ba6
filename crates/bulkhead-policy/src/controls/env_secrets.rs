//! Secret passed as an environment value (BH-CO-020, audit
//! AUDIT-ENV-SECRETS): one classifier, `bulkhead_types::sensitive` (the
//! one report redaction uses).
use crate::{Control, Finding, Hit};
use bulkhead_types::ContainerSpec;
use bulkhead_types::sensitive::{is_placeholder, is_secret_name, is_secret_value};

pub static CONTROL: Control = Control {
    name: "env-secrets",
    title: "Secret passed as an environment value",
    lint: &["BH-CO-020"],
    cis: &["4.10"],
};

/// Whether one variable carries a secret:
/// - a known value: it looks like a secret, or the name does and the value
///   is not a placeholder;
/// - a value present but not read (`docker inspect`; values are never
///   kept): the name looks like a secret;
/// - passed through from the host (`from_host`: Compose `- NAME`, `docker
///   run -e NAME`): the definition holds no value, nothing to flag.
pub fn is_secret(e: &bulkhead_types::SpecEnv) -> bool {
    match &e.value {
        Some(v) => is_secret_value(v) || (is_secret_name(&e.name) && !is_placeholder(v)),
        None => !e.from_host && is_secret_name(&e.name),
    }
}

/// One hit per such variable (value: its name, never its value).
pub fn check(s: &ContainerSpec) -> Option<Finding> {
    Finding::new(
        &CONTROL,
        s.env
            .iter()
            .enumerate()
            .filter(|(_, e)| is_secret(e))
            .map(|(index, e)| Hit {
                value: e.name.clone(),
                key: "environment",
                line: e.line,
                index,
            })
            .collect(),
    )
}

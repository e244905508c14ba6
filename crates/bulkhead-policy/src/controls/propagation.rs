//! Mount with shared propagation (CIS 5.20, BH-CO-028).
use crate::{Control, Finding, Hit};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "shared-propagation",
    title: "Bind mount with shared propagation",
    lint: &["BH-CO-028"],
    cis: &["5.20"],
};

/// One hit per mount with `shared`/`rshared` propagation (value
/// `source:target:propagation`).
pub fn check(s: &ContainerSpec) -> Option<Finding> {
    Finding::new(
        &CONTROL,
        s.mounts
            .iter()
            .enumerate()
            .filter_map(|(index, m)| {
                m.propagation
                    .as_deref()
                    .filter(|p| matches!(*p, "shared" | "rshared"))
                    .map(|p| Hit {
                        value: format!("{}:{}:{p}", m.source, m.target),
                        key: "volumes",
                        line: m.line,
                        index,
                    })
            })
            .collect(),
    )
}

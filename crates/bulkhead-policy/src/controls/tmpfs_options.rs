//! tmpfs without noexec, nosuid or size (BH-CO-024).
use crate::{Control, Finding, Hit};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "tmpfs-options",
    title: "tmpfs without noexec, nosuid or size",
    lint: &["BH-CO-024"],
    cis: &[],
};

/// The options a tmpfs lacks, of `noexec`, `nosuid`, `size`.
pub fn missing(t: &bulkhead_types::SpecTmpfs) -> Vec<&'static str> {
    [
        ("noexec", t.has("noexec")),
        ("nosuid", t.has("nosuid")),
        ("size", t.size().is_some()),
    ]
    .into_iter()
    .filter(|(_, ok)| !ok)
    .map(|(n, _)| n)
    .collect()
}

/// One hit per tmpfs lacking an option (value: its target).
pub fn check(s: &ContainerSpec) -> Option<Finding> {
    let line = s.line_of("tmpfs");
    Finding::new(
        &CONTROL,
        s.tmpfs
            .iter()
            .enumerate()
            .filter(|(_, t)| !missing(t).is_empty())
            .map(|(index, t)| Hit {
                value: t.target.clone(),
                key: "tmpfs",
                line,
                index,
            })
            .collect(),
    )
}

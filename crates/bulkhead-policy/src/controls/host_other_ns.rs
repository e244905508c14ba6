//! Host UTS, user or cgroup namespace (CIS 5.21 UTS, 5.31 user;
//! BH-CO-013). Also the shared helper of `host_network`, `host_pid`,
//! `host_ipc`.
use crate::{Control, Finding, Hit};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "host-other-ns",
    title: "Host UTS, user or cgroup namespace",
    lint: &["BH-CO-013"],
    cis: &["5.21", "5.31"],
};

/// (namespace, Compose key) of this control, in report order.
pub const NAMESPACES: &[(&str, &str)] = &[("uts", "uts"), ("userns", "userns_mode"), ("cgroup", "cgroup")];

/// One hit per namespace shared with the host; the hit value is the
/// namespace (`uts`), the key its Compose key.
pub fn check(s: &ContainerSpec) -> Option<Finding> {
    let hits = NAMESPACES
        .iter()
        .filter(|(ns, _)| s.namespace(ns) == Some("host"))
        .map(|(ns, key)| Hit {
            value: (*ns).to_string(),
            key,
            line: s.line_of(key),
            index: 0,
        })
        .collect();
    Finding::new(&CONTROL, hits)
}

/// `namespace` set to `host`.
pub(crate) fn host_ns(
    s: &ContainerSpec,
    control: &'static Control,
    namespace: &str,
    key: &'static str,
) -> Option<Finding> {
    if s.namespace(namespace) != Some("host") {
        return None;
    }
    Finding::one(
        control,
        Hit {
            value: "host".into(),
            key,
            line: s.line_of(key),
            index: 0,
        },
    )
}

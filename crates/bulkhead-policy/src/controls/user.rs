//! The container runs as root (CIS 4.1; Compose BH-CO-001 explicit root,
//! BH-CO-002 no user set).
use crate::{Control, Finding, Hit};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "user",
    title: "Container runs as root",
    lint: &["BH-CO-001", "BH-CO-002"],
    cis: &["4.1"],
};

/// `root`, `0`, `0:0`, `root:root` (whatever the group).
pub fn is_root(user: &str) -> bool {
    let u = user.split(':').next().unwrap_or(user).trim();
    u == "root" || u == "0"
}

/// The hit value when no user is set anywhere the spec knows.
pub const UNSET: &str = "(unset)";

/// Flags a root user given explicitly, or no user at all (container and
/// image): Docker's default is root. The hit value is the user, or
/// [`UNSET`].
pub fn check(s: &ContainerSpec) -> Option<Finding> {
    match s.user.as_deref().filter(|u| !u.is_empty()) {
        Some(u) if is_root(u) => Finding::one(
            &CONTROL,
            Hit {
                value: u.to_string(),
                key: "user",
                line: s.line_of("user"),
                index: 0,
            },
        ),
        Some(_) => None,
        None => match s.image_user.as_deref().filter(|u| !u.is_empty()) {
            Some(u) if !is_root(u) => None,
            Some(u) => Finding::one(
                &CONTROL,
                Hit {
                    value: u.to_string(),
                    key: "",
                    line: s.line,
                    index: 0,
                },
            ),
            None => Finding::one(
                &CONTROL,
                Hit {
                    value: UNSET.to_string(),
                    key: "",
                    line: s.line,
                    index: 0,
                },
            ),
        },
    }
}

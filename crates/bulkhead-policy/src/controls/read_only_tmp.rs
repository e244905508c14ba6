//! Read-only root without a writable /tmp (BH-CO-025): most programs need a
//! scratch folder, and without one the usual "fix" is to drop `read_only`.
//!
//! Compose lint reports it; `harden`, which always proposes a read-only
//! root, proposes a /tmp tmpfs with it ([`propose_from`]), so its own
//! proposals never trip it. The audit does not run it: it sees containers
//! that run already, so a read-only one without a writable /tmp shows it
//! needs none, and CIS 5.13 itself (a read-only root, the benchmark item
//! the Compose rule maps to) is the `read-only-rootfs` control's. Hence no
//! CIS id here: the audit reports nothing under this control.
use crate::{Control, Finding, Hit, Proposed};
use bulkhead_types::{ContainerSpec, MountKind};

pub static CONTROL: Control = Control {
    name: "read-only-tmp",
    title: "Read-only root without a tmpfs for /tmp",
    lint: &["BH-CO-025"],
    cis: &[],
};

/// The scratch folder a read-only root needs.
pub const SCRATCH: &str = "/tmp";

/// Whether a mount target is [`SCRATCH`] (a trailing `/` aside).
fn is_scratch(target: &str) -> bool {
    target.trim_end_matches('/') == SCRATCH
}

/// Where the container can write besides its root: tmpfs mounts, mounts
/// that are not read-only (tmpfs, bind, volume) and the image's VOLUMEs
/// (Docker mounts an anonymous read-write volume there).
pub fn writable_targets(s: &ContainerSpec) -> impl Iterator<Item = &str> {
    s.tmpfs
        .iter()
        .map(|t| t.target.as_str())
        .chain(
            s.mounts
                .iter()
                .filter(|m| !m.read_only && m.kind != MountKind::Other)
                .map(|m| m.target.as_str()),
        )
        .chain(s.image_volumes.iter().map(String::as_str))
}

/// Whether the container has a writable [`SCRATCH`].
pub fn has_writable_tmp(s: &ContainerSpec) -> bool {
    writable_targets(s).any(is_scratch)
}

/// A read-only root with no writable /tmp (value: `/tmp`).
pub fn check(s: &ContainerSpec) -> Option<Finding> {
    if !s.read_only || has_writable_tmp(s) {
        return None;
    }
    Finding::one(
        &CONTROL,
        Hit {
            value: SCRATCH.into(),
            key: "read_only",
            line: s.line_of("read_only"),
            index: 0,
        },
    )
}

/// The tmpfs target to add with a read-only root when none of `writable`
/// (the targets already writable, [`writable_targets`] plus any mounts the
/// caller proposes) is [`SCRATCH`]; `why` is the reason to give.
pub fn propose_from<'a>(
    writable: impl IntoIterator<Item = &'a str>,
    why: &str,
) -> Option<Proposed<String>> {
    if writable.into_iter().any(is_scratch) {
        return None;
    }
    Some(Proposed {
        value: SCRATCH.to_string(),
        why: why.to_string(),
    })
}

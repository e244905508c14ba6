//! Host devices passed in.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::devices;

rule! {
    id: "BH-CO-016", title: "Host device exposed", severity: Medium, kind: Compose,
    rationale: "A host device node gives the container direct kernel driver access; /dev/mem, /dev/kmem, disks and /dev/fuse allow reading host memory or filesystems.",
    fix: "Remove `devices:` entries the service does not strictly need, and give the rest `r` or `rw` instead of `rwm`.",
    hadolint: [], trivy: [], dockle: [], cis: "5.18",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        if devices::check(spec).is_some() {
            out.line(
                s.line_of("devices"),
                format!(
                    "service {} gets host devices: {}",
                    s.name,
                    s.devices.join(", ")
                ),
                s.devices.join(","),
            );
        }
    }
}

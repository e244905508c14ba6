//! privileged: true.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::privileged;

rule! {
    id: "BH-CO-006", title: "Privileged container", severity: Critical, kind: Compose,
    rationale: "`privileged: true` gives all capabilities, every host device, no seccomp, no AppArmor and writable /sys: root in the container is root on the host.",
    fix: "Remove `privileged`; grant the specific device (`devices:`) or capability the service needs.",
    hadolint: [], trivy: [], dockle: [], cis: "5.5",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        if let Some(f) = privileged::check(spec) {
            let line = f.hits.first().map_or(spec.line, |h| h.line);
            out.line(line, format!("service {} is privileged", s.name), "privileged: true");
        }
    }
}

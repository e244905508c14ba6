//! privileged: true.
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-006", title: "Privileged container", severity: Critical, kind: Compose,
    rationale: "`privileged: true` gives all capabilities, every host device, no seccomp, no AppArmor and writable /sys: root in the container is root on the host.",
    fix: "Remove `privileged`; grant the specific device (`devices:`) or capability the service needs.",
    hadolint: [], trivy: [], dockle: [], cis: "5.5",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in cx.project.services.iter().filter(|s| s.privileged) {
        out.line(
            s.line_of("privileged"),
            format!("service {} is privileged", s.name),
            "privileged: true",
        );
    }
}

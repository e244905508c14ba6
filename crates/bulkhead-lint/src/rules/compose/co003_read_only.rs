//! Root filesystem writable.
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-003", title: "Root filesystem is writable", severity: Medium, kind: Compose,
    rationale: "A writable root filesystem lets an attacker drop tools, modify binaries and persist inside the container.",
    fix: "`read_only: true`, plus `tmpfs: [\"/tmp:rw,noexec,nosuid,size=100m\"]` and volumes for the paths the app writes.",
    hadolint: [], trivy: [], dockle: [], cis: "5.13",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in cx.project.services.iter().filter(|s| !s.read_only) {
        out.line(
            s.line_of("read_only"),
            format!("service {} has a writable root filesystem", s.name),
            "read_only: false",
        );
    }
}

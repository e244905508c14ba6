//! Root filesystem writable.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::read_only;

rule! {
    id: "BH-CO-003", title: "Root filesystem is writable", severity: Medium, kind: Compose,
    rationale: "A writable root filesystem lets an attacker drop tools, modify binaries and persist inside the container.",
    fix: "`read_only: true`, plus `tmpfs: [\"/tmp:rw,noexec,nosuid,size=100m\"]` and volumes for the paths the app writes.",
    hadolint: [], trivy: [], dockle: [], cis: "5.13",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        if let Some(f) = read_only::check(spec) {
            let line = f.hits.first().map_or(spec.line, |h| h.line);
            out.line(line, format!("service {} has a writable root filesystem", s.name), "read_only: false");
        }
    }
}

//! No memory limit.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::memory_limit;

rule! {
    id: "BH-CO-017", title: "No memory limit", severity: Low, kind: Compose,
    rationale: "Without a memory limit one service can exhaust host memory and trigger the OOM killer on its neighbours (or the Docker daemon).",
    fix: "`mem_limit: 512m` or `deploy.resources.limits.memory: 512M`.",
    hadolint: [], trivy: [], dockle: [], cis: "5.11",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        if let Some(f) = memory_limit::check(spec) {
            let line = f.hits.first().map_or(spec.line, |h| h.line);
            out.line(line, format!("service {} has no memory limit", s.name), "mem_limit: (unset)");
        }
    }
}

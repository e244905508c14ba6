//! No PIDs limit.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::pids_limit;

rule! {
    id: "BH-CO-019", title: "No PIDs limit", severity: Low, kind: Compose,
    rationale: "Without a PIDs limit a fork bomb inside the container exhausts the host's process table.",
    fix: "`pids_limit: 200` or `deploy.resources.limits.pids: 200`.",
    hadolint: [], trivy: [], dockle: [], cis: "5.29",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        if let Some(f) = pids_limit::check(spec) {
            let line = f.hits.first().map_or(spec.line, |h| h.line);
            out.line(line, format!("service {} has no PIDs limit", s.name), "pids_limit: (unset)");
        }
    }
}

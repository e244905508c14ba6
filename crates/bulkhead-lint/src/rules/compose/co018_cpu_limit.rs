//! No CPU limit.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::cpu_limit;

rule! {
    id: "BH-CO-018", title: "No CPU limit", severity: Low, kind: Compose,
    rationale: "Without a CPU limit a runaway or compromised service (e.g. a crypto miner) starves every other workload on the host.",
    fix: "`cpus: \"1.0\"` or `deploy.resources.limits.cpus: \"1.0\"`.",
    hadolint: [], trivy: [], dockle: [], cis: "5.12",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        if let Some(f) = cpu_limit::check(spec) {
            let line = f.hits.first().map_or(spec.line, |h| h.line);
            out.line(line, format!("service {} has no CPU limit", s.name), "cpus: (unset)");
        }
    }
}

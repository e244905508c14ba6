//! No CPU limit.
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-018", title: "No CPU limit", severity: Low, kind: Compose,
    rationale: "Without a CPU limit a runaway or compromised service (e.g. a crypto miner) starves every other workload on the host.",
    fix: "`cpus: \"1.0\"` or `deploy.resources.limits.cpus: \"1.0\"`.",
    hadolint: [], trivy: [], dockle: [], cis: "5.12",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in cx
        .project
        .services
        .iter()
        .filter(|s| s.limits.cpus.is_none_or(|c| c <= 0.0))
    {
        out.line(
            s.line,
            format!("service {} has no CPU limit", s.name),
            "cpus: (unset)",
        );
    }
}

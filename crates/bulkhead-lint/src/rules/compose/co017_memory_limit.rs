//! No memory limit.
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-017", title: "No memory limit", severity: Low, kind: Compose,
    rationale: "Without a memory limit one service can exhaust host memory and trigger the OOM killer on its neighbours (or the Docker daemon).",
    fix: "`mem_limit: 512m` or `deploy.resources.limits.memory: 512M`.",
    hadolint: [], trivy: [], dockle: [], cis: "5.11",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in cx
        .project
        .services
        .iter()
        .filter(|s| s.limits.memory.is_none_or(|m| m == 0))
    {
        out.line(
            s.line,
            format!("service {} has no memory limit", s.name),
            "mem_limit: (unset)",
        );
    }
}

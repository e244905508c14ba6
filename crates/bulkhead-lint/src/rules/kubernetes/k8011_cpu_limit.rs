//! No CPU limit.
use crate::rules::{KubernetesCx, Sink, rule};

rule! {
    id: "BH-K8-011", title: "No CPU limit", severity: Low, kind: Kubernetes,
    rationale: "Without a CPU limit a busy container takes every idle core of its node, and its neighbours' latency depends on it.",
    fix: "`resources.limits.cpu` on every container (and a `requests.cpu` the scheduler can place).",
    hadolint: [], trivy: ["KSV011"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &KubernetesCx<'_>, out: &mut Sink<'_>) {
    for (o, _, c) in cx.containers() {
        if c.limits.cpu.is_none() {
            out.line(c.line, format!("{} has no CPU limit", super::at(o, c)), "resources.limits.cpu: (unset)");
        }
    }
}

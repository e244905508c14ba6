//! No memory limit.
use crate::rules::{KubernetesCx, Sink, rule};

rule! {
    id: "BH-K8-010", title: "No memory limit", severity: Low, kind: Kubernetes,
    rationale: "Without a memory limit one container can use all of its node's memory, and the kernel's OOM killer then picks among the node's pods.",
    fix: "`resources.limits.memory` on every container (and a matching `requests.memory`).",
    hadolint: [], trivy: ["KSV018"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &KubernetesCx<'_>, out: &mut Sink<'_>) {
    for (o, _, c) in cx.containers() {
        if c.limits.memory.is_none() {
            out.line(c.line, format!("{} has no memory limit", super::at(o, c)), "resources.limits.memory: (unset)");
        }
    }
}

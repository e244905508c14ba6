//! Privileged container.
use crate::rules::{KubernetesCx, Sink, rule};

rule! {
    id: "BH-K8-001", title: "Privileged container", severity: Critical, kind: Kubernetes,
    rationale: "A privileged container has every capability, every host device and no seccomp or AppArmor confinement: root in it is root on the node.",
    fix: "Remove `securityContext.privileged: true`; grant the one capability or device the workload needs instead.",
    hadolint: [], trivy: ["KSV017"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &KubernetesCx<'_>, out: &mut Sink<'_>) {
    for (o, _, c) in cx.containers() {
        if let Some(p) = c.security.privileged.as_ref().filter(|p| p.value) {
            out.line(p.line, format!("{} is privileged", super::at(o, c)), "securityContext.privileged: true");
        }
    }
}

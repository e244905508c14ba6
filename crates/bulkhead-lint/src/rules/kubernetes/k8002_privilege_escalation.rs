//! Privilege escalation allowed.
use crate::rules::{KubernetesCx, Sink, rule};

rule! {
    id: "BH-K8-002", title: "Privilege escalation allowed", severity: Medium, kind: Kubernetes,
    rationale: "Unless `allowPrivilegeEscalation` is false, a process can gain privileges through setuid binaries or file capabilities (no_new_privs is not set); Kubernetes allows it by default.",
    fix: "`securityContext.allowPrivilegeEscalation: false` on every container.",
    hadolint: [], trivy: ["KSV001"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &KubernetesCx<'_>, out: &mut Sink<'_>) {
    for (o, _, c) in cx.containers() {
        let v = c.security.allow_privilege_escalation.as_ref();
        if v.is_some_and(|a| !a.value) {
            continue;
        }
        let (how, evidence) = match v {
            Some(_) => ("is true", "securityContext.allowPrivilegeEscalation: true"),
            None => ("is not set (Kubernetes allows it)", "securityContext.allowPrivilegeEscalation: (unset)"),
        };
        out.line(
            super::line_or(v, c.line),
            format!("{}: allowPrivilegeEscalation {how}", super::at(o, c)),
            evidence,
        );
    }
}

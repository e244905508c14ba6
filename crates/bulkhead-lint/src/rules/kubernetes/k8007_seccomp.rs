//! No seccomp profile.
use crate::rules::{KubernetesCx, Sink, rule};

rule! {
    id: "BH-K8-007", title: "No seccomp profile", severity: Medium, kind: Kubernetes,
    rationale: "Kubernetes runs containers Unconfined (every system call allowed) unless the pod or container asks for a profile or the kubelet's seccompDefault is on; the runtime's default profile blocks the calls behind many kernel escapes.",
    fix: "`securityContext.seccompProfile: {type: RuntimeDefault}` on the pod (or each container), or `Localhost` with a profile of your own.",
    hadolint: [], trivy: ["KSV030"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &KubernetesCx<'_>, out: &mut Sink<'_>) {
    for (o, pod, c) in cx.containers() {
        let profile = pod.seccomp(c);
        if profile.is_some_and(|p| matches!(p.value.as_str(), "RuntimeDefault" | "Localhost")) {
            continue;
        }
        let (how, evidence) = match profile {
            Some(p) => (format!("the seccomp profile is {}", p.value), format!("seccompProfile.type: {}", p.value)),
            None => (
                "no seccomp profile is set (Kubernetes runs it Unconfined)".to_string(),
                "securityContext.seccompProfile: (unset)".to_string(),
            ),
        };
        out.line(super::line_or(profile, c.line), format!("{}: {how}", super::at(o, c)), evidence);
    }
}

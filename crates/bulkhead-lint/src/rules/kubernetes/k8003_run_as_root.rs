//! May run as root.
use crate::rules::{KubernetesCx, Sink, rule};

rule! {
    id: "BH-K8-003", title: "Container may run as root", severity: Medium, kind: Kubernetes,
    rationale: "Without `runAsNonRoot: true` the container runs as whatever user the image names, root included, and nothing stops it; `runAsUser: 0` asks for root outright. Root in a container is one kernel bug or one mount away from root on the node.",
    fix: "`securityContext.runAsNonRoot: true` (pod or container) and a non-zero `runAsUser`, e.g. 65532.",
    hadolint: [], trivy: ["KSV012"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &KubernetesCx<'_>, out: &mut Sink<'_>) {
    for (o, pod, c) in cx.containers() {
        let user = pod.run_as_user(c);
        if let Some(u) = user.filter(|u| u.value == 0) {
            out.line(u.line, format!("{}: runAsUser is 0 (root)", super::at(o, c)), "runAsUser: 0");
            continue;
        }
        let non_root = pod.run_as_non_root(c);
        if non_root.is_some_and(|a| a.value) {
            continue;
        }
        let how = match (non_root, user) {
            (Some(_), _) => "runAsNonRoot is false".to_string(),
            (None, Some(u)) => format!(
                "runAsNonRoot is not set (runAsUser {} is, but nothing enforces a non-root user)",
                u.value
            ),
            (None, None) => "runAsNonRoot is not set: the image's user applies, root included".to_string(),
        };
        let evidence = match non_root {
            Some(_) => "securityContext.runAsNonRoot: false",
            None => "securityContext.runAsNonRoot: (unset)",
        };
        out.line(super::line_or(non_root, c.line), format!("{}: {how}", super::at(o, c)), evidence);
    }
}

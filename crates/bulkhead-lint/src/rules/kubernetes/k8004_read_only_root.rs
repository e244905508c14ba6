//! Root filesystem writable.
use crate::rules::{KubernetesCx, Sink, rule};

rule! {
    id: "BH-K8-004", title: "Root filesystem is writable", severity: Medium, kind: Kubernetes,
    rationale: "A writable root filesystem lets an attacker drop tools, modify binaries and persist inside the container.",
    fix: "`securityContext.readOnlyRootFilesystem: true`, plus an `emptyDir` volume mounted at each path the app writes (e.g. /tmp, a cache folder).",
    hadolint: [], trivy: ["KSV014"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &KubernetesCx<'_>, out: &mut Sink<'_>) {
    for (o, _, c) in cx.containers() {
        let v = c.security.read_only_root_filesystem.as_ref();
        if v.is_some_and(|a| a.value) {
            continue;
        }
        let evidence = match v {
            Some(_) => "securityContext.readOnlyRootFilesystem: false",
            None => "securityContext.readOnlyRootFilesystem: (unset)",
        };
        out.line(
            super::line_or(v, c.line),
            format!("{}: the root filesystem is writable (readOnlyRootFilesystem is not true)", super::at(o, c)),
            evidence,
        );
    }
}

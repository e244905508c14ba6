//! Capabilities not dropped.
use crate::rules::{KubernetesCx, Sink, rule};

rule! {
    id: "BH-K8-005", title: "Capabilities not dropped", severity: Medium, kind: Kubernetes,
    rationale: "Containers start with the runtime's default capabilities (CHOWN, DAC_OVERRIDE, NET_RAW, SETUID, …); most workloads need none of them.",
    fix: "`securityContext.capabilities.drop: [ALL]` and add back only what is needed, e.g. `add: [NET_BIND_SERVICE]`.",
    hadolint: [], trivy: ["KSV003"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &KubernetesCx<'_>, out: &mut Sink<'_>) {
    for (o, _, c) in cx.containers() {
        let s = &c.security;
        if s.cap_drop.iter().any(|d| d.value.eq_ignore_ascii_case("ALL")) {
            continue;
        }
        out.line(
            s.capabilities_line.unwrap_or(c.line),
            format!("{}: capabilities.drop does not list ALL", super::at(o, c)),
            "securityContext.capabilities.drop: [ALL] missing",
        );
    }
}

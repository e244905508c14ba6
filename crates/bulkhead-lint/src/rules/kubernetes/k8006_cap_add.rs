//! High-risk capability added.
use crate::rules::{KubernetesCx, Sink, rule};
use bulkhead_policy::controls::cap_add::HIGH_RISK;

rule! {
    id: "BH-K8-006", title: "High-risk capability added", severity: High, kind: Kubernetes,
    rationale: "SYS_ADMIN, SYS_MODULE, SYS_PTRACE, NET_ADMIN, DAC_READ_SEARCH, BPF and the like allow known container escapes or tampering with the node.",
    fix: "Remove the capability from `securityContext.capabilities.add`; if the workload really needs it, isolate it on dedicated nodes.",
    hadolint: [], trivy: ["KSV005", "KSV022"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &KubernetesCx<'_>, out: &mut Sink<'_>) {
    for (o, _, c) in cx.containers() {
        for cap in &c.security.cap_add {
            let upper = cap.value.trim().to_ascii_uppercase();
            let name = upper.strip_prefix("CAP_").unwrap_or(&upper);
            if HIGH_RISK.contains(&name) {
                out.line(
                    cap.line,
                    format!("{} adds the capability {name}", super::at(o, c)),
                    format!("securityContext.capabilities.add: {}", cap.value),
                );
            }
        }
    }
}

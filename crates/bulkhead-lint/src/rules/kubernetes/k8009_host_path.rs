//! hostPath volume.
use crate::rules::{KubernetesCx, Sink, rule};

rule! {
    id: "BH-K8-009", title: "hostPath volume", severity: Medium, kind: Kubernetes,
    rationale: "A hostPath volume maps a folder of the node into the pod: a container runtime socket or a system folder there gives control of the node, and any writable one lets the pod leave files behind on it.",
    fix: "Use an `emptyDir`, a ConfigMap/Secret or a PersistentVolumeClaim instead; if a node folder is really needed, mount it `readOnly` and keep the workload on dedicated nodes.",
    hadolint: [], trivy: ["KSV023"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &KubernetesCx<'_>, out: &mut Sink<'_>) {
    for (o, pod) in cx.pods() {
        for v in &pod.volumes {
            if let Some(p) = &v.host_path {
                out.line(
                    v.line,
                    format!("{}: volume {} mounts the node's {}", o.label(), v.name, p.value),
                    format!("hostPath.path: {}", p.value),
                );
            }
        }
    }
}

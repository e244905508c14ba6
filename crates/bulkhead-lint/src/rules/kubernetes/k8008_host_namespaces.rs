//! Host namespaces shared.
use crate::rules::{KubernetesCx, Sink, rule};

rule! {
    id: "BH-K8-008", title: "Host namespace shared", severity: High, kind: Kubernetes,
    rationale: "hostNetwork exposes the node's interfaces and local services, hostPID lets the pod see and signal every process on the node, hostIPC shares its shared memory: each removes a wall between the pod and the node.",
    fix: "Remove `hostNetwork`, `hostPID` and `hostIPC` (or set them to false); publish ports through a Service instead.",
    hadolint: [], trivy: ["KSV008", "KSV009", "KSV010"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &KubernetesCx<'_>, out: &mut Sink<'_>) {
    for (o, pod) in cx.pods() {
        for (key, v) in [("hostNetwork", &pod.host_network), ("hostPID", &pod.host_pid), ("hostIPC", &pod.host_ipc)] {
            if let Some(a) = v.as_ref().filter(|a| a.value) {
                out.line(a.line, format!("{}: {key} is true", o.label()), format!("{key}: true"));
            }
        }
    }
}

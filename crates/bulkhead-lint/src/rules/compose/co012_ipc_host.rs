//! ipc: host.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::host_ipc;

rule! {
    id: "BH-CO-012", title: "Host IPC namespace", severity: High, kind: Compose,
    rationale: "`ipc: host` shares host shared memory and semaphores: the container can read or corrupt IPC of host processes.",
    fix: "Remove `ipc: host` (use `shareable`/`service:` between containers if needed).",
    hadolint: [], trivy: [], dockle: [], cis: "5.17",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        if let Some(f) = host_ipc::check(spec) {
            let line = f.hits.first().map_or(spec.line, |h| h.line);
            out.line(line, format!("service {} shares the host IPC namespace", s.name), "ipc: host");
        }
    }
}

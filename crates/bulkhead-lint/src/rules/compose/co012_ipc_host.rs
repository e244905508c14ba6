//! ipc: host.
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-012", title: "Host IPC namespace", severity: High, kind: Compose,
    rationale: "`ipc: host` shares host shared memory and semaphores: the container can read or corrupt IPC of host processes.",
    fix: "Remove `ipc: host` (use `shareable`/`service:` between containers if needed).",
    hadolint: [], trivy: [], dockle: [], cis: "5.17",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in cx
        .project
        .services
        .iter()
        .filter(|s| s.ipc.as_deref() == Some("host"))
    {
        out.line(
            s.line_of("ipc"),
            format!("service {} shares the host IPC namespace", s.name),
            "ipc: host",
        );
    }
}

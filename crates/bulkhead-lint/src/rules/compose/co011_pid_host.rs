//! pid: host.
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-011", title: "Host PID namespace", severity: High, kind: Compose,
    rationale: "`pid: host` shows every host process to the container and, with enough privilege, lets it signal or ptrace them.",
    fix: "Remove `pid: host`.",
    hadolint: [], trivy: [], dockle: [], cis: "5.16",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in cx
        .project
        .services
        .iter()
        .filter(|s| s.pid.as_deref() == Some("host"))
    {
        out.line(
            s.line_of("pid"),
            format!("service {} shares the host PID namespace", s.name),
            "pid: host",
        );
    }
}

//! pid: host.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::host_pid;

rule! {
    id: "BH-CO-011", title: "Host PID namespace", severity: High, kind: Compose,
    rationale: "`pid: host` shows every host process to the container and, with enough privilege, lets it signal or ptrace them.",
    fix: "Remove `pid: host`.",
    hadolint: [], trivy: [], dockle: [], cis: "5.16",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        if let Some(f) = host_pid::check(spec) {
            let line = f.hits.first().map_or(spec.line, |h| h.line);
            out.line(line, format!("service {} shares the host PID namespace", s.name), "pid: host");
        }
    }
}

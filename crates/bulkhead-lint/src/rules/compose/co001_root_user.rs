//! Service runs as root explicitly.
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-001", title: "Service runs as root", severity: High, kind: Compose,
    rationale: "`user: root` or `user: \"0\"` overrides a non-root image user and runs the process as UID 0.",
    fix: "Set an unprivileged numeric user: `user: \"10001:10001\"`.",
    hadolint: [], trivy: [], dockle: [], cis: "4.1",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in &cx.project.services {
        if let Some(u) = &s.user
            && crate::rules::dockerfile::common::is_root(u)
        {
            out.line(
                s.line_of("user"),
                format!("service {} runs as root (user: {u})", s.name),
                format!("user: {u}"),
            );
        }
    }
}

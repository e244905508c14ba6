//! Service runs as root explicitly.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::user;

rule! {
    id: "BH-CO-001", title: "Service runs as root", severity: High, kind: Compose,
    rationale: "`user: root` or `user: \"0\"` overrides a non-root image user and runs the process as UID 0.",
    fix: "Set an unprivileged numeric user: `user: \"10001:10001\"`.",
    hadolint: [], trivy: [], dockle: [], cis: "4.1",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        // Explicit root only: an unset user is BH-CO-002.
        for h in user::check(spec).into_iter().flat_map(|f| f.hits) {
            if h.key == "user" {
                let u = &h.value;
                out.line(
                    h.line,
                    format!("service {} runs as root (user: {u})", s.name),
                    format!("user: {u}"),
                );
            }
        }
    }
}

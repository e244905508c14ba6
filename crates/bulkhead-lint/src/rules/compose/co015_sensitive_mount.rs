//! Sensitive host folders mounted.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::sensitive_mount;

rule! {
    id: "BH-CO-015", title: "Sensitive host folder mounted", severity: High, kind: Compose,
    rationale: "Binding /, /etc, /proc, /sys, /dev, /boot, /usr, /run or /var/lib/docker into a container lets it read host secrets or change the host (write mode), or at least map it (read-only).",
    fix: "Mount only the application folder it needs, read-only where possible (`./config:/app/config:ro`).",
    hadolint: [], trivy: [], dockle: [], cis: "5.6",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        for h in sensitive_mount::check(spec).into_iter().flat_map(|f| f.hits) {
            let Some(m) = spec.mounts.get(h.index) else {
                continue;
            };
            let mode = if m.read_only {
                "read-only"
            } else {
                "read-write"
            };
            out.line(
                h.line,
                format!("service {} mounts host {} ({mode})", s.name, m.source),
                h.value,
            );
        }
    }
}

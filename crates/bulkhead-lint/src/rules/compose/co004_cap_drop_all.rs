//! Capabilities not dropped.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::cap_drop_all;

rule! {
    id: "BH-CO-004", title: "Capabilities not dropped", severity: Medium, kind: Compose,
    rationale: "Containers start with 14 capabilities (CHOWN, DAC_OVERRIDE, NET_RAW, SETUID, …); most services need none of them.",
    fix: "`cap_drop: [ALL]` and add back only what is needed, e.g. `cap_add: [NET_BIND_SERVICE]`.",
    hadolint: [], trivy: [], dockle: [], cis: "5.4",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        if let Some(f) = cap_drop_all::check(spec) {
            let line = f.hits.first().map_or(spec.line, |h| h.line);
            out.line(line, format!("service {} does not drop all capabilities", s.name), "cap_drop: [ALL] missing");
        }
    }
}

//! no-new-privileges not set.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::no_new_privileges;

rule! {
    id: "BH-CO-007", title: "no-new-privileges not set", severity: Medium, kind: Compose,
    rationale: "Without no-new-privileges a process can gain privileges through setuid/setgid binaries or file capabilities in the image.",
    fix: "`security_opt: [\"no-new-privileges:true\"]`.",
    hadolint: [], trivy: [], dockle: [], cis: "5.26",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        if let Some(f) = no_new_privileges::check(spec) {
            let line = f.hits.first().map_or(spec.line, |h| h.line);
            out.line(line, format!("service {} does not set no-new-privileges", s.name), "security_opt: no-new-privileges missing");
        }
    }
}

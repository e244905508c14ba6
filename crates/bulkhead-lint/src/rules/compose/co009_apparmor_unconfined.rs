//! apparmor:unconfined / label:disable.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::mac;

rule! {
    id: "BH-CO-009", title: "AppArmor or SELinux confinement disabled", severity: High, kind: Compose,
    rationale: "`apparmor:unconfined` or `label:disable` removes the mandatory access control layer that limits what a compromised process can touch on the host.",
    fix: "Remove the option, or use a dedicated profile (`bulkhead apparmor generate`).",
    hadolint: [], trivy: [], dockle: [], cis: "5.2",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        for h in mac::check(spec).into_iter().flat_map(|f| f.hits) {
            let what = if h.value == mac::APPARMOR {
                "AppArmor"
            } else {
                "SELinux labels"
            };
            out.line(h.line, format!("service {} disables {what}", s.name), h.value);
        }
    }
}

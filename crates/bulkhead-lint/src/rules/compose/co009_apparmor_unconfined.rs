//! apparmor:unconfined / label:disable.
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-009", title: "AppArmor or SELinux confinement disabled", severity: High, kind: Compose,
    rationale: "`apparmor:unconfined` or `label:disable` removes the mandatory access control layer that limits what a compromised process can touch on the host.",
    fix: "Remove the option, or use a dedicated profile (`bulkhead apparmor generate`).",
    hadolint: [], trivy: [], dockle: [], cis: "5.2",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in &cx.project.services {
        if s.has_security_opt("apparmor", Some("unconfined")) {
            out.line(
                s.line_of("security_opt"),
                format!("service {} disables AppArmor", s.name),
                "apparmor:unconfined",
            );
        }
        if s.has_security_opt("label", Some("disable")) {
            out.line(
                s.line_of("security_opt"),
                format!("service {} disables SELinux labels", s.name),
                "label:disable",
            );
        }
    }
}

//! No healthcheck.
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-021", title: "Healthcheck missing or disabled", severity: Low, kind: Compose,
    rationale: "Without a healthcheck, `depends_on: condition: service_healthy`, restarts and load balancers cannot tell a hung service from a working one (the image may define one; Compose cannot show it here).",
    fix: "`healthcheck: {test: [\"CMD\", \"/app/healthcheck\"], interval: 30s, timeout: 3s, retries: 3}`.",
    hadolint: [], trivy: [], dockle: [], cis: "5.27",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in &cx.project.services {
        match &s.healthcheck {
            Some(h) if h.disabled => out.line(
                s.line_of("healthcheck"),
                format!("service {} disables its healthcheck", s.name),
                "healthcheck: disable",
            ),
            Some(_) => {}
            None => out.line(
                s.line,
                format!("service {} defines no healthcheck", s.name),
                "healthcheck: (unset)",
            ),
        }
    }
}

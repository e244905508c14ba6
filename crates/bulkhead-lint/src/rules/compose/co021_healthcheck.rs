//! No healthcheck.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::healthcheck;

rule! {
    id: "BH-CO-021", title: "Healthcheck missing or disabled", severity: Low, kind: Compose,
    rationale: "Without a healthcheck, `depends_on: condition: service_healthy`, restarts and load balancers cannot tell a hung service from a working one (the image may define one; Compose cannot show it here).",
    fix: "`healthcheck: {test: [\"CMD\", \"/app/healthcheck\"], interval: 30s, timeout: 3s, retries: 3}`.",
    hadolint: [], trivy: [], dockle: [], cis: "5.27",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        for h in healthcheck::check(spec).into_iter().flat_map(|f| f.hits) {
            if h.value == healthcheck::DISABLED {
                out.line(
                    h.line,
                    format!("service {} disables its healthcheck", s.name),
                    "healthcheck: disable",
                );
            } else {
                out.line(
                    h.line,
                    format!("service {} defines no healthcheck", s.name),
                    "healthcheck: (unset)",
                );
            }
        }
    }
}

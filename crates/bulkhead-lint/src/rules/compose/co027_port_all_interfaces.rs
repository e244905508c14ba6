//! Ports published on every host interface.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::port_all_interfaces;

rule! {
    id: "BH-CO-027", title: "Port published on all host interfaces", severity: Low, kind: Compose,
    rationale: "A port without a host address is bound to 0.0.0.0 (and ::): every network the host is on can reach the service, and Docker's iptables rules bypass host firewalls such as ufw.",
    fix: "Give the host address the service should listen on: `127.0.0.1:8080:8080` for local access, or the address of the intended interface.",
    hadolint: [], trivy: [], dockle: [], cis: "5.14",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        for h in port_all_interfaces::check(spec).into_iter().flat_map(|f| f.hits) {
            let Some(p) = spec.ports.get(h.index) else {
                continue;
            };
            let shown = if p.published.is_empty() {
                "an ephemeral port".to_string()
            } else {
                format!("port {}", p.published)
            };
            out.line(
                h.line,
                format!(
                    "service {} publishes {shown} (container {}) on all host interfaces",
                    s.name, p.target
                ),
                h.value,
            );
        }
    }
}

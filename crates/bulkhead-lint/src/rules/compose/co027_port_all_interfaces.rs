//! Ports published on every host interface.
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-027", title: "Port published on all host interfaces", severity: Low, kind: Compose,
    rationale: "A port without a host address is bound to 0.0.0.0 (and ::): every network the host is on can reach the service, and Docker's iptables rules bypass host firewalls such as ufw.",
    fix: "Give the host address the service should listen on: `127.0.0.1:8080:8080` for local access, or the address of the intended interface.",
    hadolint: [], trivy: [], dockle: [], cis: "5.14",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in &cx.project.services {
        for p in &s.ports {
            let ip = p.host_ip.trim();
            if matches!(ip, "" | "0.0.0.0" | "::" | "[::]") {
                let shown = if p.published.is_empty() {
                    "an ephemeral port".to_string()
                } else {
                    format!("port {}", p.published)
                };
                out.line(
                    if p.line > 0 {
                        p.line
                    } else {
                        s.line_of("ports")
                    },
                    format!(
                        "service {} publishes {shown} (container {}) on all host interfaces",
                        s.name, p.target
                    ),
                    format!(
                        "{}:{}:{}/{}",
                        if ip.is_empty() { "0.0.0.0" } else { ip },
                        p.published,
                        p.target,
                        p.protocol
                    ),
                );
            }
        }
    }
}

//! network_mode: host.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::host_network;

rule! {
    id: "BH-CO-010", title: "Host network namespace", severity: High, kind: Compose,
    rationale: "`network_mode: host` shares the host's network stack: the service can bind any host port, reach services on localhost and sniff with NET_RAW.",
    fix: "Use a user-defined network and publish only the ports needed.",
    hadolint: [], trivy: [], dockle: [], cis: "5.10",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        if let Some(f) = host_network::check(spec) {
            let line = f.hits.first().map_or(spec.line, |h| h.line);
            out.line(line, format!("service {} uses the host network", s.name), "network_mode: host");
        }
    }
}

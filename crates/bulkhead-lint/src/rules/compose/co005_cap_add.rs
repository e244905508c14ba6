//! Dangerous capabilities added.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::cap_add;

rule! {
    id: "BH-CO-005", title: "High-risk capability added", severity: High, kind: Compose,
    rationale: "SYS_ADMIN, SYS_MODULE, SYS_PTRACE, DAC_READ_SEARCH, NET_ADMIN, SYS_RAWIO, BPF and ALL each allow known container escapes or host tampering.",
    fix: "Remove the capability; if a tool needs it, run that tool separately, or find the narrower capability it really needs.",
    hadolint: [], trivy: [], dockle: [], cis: "5.4",
    check: check,
}

// The list of high-risk capabilities is bulkhead_policy::controls::cap_add::HIGH_RISK.

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        if let Some(f) = cap_add::check(spec) {
            let bad: Vec<&str> = f.hits.iter().map(|h| h.value.as_str()).collect();
            out.line(
                s.line_of("cap_add"),
                format!("service {} adds {}", s.name, bad.join(", ")),
                format!("cap_add: {}", bad.join(",")),
            );
        }
    }
}

//! Dangerous capabilities added.
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-005", title: "High-risk capability added", severity: High, kind: Compose,
    rationale: "SYS_ADMIN, SYS_MODULE, SYS_PTRACE, DAC_READ_SEARCH, NET_ADMIN, SYS_RAWIO, BPF and ALL each allow known container escapes or host tampering.",
    fix: "Remove the capability; if a tool needs it, run that tool separately, or find the narrower capability it really needs.",
    hadolint: [], trivy: [], dockle: [], cis: "5.4",
    check: check,
}

const RISKY: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "DAC_READ_SEARCH",
    "NET_ADMIN",
    "SYS_RAWIO",
    "BPF",
    "PERFMON",
    "SYS_TIME",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "SYS_BOOT",
    "DAC_OVERRIDE",
    "SETFCAP",
    "LINUX_IMMUTABLE",
];

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in &cx.project.services {
        let bad: Vec<&str> = s
            .cap_add
            .iter()
            .map(String::as_str)
            .filter(|c| RISKY.contains(c))
            .collect();
        if !bad.is_empty() {
            out.line(
                s.line_of("cap_add"),
                format!("service {} adds {}", s.name, bad.join(", ")),
                format!("cap_add: {}", bad.join(",")),
            );
        }
    }
}

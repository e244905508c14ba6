//! seccomp:unconfined.
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-008", title: "Seccomp disabled", severity: High, kind: Compose,
    rationale: "The default seccomp profile blocks ~50 dangerous syscalls (keyctl, bpf, mount, unshare, …); `seccomp:unconfined` exposes the whole kernel syscall surface.",
    fix: "Remove `seccomp:unconfined`, or use a custom profile (`bulkhead seccomp generate`) that allows only what is needed.",
    hadolint: [], trivy: [], dockle: [], cis: "5.22",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in cx
        .project
        .services
        .iter()
        .filter(|s| s.has_security_opt("seccomp", Some("unconfined")))
    {
        out.line(
            s.line_of("security_opt"),
            format!("service {} disables seccomp", s.name),
            "seccomp:unconfined",
        );
    }
}

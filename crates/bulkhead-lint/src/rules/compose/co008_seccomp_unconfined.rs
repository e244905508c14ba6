//! seccomp:unconfined.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::seccomp;

rule! {
    id: "BH-CO-008", title: "Seccomp disabled", severity: High, kind: Compose,
    rationale: "The default seccomp profile blocks ~50 dangerous syscalls (keyctl, bpf, mount, unshare, …); `seccomp:unconfined` exposes the whole kernel syscall surface.",
    fix: "Remove `seccomp:unconfined`, or use a custom profile (`bulkhead seccomp generate`) that allows only what is needed.",
    hadolint: [], trivy: [], dockle: [], cis: "5.22",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        if let Some(f) = seccomp::check(spec) {
            let line = f.hits.first().map_or(spec.line, |h| h.line);
            out.line(line, format!("service {} disables seccomp", s.name), "seccomp:unconfined");
        }
    }
}

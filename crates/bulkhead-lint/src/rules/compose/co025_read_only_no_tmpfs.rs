//! read_only without a tmpfs for scratch space.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::read_only_tmp;

rule! {
    id: "BH-CO-025", title: "Read-only root without a tmpfs for /tmp", severity: Low, kind: Compose,
    rationale: "Most programs need a scratch folder; without a tmpfs, teams \"fix\" the crash by dropping read_only or mounting a writable volume without noexec.",
    fix: "Add `tmpfs: [\"/tmp:rw,noexec,nosuid,size=100m\"]` next to `read_only: true`.",
    hadolint: [], trivy: [], dockle: [], cis: "5.13",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        for h in read_only_tmp::check(spec).into_iter().flat_map(|f| f.hits) {
            out.line(
                h.line,
                format!("service {} is read-only but has no tmpfs at /tmp", s.name),
                "read_only: true",
            );
        }
    }
}

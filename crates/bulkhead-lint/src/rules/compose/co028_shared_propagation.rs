//! Bind mounts with shared mount propagation.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::propagation;

rule! {
    id: "BH-CO-028", title: "Bind mount with shared propagation", severity: Medium, kind: Compose,
    rationale: "With `shared`/`rshared` propagation, mounts the container makes under the bind target appear on the host (and the reverse): a compromised container can mount over host paths.",
    fix: "Drop the propagation option (the default is `rprivate`), or use `rslave` when the container only needs to see host mounts.",
    hadolint: [], trivy: [], dockle: [], cis: "5.20",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        for h in propagation::check(spec).into_iter().flat_map(|f| f.hits) {
            let Some(m) = spec.mounts.get(h.index) else {
                continue;
            };
            let p = m.propagation.as_deref().unwrap_or_default();
            out.line(
                h.line,
                format!(
                    "service {} mounts {} with {p} propagation",
                    s.name, m.source
                ),
                h.value,
            );
        }
    }
}

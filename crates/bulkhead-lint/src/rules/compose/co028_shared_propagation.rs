//! Bind mounts with shared mount propagation.
use crate::compose::MountKind;
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-028", title: "Bind mount with shared propagation", severity: Medium, kind: Compose,
    rationale: "With `shared`/`rshared` propagation, mounts the container makes under the bind target appear on the host (and the reverse): a compromised container can mount over host paths.",
    fix: "Drop the propagation option (the default is `rprivate`), or use `rslave` when the container only needs to see host mounts.",
    hadolint: [], trivy: [], dockle: [], cis: "5.20",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in &cx.project.services {
        for m in s.mounts.iter().filter(|m| m.kind == MountKind::Bind) {
            if let Some(p) = m
                .propagation
                .as_deref()
                .filter(|p| matches!(*p, "shared" | "rshared"))
            {
                out.line(
                    m.line,
                    format!(
                        "service {} mounts {} with {p} propagation",
                        s.name, m.source
                    ),
                    format!("{}:{}:{p}", m.source, m.target),
                );
            }
        }
    }
}

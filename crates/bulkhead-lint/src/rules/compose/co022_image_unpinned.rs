//! Image untagged or latest.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::image_pinning;

rule! {
    id: "BH-CO-022", title: "Image unpinned or `latest`", severity: Medium, kind: Compose,
    rationale: "An untagged or `latest` image changes at every pull: deployments are not reproducible and a bad upstream push rolls out silently.",
    fix: "Pin a version and digest: `image: nginx:1.27.0@sha256:…`.",
    hadolint: [], trivy: [], dockle: ["DKL-DI-0006"], cis: "5.28",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        let Some(img) = &s.image else { continue };
        for h in image_pinning::check(spec).into_iter().flat_map(|f| f.hits) {
            if h.value == image_pinning::UNPINNED {
                out.line(
                    h.line,
                    format!("service {} uses {img} without a version tag", s.name),
                    format!("image: {img}"),
                );
            }
        }
    }
}

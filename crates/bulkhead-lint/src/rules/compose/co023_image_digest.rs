//! Image not pinned by digest.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::image_pinning;

rule! {
    id: "BH-CO-023", title: "Image not pinned by digest", severity: Low, kind: Compose,
    rationale: "Tags are mutable; only a digest guarantees the image you reviewed is the one that runs.",
    fix: "Append the digest: `image: nginx:1.27.0@sha256:<digest>`.",
    hadolint: [], trivy: [], dockle: [], cis: "5.28",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        let Some(img) = &s.image else { continue };
        for h in image_pinning::check(spec).into_iter().flat_map(|f| f.hits) {
            if h.value == image_pinning::TAG_ONLY {
                out.line(
                    h.line,
                    format!("service {} pins {img} by tag only", s.name),
                    format!("image: {img}"),
                );
            }
        }
    }
}

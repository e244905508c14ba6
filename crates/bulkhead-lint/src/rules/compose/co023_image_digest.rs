//! Image not pinned by digest.
use crate::rules::dockerfile::common::image_ref;
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-023", title: "Image not pinned by digest", severity: Low, kind: Compose,
    rationale: "Tags are mutable; only a digest guarantees the image you reviewed is the one that runs.",
    fix: "Append the digest: `image: nginx:1.27.0@sha256:<digest>`.",
    hadolint: [], trivy: [], dockle: [], cis: "5.28",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in &cx.project.services {
        let Some(img) = &s.image else { continue };
        let r = image_ref(img);
        if r.digest.is_none() && !matches!(r.tag.as_deref(), None | Some("latest")) {
            out.line(
                s.line_of("image"),
                format!("service {} pins {img} by tag only", s.name),
                format!("image: {img}"),
            );
        }
    }
}

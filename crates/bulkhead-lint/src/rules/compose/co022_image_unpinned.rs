//! Image untagged or latest.
use crate::rules::dockerfile::common::image_ref;
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-022", title: "Image unpinned or `latest`", severity: Medium, kind: Compose,
    rationale: "An untagged or `latest` image changes at every pull: deployments are not reproducible and a bad upstream push rolls out silently.",
    fix: "Pin a version and digest: `image: nginx:1.27.0@sha256:…`.",
    hadolint: [], trivy: [], dockle: ["DKL-DI-0006"], cis: "5.28",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in &cx.project.services {
        let Some(img) = &s.image else { continue };
        let r = image_ref(img);
        if r.digest.is_none() && matches!(r.tag.as_deref(), None | Some("latest")) {
            out.line(
                s.line_of("image"),
                format!("service {} uses {img} without a version tag", s.name),
                format!("image: {img}"),
            );
        }
    }
}

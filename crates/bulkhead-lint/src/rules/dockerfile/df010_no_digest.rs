//! Base image tagged but not pinned by digest.
use super::common::image_ref;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-010", title: "Base image not pinned by digest", severity: Low, kind: Dockerfile,
    rationale: "Tags are mutable: the same `debian:12` points to a new image after every rebuild upstream, and a registry or account compromise can repoint it. Only a digest names exact bytes.",
    fix: "Append the digest: `FROM debian:12-slim@sha256:<digest>` (get it with `docker buildx imagetools inspect debian:12-slim`).",
    hadolint: [], trivy: [], dockle: [], cis: "5.28",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for s in &cx.df.stages {
        if s.base_is_stage || s.base.eq_ignore_ascii_case("scratch") || s.base.is_empty() {
            continue;
        }
        let r = image_ref(&s.base);
        if r.digest.is_some() || matches!(r.tag.as_deref(), None | Some("latest")) {
            continue; // no tag / latest is BH-DF-009
        }
        if let Some(from) = cx.df.instructions.get(s.from) {
            out.at(
                from.span,
                format!("base image {} is pinned by tag only", s.base),
                format!("FROM {}", s.base_raw),
            );
        }
    }
}

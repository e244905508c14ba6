//! Base image without a tag or with `latest`.
use super::common::image_ref;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-009", title: "Base image unpinned or `latest`", severity: Medium, kind: Dockerfile,
    rationale: "An untagged or `latest` base changes under you: builds are not reproducible and a compromised or broken upstream push reaches your image silently.",
    fix: "Pin a version tag and a digest: `FROM debian:12.5-slim@sha256:…` (renovate/dependabot can keep the digest fresh).",
    hadolint: ["DL3006", "DL3007"], trivy: ["DS-0001"], dockle: ["DKL-DI-0006"], cis: "5.28",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for s in &cx.df.stages {
        if s.base_is_stage || s.base.eq_ignore_ascii_case("scratch") || s.base.is_empty() {
            continue;
        }
        let r = image_ref(&s.base);
        if r.digest.is_some() {
            continue;
        }
        let Some(from) = cx.df.instructions.get(s.from) else {
            continue;
        };
        match r.tag.as_deref() {
            None => out.at(
                from.span,
                format!("base image {} has no tag (means `latest`)", s.base),
                format!("FROM {}", s.base_raw),
            ),
            Some("latest") => out.at(
                from.span,
                format!("base image {} uses the `latest` tag", s.base),
                format!("FROM {}", s.base_raw),
            ),
            Some(_) => {}
        }
    }
}

//! WORKDIR must be absolute.
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-025", title: "Relative WORKDIR", severity: Low, kind: Dockerfile,
    rationale: "A relative WORKDIR depends on the previous one (or the base image's); files land in unexpected places and COPY/RUN paths become hard to review.",
    fix: "Use an absolute path: `WORKDIR /app`.",
    hadolint: ["DL3000"], trivy: ["DS-0009"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for i in cx.df.instructions.iter().filter(|i| i.keyword == "WORKDIR") {
        let w = crate::dockerfile::expand::unquote(i.expanded.trim());
        let windows = w.get(1..3).is_some_and(|s| s.starts_with(':'));
        if !w.is_empty() && !w.starts_with('/') && !w.starts_with('$') && !windows {
            out.at(
                i.span,
                format!("WORKDIR {w} is relative"),
                format!("WORKDIR {w}"),
            );
        }
    }
}

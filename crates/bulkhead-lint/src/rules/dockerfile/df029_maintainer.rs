//! MAINTAINER is deprecated.
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-029", title: "Deprecated MAINTAINER", severity: Low, kind: Dockerfile,
    rationale: "MAINTAINER is deprecated; labels are what tooling reads.",
    fix: "`LABEL org.opencontainers.image.authors=\"team@example.com\"`.",
    hadolint: ["DL4000"], trivy: ["DS-0022"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for i in cx
        .df
        .instructions
        .iter()
        .filter(|i| i.keyword == "MAINTAINER")
    {
        out.at(i.span, "MAINTAINER is deprecated", "MAINTAINER");
    }
}

//! COPY with several sources needs a folder destination.
use super::common::copy_parts;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-031", title: "COPY of several sources to a destination without trailing /", severity: Medium, kind: Dockerfile,
    rationale: "With more than one source the destination must be a folder; without the trailing slash the build fails or the layout is not what the author expected.",
    fix: "End the destination with `/`: `COPY a b /app/`.",
    hadolint: ["DL3021"], trivy: ["DS-0011"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for i in cx
        .df
        .instructions
        .iter()
        .filter(|i| (i.keyword == "COPY" || i.keyword == "ADD") && i.heredocs.is_empty())
    {
        let (srcs, dest) = copy_parts(i);
        if let Some(d) = dest
            && srcs.len() > 1
            && !d.ends_with('/')
            && !d.contains('$')
        {
            out.at(
                i.span,
                format!(
                    "{} has {} sources but destination {d} has no trailing /",
                    i.keyword,
                    srcs.len()
                ),
                d,
            );
        }
    }
}

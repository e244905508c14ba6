//! ADD from a URL without a checksum.
use super::common::copy_parts;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-011", title: "ADD downloads a URL without --checksum", severity: Medium, kind: Dockerfile,
    rationale: "ADD fetches remote content at build time with no integrity check: whoever controls the URL (or the network path for http://) controls what lands in the image.",
    fix: "Use `ADD --checksum=sha256:<hash> https://…` (BuildKit), or download in a RUN and verify with `sha256sum -c`.",
    hadolint: [], trivy: [], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for i in cx.df.instructions.iter().filter(|i| i.keyword == "ADD") {
        if i.flag("checksum").is_some() {
            continue;
        }
        let (srcs, _) = copy_parts(i);
        for s in srcs.iter().filter(|s| {
            s.starts_with("http://") || s.starts_with("https://") || s.starts_with("git@")
        }) {
            out.at(
                i.span,
                format!("ADD fetches {s} without a checksum"),
                format!("ADD {s}"),
            );
        }
    }
}

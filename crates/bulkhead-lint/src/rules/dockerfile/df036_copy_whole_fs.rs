//! COPY --from=stage / /.
use super::common::copy_parts;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-036", title: "Whole filesystem copied from another stage", severity: Low, kind: Dockerfile,
    rationale: "Copying `/` from a build stage drags compilers, package caches, credentials used during the build and setuid binaries into the final image.",
    fix: "Copy only the artefacts: `COPY --from=build /out/app /app/`.",
    hadolint: ["DL3067"], trivy: [], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for i in cx
        .df
        .instructions
        .iter()
        .filter(|i| i.keyword == "COPY" && i.flag("from").is_some())
    {
        let (srcs, _) = copy_parts(i);
        if srcs.iter().any(|s| s == "/" || s == "/." || s == "/*") {
            out.at(
                i.span,
                "COPY --from copies the whole root filesystem",
                "COPY --from / /",
            );
        }
    }
}

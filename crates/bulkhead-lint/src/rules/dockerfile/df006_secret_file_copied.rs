//! Secret files copied into a layer.
use super::common::{copy_parts, in_final};
use crate::rules::secrets::is_secret_file;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-006", title: "Credential file copied into the image", severity: High, kind: Dockerfile,
    rationale: "Files such as .npmrc, .netrc, id_rsa, .env or cloud credentials copied with COPY/ADD stay in that layer forever, even if a later RUN deletes them.",
    fix: "Mount the file only for the RUN that needs it: `RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci`, and list it in .dockerignore.",
    hadolint: [], trivy: ["DS-0031"], dockle: ["CIS-DI-0010"], cis: "4.10",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for i in cx
        .final_instructions()
        .iter()
        .filter(|i| (i.keyword == "COPY" || i.keyword == "ADD") && i.flag("from").is_none())
    {
        if !in_final(cx, i) {
            continue;
        }
        let (srcs, _) = copy_parts(i);
        for s in srcs.iter().filter(|s| is_secret_file(s)) {
            out.at(
                i.span,
                format!("{} copies {s}, a credential file, into a layer", i.keyword),
                format!("{} {s}", i.keyword),
            );
        }
    }
}

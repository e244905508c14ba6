//! COPY --from the stage itself.
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-032", title: "COPY --from refers to its own stage", severity: Medium, kind: Dockerfile,
    rationale: "A stage cannot copy from itself; BuildKit then looks for an image of that name in a registry, which pulls untrusted content.",
    fix: "Point --from at an earlier stage name or a pinned image.",
    hadolint: ["DL3023"], trivy: ["DS-0006"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for i in cx.df.instructions.iter().filter(|i| i.keyword == "COPY") {
        let (Some(from), Some(stage)) = (
            i.flag("from").and_then(|f| f.value.clone()),
            i.stage.and_then(|s| cx.df.stages.get(s)),
        ) else {
            continue;
        };
        if stage.name.as_deref() == Some(from.to_ascii_lowercase().as_str()) {
            out.at(
                i.span,
                format!("COPY --from={from} inside stage {from}"),
                format!("--from={from}"),
            );
        }
    }
}

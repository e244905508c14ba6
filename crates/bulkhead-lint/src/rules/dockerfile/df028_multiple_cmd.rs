//! More than one CMD, ENTRYPOINT or HEALTHCHECK in a stage.
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-028", title: "Repeated CMD, ENTRYPOINT or HEALTHCHECK in a stage", severity: Low, kind: Dockerfile,
    rationale: "Only the last one takes effect; the earlier ones mislead reviewers about what the container runs or how it is checked.",
    fix: "Keep one CMD, one ENTRYPOINT and one HEALTHCHECK per stage.",
    hadolint: ["DL4003", "DL4004", "DL3012"], trivy: ["DS-0016", "DS-0007", "DS-0023"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for s in &cx.df.stages {
        for kw in ["CMD", "ENTRYPOINT", "HEALTHCHECK"] {
            for i in cx
                .df
                .stage_instructions(s)
                .iter()
                .filter(|i| i.keyword == kw)
                .skip(1)
            {
                out.at(
                    i.span,
                    format!(
                        "more than one {kw} in stage {}: only the last applies",
                        s.name.clone().unwrap_or_else(|| s.index.to_string())
                    ),
                    kw,
                );
            }
        }
    }
}

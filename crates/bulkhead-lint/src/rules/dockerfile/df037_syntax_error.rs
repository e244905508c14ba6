//! Parse problems.
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-037", title: "Dockerfile syntax problem", severity: High, kind: Dockerfile,
    rationale: "A file the builder rejects or reads differently from the author (unknown instruction, unterminated heredoc, instructions before FROM) is not what gets built; other checks may be wrong for it.",
    fix: "Fix the reported line; instructions other than ARG must come after a FROM.",
    hadolint: ["DL3061"], trivy: [], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for e in &cx.df.errors {
        out.at(e.span, e.message.clone(), "");
    }
    for i in cx
        .df
        .instructions
        .iter()
        .filter(|i| i.stage.is_none() && i.keyword != "ARG" && i.keyword != "FROM")
    {
        out.at(
            i.span,
            format!("{} before the first FROM", i.keyword),
            i.keyword.clone(),
        );
    }
    if cx.df.stages.is_empty() && !cx.df.instructions.is_empty() {
        out.line(1, "no FROM instruction", "");
    }
    if let Some(t) = cx.target
        && cx.df.final_stage(Some(t)).is_none()
    {
        out.line(1, format!("target stage {t} not found"), "");
    }
}

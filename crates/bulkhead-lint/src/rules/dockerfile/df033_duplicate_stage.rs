//! Two stages with the same name.
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-033", title: "Duplicate stage name", severity: Medium, kind: Dockerfile,
    rationale: "With two stages of the same name, `--from` and `--target` pick one of them silently.",
    fix: "Give every stage a unique `AS name`.",
    hadolint: ["DL3024"], trivy: ["DS-0012"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for (n, s) in cx.df.stages.iter().enumerate() {
        let Some(name) = &s.name else { continue };
        if cx
            .df
            .stages
            .iter()
            .take(n)
            .any(|p| p.name.as_ref() == Some(name))
            && let Some(from) = cx.df.instructions.get(s.from)
        {
            out.at(
                from.span,
                format!("stage name {name} is used twice"),
                format!("AS {name}"),
            );
        }
    }
}

//! cd inside RUN.
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-030", title: "cd used in RUN instead of WORKDIR", severity: Low, kind: Dockerfile,
    rationale: "A `cd` lasts for one RUN only; later instructions silently run elsewhere, which hides where files are written.",
    fix: "Use `WORKDIR /path` (or `cd` inside a subshell for a one-off step).",
    hadolint: ["DL3003"], trivy: ["DS-0013"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for r in &cx.runs {
        if r.commands.iter().any(|c| c.program() == "cd") {
            out.at(r.inst.span, "RUN changes folder with cd", "cd");
        }
    }
}

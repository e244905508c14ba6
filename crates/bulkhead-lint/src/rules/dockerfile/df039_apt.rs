//! apt instead of apt-get.
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-039", title: "apt used instead of apt-get", severity: Low, kind: Dockerfile,
    rationale: "`apt` is meant for humans: its output and behaviour are not stable for scripts and it warns about that.",
    fix: "Use `apt-get` (or `apt-cache`).",
    hadolint: ["DL3027"], trivy: [], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for r in &cx.runs {
        if r.commands.iter().any(|c| c.program() == "apt") {
            out.at(r.inst.span, "RUN uses apt", "apt");
        }
    }
}

//! Both wget and curl.
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-038", title: "Both wget and curl used", severity: Low, kind: Dockerfile,
    rationale: "Two download tools in one image double the attack surface for no gain.",
    fix: "Pick one (or none in the final stage: download in a build stage).",
    hadolint: ["DL4001"], trivy: ["DS-0014"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    let first = |tool: &str| {
        cx.runs
            .iter()
            .find(|r| r.commands.iter().any(|c| c.program() == tool))
    };
    if let (Some(a), Some(b)) = (first("curl"), first("wget")) {
        let later = if a.inst.span.start.line > b.inst.span.start.line {
            a
        } else {
            b
        };
        out.at(later.inst.span, "both curl and wget are used", "curl/wget");
    }
}

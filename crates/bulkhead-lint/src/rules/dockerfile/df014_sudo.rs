//! sudo in RUN.
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-014", title: "sudo used in RUN", severity: High, kind: Dockerfile,
    rationale: "Build steps already run as the current USER; sudo in an image means a sudo binary and sudoers policy ship with it, giving the runtime user a path back to root.",
    fix: "Run privileged steps before `USER`, as root, and do not install sudo. Use `gosu`/`setpriv` only in entrypoints that drop privileges.",
    hadolint: ["DL3004"], trivy: ["DS-0010"], dockle: ["DKL-DI-0001"], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for r in &cx.runs {
        if r.commands.iter().any(|c| {
            c.words
                .iter()
                .find(|w| !w.contains('='))
                .is_some_and(|w| w == "sudo")
        }) {
            out.at(r.inst.span, "RUN uses sudo", "sudo");
        }
    }
}

//! Pipes without pipefail.
use crate::dockerfile::shell::Join;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-035", title: "Pipe in RUN without pipefail", severity: Low, kind: Dockerfile,
    rationale: "`/bin/sh -c` returns the status of the last command of a pipe only: `curl … | tar x` succeeds even when the download failed, and the image is built from partial content.",
    fix: "`SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before the RUN, or `set -o pipefail &&` at its start.",
    hadolint: ["DL4006"], trivy: [], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for r in &cx.runs {
        if r.inst.is_json() || !r.commands.iter().any(|c| c.join == Join::Pipe) {
            continue;
        }
        let shell_ok = r
            .inst
            .stage
            .and_then(|s| cx.df.stages.get(s))
            .is_some_and(|s| {
                cx.df
                    .instructions
                    .get(s.from..)
                    .unwrap_or(&[])
                    .iter()
                    .take_while(|i| !std::ptr::eq(*i, r.inst))
                    .filter(|i| i.keyword == "SHELL")
                    .last()
                    .is_some_and(|i| i.args_text().contains("pipefail"))
            });
        let inline = r.inst.script().contains("pipefail");
        if !shell_ok && !inline {
            out.at(
                r.inst.span,
                "RUN uses a pipe without `set -o pipefail`",
                "|",
            );
        }
    }
}

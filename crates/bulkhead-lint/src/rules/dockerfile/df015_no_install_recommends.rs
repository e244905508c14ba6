//! apt-get install without --no-install-recommends.
use super::common::in_final;
use super::pm::{has_flag, is};
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-015", title: "apt-get install pulls recommended packages", severity: Low, kind: Dockerfile,
    rationale: "Recommended packages are not needed to run the software but add size and attack surface (and more CVEs to triage).",
    fix: "`apt-get install -y --no-install-recommends pkg…`.",
    hadolint: ["DL3015"], trivy: ["DS-0029"], dockle: [], cis: "4.3",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for r in cx.runs.iter().filter(|r| in_final(cx, r.inst)) {
        for c in &r.commands {
            if is(c, &["apt-get", "apt"], &["install"])
                && !has_flag(c, &["--no-install-recommends"], None)
                && !c.words.iter().any(|w| {
                    w.contains("Install-Recommends=false") || w.contains("Install-Recommends=0")
                })
            {
                out.at(
                    r.inst.span,
                    "apt-get install without --no-install-recommends",
                    c.words.join(" "),
                );
                break;
            }
        }
    }
}

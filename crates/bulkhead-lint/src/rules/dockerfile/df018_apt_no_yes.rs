//! apt-get install without -y.
use super::pm::{has_flag, is};
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-018", title: "apt-get install without -y", severity: Low, kind: Dockerfile,
    rationale: "Without -y apt-get waits for a confirmation no one can give: the build aborts or, with some front-ends, proceeds unpredictably.",
    fix: "`apt-get install -y …`.",
    hadolint: ["DL3014"], trivy: ["DS-0021"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for r in &cx.runs {
        for c in &r.commands {
            if is(c, &["apt-get"], &["install", "upgrade", "dist-upgrade"])
                && !has_flag(c, &["--yes", "--assume-yes", "--quiet=2"], Some('y'))
                && !c.words.iter().any(|w| w == "-qq" || w == "-q=2")
            {
                out.at(r.inst.span, "apt-get install without -y", c.words.join(" "));
                break;
            }
        }
    }
}

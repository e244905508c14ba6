//! dist-upgrade in a Dockerfile.
use super::pm::is;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-022", title: "dist-upgrade in the image build", severity: Low, kind: Dockerfile,
    rationale: "dist-upgrade may change the distribution release under the base image and install or remove packages unpredictably; patches belong in a newer base image.",
    fix: "Rebuild on an updated base image; if you must patch, use `apt-get upgrade -y` (or pin packages).",
    hadolint: ["DL3035"], trivy: ["DS-0024"], dockle: ["DKL-DI-0003"], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for r in &cx.runs {
        if r.commands.iter().any(|c| {
            is(c, &["apt-get", "apt"], &["dist-upgrade", "full-upgrade"])
                || is(c, &["zypper"], &["dist-upgrade", "dup"])
        }) {
            out.at(r.inst.span, "dist-upgrade during the build", "dist-upgrade");
        }
    }
}

//! Package index update alone in a RUN.
use super::pm::is;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-019", title: "Package index updated in a RUN that installs nothing", severity: Medium, kind: Dockerfile,
    rationale: "A cached `RUN apt-get update` layer is reused by later builds, so a following `apt-get install` installs stale (possibly vulnerable) versions.",
    fix: "Update and install in the same RUN: `RUN apt-get update && apt-get install -y --no-install-recommends pkg && rm -rf /var/lib/apt/lists/*`.",
    hadolint: [], trivy: ["DS-0017"], dockle: ["CIS-DI-0007"], cis: "4.7",
    check: check,
}

const PMS: &[&str] = &["apt-get", "apt", "yum", "dnf", "microdnf", "zypper", "apk"];
const UPD: &[&str] = &["update", "makecache", "refresh", "ref"];
const INST: &[&str] = &[
    "install",
    "upgrade",
    "add",
    "dist-upgrade",
    "full-upgrade",
    "in",
    "up",
    "dup",
    "reinstall",
    "build-dep",
    "source",
];

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for r in &cx.runs {
        let upd = r.commands.iter().any(|c| is(c, PMS, UPD));
        let inst = r.commands.iter().any(|c| is(c, PMS, INST));
        if upd && !inst {
            out.at(
                r.inst.span,
                "package index updated without an install in the same RUN",
                "update",
            );
        }
    }
}

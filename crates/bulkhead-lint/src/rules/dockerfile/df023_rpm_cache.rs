//! yum/dnf/microdnf/zypper caches left in the layer.
use super::common::{has_cache_mount, in_final};
use super::pm::is;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-023", title: "RPM package manager cache not cleaned", severity: Low, kind: Dockerfile,
    rationale: "yum/dnf/microdnf/zypper keep metadata and downloaded packages in the layer after install.",
    fix: "End the RUN with `&& yum clean all` (dnf/microdnf: `clean all`, zypper: `zypper clean`), or mount /var/cache/<pm> as a cache.",
    hadolint: ["DL3032", "DL3036", "DL3040"], trivy: ["DS-0015", "DS-0019", "DS-0020", "DS-0027"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for r in cx.runs.iter().filter(|r| in_final(cx, r.inst)) {
        for pm in ["yum", "dnf", "microdnf", "zypper"] {
            let installs = r
                .commands
                .iter()
                .any(|c| is(c, &[pm], &["install", "in", "groupinstall", "localinstall"]));
            if !installs || has_cache_mount(r.inst, &format!("/var/cache/{pm}")) {
                continue;
            }
            let cleaned = r.commands.iter().any(|c| {
                is(c, &[pm], &["clean", "cc"])
                    || (c.program() == "rm" && c.words.iter().any(|w| w.starts_with("/var/cache/")))
            });
            if !cleaned {
                out.at(
                    r.inst.span,
                    format!("{pm} install without `{pm} clean`"),
                    pm,
                );
            }
        }
    }
}

//! WORKDIR in a system folder.
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-026", title: "WORKDIR in a kernel or boot folder", severity: High, kind: Dockerfile,
    rationale: "/proc, /sys, /dev and /boot are kernel-provided or host-sensitive; writing application files there is a mistake at best and interacts with host interfaces at worst.",
    fix: "Use an application folder such as /app or /srv/app.",
    hadolint: [], trivy: ["DS-0030"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for i in cx.df.instructions.iter().filter(|i| i.keyword == "WORKDIR") {
        let w = crate::dockerfile::expand::unquote(i.expanded.trim());
        let bad = ["/proc", "/boot", "/dev", "/sys", "/initrd", "/lost+found"]
            .iter()
            .any(|p| w == *p || w.starts_with(&format!("{p}/")));
        if bad {
            out.at(
                i.span,
                format!("WORKDIR {w} is a system folder"),
                format!("WORKDIR {w}"),
            );
        }
    }
}

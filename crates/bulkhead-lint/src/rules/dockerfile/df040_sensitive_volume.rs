//! VOLUME on a sensitive system folder.
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-040", title: "VOLUME on a system folder", severity: High, kind: Dockerfile,
    rationale: "A VOLUME at /sys, /dev or /proc invites binding host kernel interfaces into the container.",
    fix: "Declare volumes only for application data (e.g. /var/lib/app).",
    hadolint: [], trivy: [], dockle: ["DKL-DI-0002"], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for i in cx.df.instructions.iter().filter(|i| i.keyword == "VOLUME") {
        for v in i.words() {
            let v = v.trim_end_matches('/');
            if matches!(v, "/sys" | "/dev" | "/proc" | "") {
                out.at(
                    i.span,
                    format!(
                        "VOLUME {} is a system folder",
                        if v.is_empty() { "/" } else { v }
                    ),
                    format!("VOLUME {v}"),
                );
            }
        }
    }
}

//! uts/userns/cgroup host.
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-013", title: "Host UTS, user or cgroup namespace", severity: Medium, kind: Compose,
    rationale: "`uts: host` lets the container change the host name; `userns_mode: host` turns off user-namespace remapping; `cgroup: host` exposes the host cgroup tree.",
    fix: "Remove the `host` setting.",
    hadolint: [], trivy: [], dockle: [], cis: "5.21",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in &cx.project.services {
        for (k, v) in [
            ("uts", &s.uts),
            ("userns_mode", &s.userns_mode),
            ("cgroup", &s.cgroup),
        ] {
            if v.as_deref() == Some("host") {
                out.line(
                    s.line_of(k),
                    format!("service {} sets {k}: host", s.name),
                    format!("{k}: host"),
                );
            }
        }
    }
}

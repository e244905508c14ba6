//! uts/userns/cgroup host.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::host_other_ns;

rule! {
    id: "BH-CO-013", title: "Host UTS, user or cgroup namespace", severity: Medium, kind: Compose,
    rationale: "`uts: host` lets the container change the host name; `userns_mode: host` turns off user-namespace remapping; `cgroup: host` exposes the host cgroup tree.",
    fix: "Remove the `host` setting.",
    hadolint: [], trivy: [], dockle: [], cis: "5.21",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        for h in host_other_ns::check(spec).into_iter().flat_map(|f| f.hits) {
            let k = h.key;
            out.line(
                h.line,
                format!("service {} sets {k}: host", s.name),
                format!("{k}: host"),
            );
        }
    }
}

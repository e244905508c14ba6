//! apt lists left in the layer.
use super::common::{has_cache_mount, in_final};
use super::pm::is;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-016", title: "apt package lists not removed", severity: Low, kind: Dockerfile,
    rationale: "`apt-get update` (the RUN this flags) leaves tens of MB of package lists in the layer; they add size and record a point-in-time view that later `apt-get install` in derived images silently reuses.",
    fix: "End the same RUN with `&& rm -rf /var/lib/apt/lists/*`, or use `RUN --mount=type=cache,target=/var/lib/apt/lists …`.",
    hadolint: ["DL3009"], trivy: [], dockle: ["DKL-DI-0005"], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for r in cx.runs.iter().filter(|r| in_final(cx, r.inst)) {
        let installs = r
            .commands
            .iter()
            .any(|c| is(c, &["apt-get", "apt"], &["update"]));
        if !installs || has_cache_mount(r.inst, "/var/lib/apt/lists") {
            continue;
        }
        let cleaned = r.commands.iter().any(|c| {
            (c.program() == "rm" && c.words.iter().any(|w| w.starts_with("/var/lib/apt/lists")))
                || is(c, &["apt-get", "apt"], &["dist-clean", "distclean"])
        });
        if !cleaned {
            out.at(
                r.inst.span,
                "apt-get update/install without removing /var/lib/apt/lists",
                "apt-get",
            );
        }
    }
}

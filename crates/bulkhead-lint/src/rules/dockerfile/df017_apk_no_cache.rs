//! apk add without --no-cache.
use super::common::{has_cache_mount, in_final};
use super::pm::{has_flag, is};
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-017", title: "apk add keeps its index cache", severity: Low, kind: Dockerfile,
    rationale: "Without --no-cache apk stores the package index in /var/cache/apk inside the layer.",
    fix: "`apk add --no-cache pkg…` (no separate `apk update` needed).",
    hadolint: ["DL3019"], trivy: ["DS-0025"], dockle: ["DKL-DI-0004"], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for r in cx.runs.iter().filter(|r| in_final(cx, r.inst)) {
        if has_cache_mount(r.inst, "/var/cache/apk") || has_cache_mount(r.inst, "/etc/apk/cache") {
            continue;
        }
        let cleaned = r.commands.iter().any(|c| {
            c.program() == "rm" && c.words.iter().any(|w| w.starts_with("/var/cache/apk"))
        });
        for c in &r.commands {
            if is(c, &["apk"], &["add"]) && !has_flag(c, &["--no-cache"], None) && !cleaned {
                out.at(r.inst.span, "apk add without --no-cache", c.words.join(" "));
                break;
            }
        }
    }
}

//! pip install without --no-cache-dir.
use super::common::{has_cache_mount, in_final};
use super::pm::{has_flag, is};
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-024", title: "pip install keeps its download cache", severity: Low, kind: Dockerfile,
    rationale: "pip caches wheels under ~/.cache/pip inside the layer.",
    fix: "`pip install --no-cache-dir …`, set `ENV PIP_NO_CACHE_DIR=1`, or mount /root/.cache/pip as a cache.",
    hadolint: ["DL3042"], trivy: [], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    let env_off = cx
        .final_instructions()
        .iter()
        .filter(|i| i.keyword == "ENV")
        .any(|i| i.key_values().iter().any(|(k, _)| k == "PIP_NO_CACHE_DIR"));
    if env_off {
        return;
    }
    for r in cx.runs.iter().filter(|r| in_final(cx, r.inst)) {
        if has_cache_mount(r.inst, "/root/.cache/pip") || has_cache_mount(r.inst, "/root/.cache") {
            continue;
        }
        for c in &r.commands {
            let pip = is(c, &["pip", "pip3"], &["install"])
                || (c.program().starts_with("python")
                    && c.argv().windows(3).any(|w| {
                        w.first().is_some_and(|a| a == "-m")
                            && w.get(1).is_some_and(|a| a.starts_with("pip"))
                            && w.get(2).is_some_and(|a| a == "install")
                    }));
            if pip && !has_flag(c, &["--no-cache-dir"], None) {
                out.at(
                    r.inst.span,
                    "pip install without --no-cache-dir",
                    c.words.join(" "),
                );
                break;
            }
        }
    }
}

//! apt-get install without version pins (hadolint DL3008).
use super::pm::{is_local_or_url, unpinned};
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-042", title: "apt-get install without pinned versions", severity: Low, kind: Dockerfile,
    rationale: "Unpinned packages make builds unreproducible: a rebuild can silently pull a different (possibly compromised or broken) version, and an SBOM of one build says nothing about the next.",
    fix: "Pin each package: `apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5`, and rebuild regularly with updated pins to get security fixes.",
    hadolint: ["DL3008"], trivy: [], dockle: [], cis: "",
    check: check,
}

fn pinned(w: &str) -> bool {
    w.contains('=') || w.contains('/') || w.ends_with(".deb") || is_local_or_url(w)
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for r in &cx.runs {
        for c in &r.commands {
            let u = unpinned(
                c,
                &["apt-get", "apt"],
                &["install"],
                &["-o", "-t", "--target-release", "-c", "--config-file"],
                pinned,
            );
            if !u.is_empty() {
                out.at(
                    r.inst.span,
                    format!("apt-get install without versions: {}", u.join(" ")),
                    c.words.join(" "),
                );
                break;
            }
        }
    }
}

//! apk add without version pins (hadolint DL3018).
use super::pm::{is_local_or_url, unpinned};
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-045", title: "apk add without pinned versions", severity: Low, kind: Dockerfile,
    rationale: "Unpinned packages make builds unreproducible: a rebuild can silently pull a different version, and an SBOM of one build says nothing about the next.",
    fix: "Pin each package (`apk add --no-cache curl=8.9.1-r1`) or a minor range (`curl~=8.9`), and refresh the pins when the base image is updated.",
    hadolint: ["DL3018"], trivy: [], dockle: [], cis: "",
    check: check,
}

fn pinned(w: &str) -> bool {
    w.contains(['=', '<', '>', '~']) || w.ends_with(".apk") || is_local_or_url(w)
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for r in &cx.runs {
        for c in &r.commands {
            let u = unpinned(
                c,
                &["apk"],
                &["add"],
                &[
                    "-t",
                    "--virtual",
                    "-X",
                    "--repository",
                    "-p",
                    "--root",
                    "--keys-dir",
                    "--repositories-file",
                    "--cache-dir",
                    "--arch",
                ],
                pinned,
            );
            if !u.is_empty() {
                out.at(
                    r.inst.span,
                    format!("apk add without versions: {}", u.join(" ")),
                    c.words.join(" "),
                );
                break;
            }
        }
    }
}

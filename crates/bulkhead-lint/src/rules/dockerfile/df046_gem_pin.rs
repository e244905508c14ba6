//! gem install without version pins (hadolint DL3028).
use super::pm::{is_local_or_url, unpinned};
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-046", title: "gem install without pinned versions", severity: Low, kind: Dockerfile,
    rationale: "`gem install NAME` takes the newest release at build time; a hijacked or broken release lands in the image unnoticed.",
    fix: "Pin the version (`gem install rails:7.1.3` or `gem install rails -v 7.1.3`), or use Bundler with a Gemfile.lock.",
    hadolint: ["DL3028"], trivy: [], dockle: [], cis: "",
    check: check,
}

fn pinned(w: &str) -> bool {
    w.contains(':') || w.ends_with(".gem") || is_local_or_url(w)
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for r in &cx.runs {
        for c in &r.commands {
            if c.argv()
                .iter()
                .any(|w| w == "-v" || w == "--version" || w.starts_with("--version="))
            {
                continue;
            }
            let u = unpinned(
                c,
                &["gem"],
                &["install", "i"],
                &[
                    "-i",
                    "--install-dir",
                    "-n",
                    "--bindir",
                    "--source",
                    "-s",
                    "-P",
                    "--trust-policy",
                    "--platform",
                ],
                pinned,
            );
            if !u.is_empty() {
                out.at(
                    r.inst.span,
                    format!("gem install without versions: {}", u.join(" ")),
                    c.words.join(" "),
                );
                break;
            }
        }
    }
}

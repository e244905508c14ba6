//! npm install of named packages without versions (hadolint DL3016).
use super::pm::{is_local_or_url, unpinned};
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-044", title: "npm install without pinned versions", severity: Low, kind: Dockerfile,
    rationale: "`npm install NAME` takes the newest release at build time, with its install scripts: a hijacked or malicious release runs inside the build. Plain `npm install`/`npm ci` follow the lockfile and are not flagged.",
    fix: "Pin the version (`npm install -g typescript@5.4.5`) or add the package to package.json and use `npm ci`.",
    hadolint: ["DL3016"], trivy: [], dockle: [], cis: "",
    check: check,
}

fn pinned(w: &str) -> bool {
    // `name@ver`, `@scope/name@ver`; tarballs, paths, URLs and git refs.
    let body = w.strip_prefix('@').unwrap_or(w);
    body.contains('@') && !body.ends_with('@')
        || w.ends_with(".tgz")
        || w.ends_with(".tar.gz")
        || is_local_or_url(w)
        || w.starts_with("github:")
        || !w.starts_with('@') && w.contains('/') && !w.contains("://")
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for r in &cx.runs {
        for c in &r.commands {
            let u = unpinned(
                c,
                &["npm"],
                &["install", "i", "add"],
                &[
                    "--prefix",
                    "--registry",
                    "--tag",
                    "--omit",
                    "--include",
                    "--workspace",
                    "-w",
                ],
                pinned,
            );
            if !u.is_empty() {
                out.at(
                    r.inst.span,
                    format!("npm install without versions: {}", u.join(" ")),
                    c.words.join(" "),
                );
                break;
            }
        }
    }
}

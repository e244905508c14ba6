//! pip install without version pins (hadolint DL3013).
use super::pm::{is_local_or_url, unpinned};
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-043", title: "pip install without pinned versions", severity: Low, kind: Dockerfile,
    rationale: "An unpinned requirement installs whatever PyPI serves at build time: a typo-squat, a hijacked release or a breaking update lands in the image unnoticed.",
    fix: "Pin with `==` (`pip install --no-cache-dir flask==3.0.3`), or install from a locked requirements file with hashes (`pip install --require-hashes -r requirements.txt`).",
    hadolint: ["DL3013"], trivy: [], dockle: [], cis: "",
    check: check,
}

fn pinned(w: &str) -> bool {
    w.contains("==")
        || w.contains("===")
        || w.contains(['<', '>', '~', '@'])
        || w.ends_with(".whl")
        || w.ends_with(".tar.gz")
        || w.ends_with(".zip")
        || w.contains('/')
        || is_local_or_url(w)
}

const VALUE_FLAGS: &[&str] = &[
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-t",
    "--target",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--root",
    "--prefix",
    "--src",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--trusted-host",
    "--cache-dir",
    "--progress-bar",
    "--log",
    "--proxy",
    "--timeout",
    "--retries",
    "--upgrade-strategy",
    "--only-binary",
    "--no-binary",
    "--config-settings",
    "-C",
];

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for r in &cx.runs {
        for c in &r.commands {
            let u = unpinned(c, &["pip", "pip3"], &["install"], VALUE_FLAGS, pinned);
            if !u.is_empty() {
                out.at(
                    r.inst.span,
                    format!("pip install without versions: {}", u.join(" ")),
                    c.words.join(" "),
                );
                break;
            }
        }
    }
}

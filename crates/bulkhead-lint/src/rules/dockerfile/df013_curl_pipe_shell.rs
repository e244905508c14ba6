//! curl/wget piped into a shell.
use crate::dockerfile::shell::Join;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-013", title: "Remote script piped into a shell", severity: High, kind: Dockerfile,
    rationale: "`curl … | sh` runs whatever the server returns, unverified, as the build user (usually root); a compromised host, CDN or DNS turns into code execution in your image.",
    fix: "Download to a file, verify a pinned checksum or signature (`sha256sum -c`), then run it; better, install a pinned package.",
    hadolint: [], trivy: [], dockle: [], cis: "",
    check: check,
}

const SHELLS: &[&str] = &[
    "sh", "bash", "zsh", "ash", "dash", "ksh", "python", "python3", "perl", "ruby", "node",
];

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for r in &cx.runs {
        let mut prev_fetch = false;
        let mut hit = None;
        for c in &r.commands {
            let p = c.program();
            if c.join == Join::Pipe && prev_fetch && SHELLS.contains(&p) {
                hit = Some(format!("{p} reads a downloaded script from a pipe"));
            }
            if SHELLS.contains(&p)
                && c.words.iter().any(|w| {
                    w.contains("$(curl")
                        || w.contains("$(wget")
                        || w.contains("<(curl")
                        || w.contains("<(wget")
                })
            {
                hit = Some(format!("{p} runs a script from command substitution"));
            }
            prev_fetch = if c.join == Join::Pipe {
                prev_fetch || p == "curl" || p == "wget"
            } else {
                p == "curl" || p == "wget"
            };
        }
        if let Some(m) = hit {
            out.at(r.inst.span, m, "curl | sh");
        }
    }
}

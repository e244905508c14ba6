//! Credential-shaped literal values in the Dockerfile.
use crate::rules::secrets::is_secret_value;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-005", title: "Credential value written in the Dockerfile", severity: Critical, kind: Dockerfile,
    rationale: "A literal token or private key in a Dockerfile is in the source repository, the build cache and (for ENV, ARG, LABEL and RUN) the image metadata or history.",
    fix: "Revoke the credential now, remove it from the file and its git history, and mount it at build time with `RUN --mount=type=secret`.",
    hadolint: [], trivy: ["DS-0031"], dockle: ["CIS-DI-0010"], cis: "4.10",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for i in &cx.df.instructions {
        let text = i.script();
        let hit = crate::dockerfile::split_words(&text)
            .into_iter()
            .find_map(|w| {
                let t = crate::dockerfile::expand::unquote(&w.text);
                let v = t.split_once('=').map(|(_, v)| v.to_string()).unwrap_or(t);
                is_secret_value(&v).then_some(v)
            });
        if let Some(v) = hit {
            let shown: String = v.chars().take(4).collect();
            out.at(
                i.span,
                format!(
                    "{} contains a credential-shaped value ({shown}…)",
                    i.keyword
                ),
                format!("{} {shown}…", i.keyword),
            );
        }
    }
}

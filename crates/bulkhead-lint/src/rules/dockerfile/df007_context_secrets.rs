//! `COPY . .` sends secret-looking files that .dockerignore does not exclude.
use super::common::copy_parts;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-007", title: "Whole build context copied while it holds credential files", severity: High, kind: Dockerfile,
    rationale: "`COPY . .` or `ADD . …` copies everything the build context sends; files that .dockerignore does not exclude (.env, .npmrc, id_rsa, *.pem, .git, secrets/) end up in the image.",
    fix: "Add the files to .dockerignore next to the Dockerfile (e.g. `.env`, `**/*.pem`, `.git`, `secrets/`), or copy only what the app needs.",
    hadolint: [], trivy: [], dockle: ["CIS-DI-0010", "DKL-LI-0003"], cis: "4.10",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    let Some(ctx) = cx.context else { return };
    let mut listed: Option<Vec<String>> = None;
    for i in cx
        .instructions()
        .iter()
        .filter(|i| (i.keyword == "COPY" || i.keyword == "ADD") && i.flag("from").is_none())
    {
        let (srcs, _) = copy_parts(i);
        if !srcs
            .iter()
            .any(|s| matches!(s.as_str(), "." | "./" | "*" | "./*"))
        {
            continue;
        }
        let files = listed.get_or_insert_with(|| crate::dockerignore::sent_secrets(ctx));
        if files.is_empty() {
            continue;
        }
        let mut shown: Vec<&str> = files.iter().map(String::as_str).take(5).collect();
        if files.len() > 5 {
            shown.push("…");
        }
        out.at(
            i.span,
            format!("{} copies the whole context, which sends {} credential-looking file(s) not excluded by .dockerignore: {}", i.keyword, files.len(), shown.join(", ")),
            format!("{} . ", i.keyword),
        );
    }
}

//! Secrets in ENV/ARG by name.
use crate::rules::secrets::is_secret_name;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-004", title: "Secret passed through ENV or ARG", severity: High, kind: Dockerfile,
    rationale: "ENV values are stored in the image config and ARG values in the build history of every RUN that follows; anyone who can pull the image can read them with `docker history` or `docker inspect`.",
    fix: "Pass build-time secrets with `RUN --mount=type=secret,id=NAME` (and `docker build --secret id=NAME,...`); pass run-time secrets as files (`*_FILE` variables pointing to /run/secrets/...).",
    hadolint: ["DL3064"], trivy: ["DS-0031"], dockle: ["CIS-DI-0010"], cis: "4.10",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for i in cx
        .final_instructions()
        .iter()
        .filter(|i| i.keyword == "ENV" || i.keyword == "ARG")
    {
        for (k, v) in i.key_values() {
            if is_secret_name(&k) {
                let what = match &v {
                    Some(v) if !v.is_empty() => "with a value baked into the image",
                    _ => "whose build-arg value lands in the image history",
                };
                out.at(
                    i.span,
                    format!("{} {k} looks like a secret {what}", i.keyword),
                    format!("{} {k}", i.keyword),
                );
            }
        }
    }
}

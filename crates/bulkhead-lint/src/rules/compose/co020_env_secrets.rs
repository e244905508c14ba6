//! Secrets passed as environment values.
use crate::rules::secrets::{is_placeholder, is_secret_name, is_secret_value};
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-020", title: "Secret passed as an environment value", severity: High, kind: Compose,
    rationale: "Environment variables are visible in `docker inspect`, /proc/<pid>/environ, crash dumps and child processes, and the Compose file with the value usually sits in git.",
    fix: "Use Compose secrets and the image's `*_FILE` convention: `secrets: [db_password]` plus `DB_PASSWORD_FILE: /run/secrets/db_password`, with a top-level `secrets: {db_password: {file: ./db_password.txt}}`.",
    hadolint: [], trivy: [], dockle: [], cis: "4.10",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in &cx.project.services {
        for e in &s.env {
            let Some(v) = &e.value else { continue };
            if is_secret_value(v) || (is_secret_name(&e.name) && !is_placeholder(v)) {
                out.line(e.line, format!("service {} passes {} as a plain environment value: use {}_FILE and `secrets:`", s.name, e.name, e.name), format!("{}=***", e.name));
            }
        }
    }
}

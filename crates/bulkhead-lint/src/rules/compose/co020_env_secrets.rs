//! Secrets passed as environment values.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::env_secrets;

rule! {
    id: "BH-CO-020", title: "Secret passed as an environment value", severity: High, kind: Compose,
    rationale: "Environment variables are visible in `docker inspect`, /proc/<pid>/environ, crash dumps and child processes, and the Compose file with the value usually sits in git.",
    fix: "Use Compose secrets and the image's `*_FILE` convention: `secrets: [db_password]` plus `DB_PASSWORD_FILE: /run/secrets/db_password`, with a top-level `secrets: {db_password: {file: ./db_password.txt}}`.",
    hadolint: [], trivy: [], dockle: [], cis: "4.10",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        for h in env_secrets::check(spec).into_iter().flat_map(|f| f.hits) {
            let n = &h.value;
            out.line(
                h.line,
                format!(
                    "service {} passes {n} as a plain environment value: use {n}_FILE and `secrets:`",
                    s.name
                ),
                format!("{n}=***"),
            );
        }
    }
}

//! The Compose file could not be read. Findings come from the loader (see
//! `crate::lint_compose_file`); the check itself has nothing to do.
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-026", title: "Compose file cannot be loaded", severity: High, kind: Compose,
    rationale: "A file that is not valid YAML, has wrong types, a missing required variable (`${VAR?err}`), an alias bomb or a broken `extends` cannot be checked, and Compose will refuse or misread it.",
    fix: "Fix the reported line; `docker compose -f FILE config` shows how Compose reads it.",
    hadolint: [], trivy: [], dockle: [], cis: "",
    check: check,
}

fn check(_cx: &ComposeCx<'_>, _out: &mut Sink<'_>) {}

//! The manifest cannot be read, or a field has the wrong type. A stream that
//! is not YAML (or too large, too deep, an alias bomb) becomes one finding
//! in `crate::lint_file`; this check reports the fields the loader read as
//! unset because of their type, and documents that are not objects.
use crate::rules::{KubernetesCx, Sink, rule};

rule! {
    id: "BH-K8-012", title: "Kubernetes manifest cannot be loaded", severity: High, kind: Kubernetes,
    rationale: "A manifest that is not valid YAML, is an alias bomb, has an object without apiVersion or kind, or a field of the wrong type (a quoted \"true\", a string for runAsUser) cannot be checked, and the API server refuses it.",
    fix: "Fix the reported line; `kubectl apply --dry-run=server -f FILE` shows how the API server reads it.",
    hadolint: [], trivy: [], dockle: [], cis: "",
    check: check,
}

fn check(cx: &KubernetesCx<'_>, out: &mut Sink<'_>) {
    for (line, message) in &cx.manifest.problems {
        out.line((*line).max(1), message.clone(), String::new());
    }
}

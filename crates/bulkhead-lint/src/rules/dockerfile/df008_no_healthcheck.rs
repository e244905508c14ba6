//! No HEALTHCHECK in the final stage.
use super::common::final_has;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-008", title: "No HEALTHCHECK", severity: Low, kind: Dockerfile,
    rationale: "Without a health check the engine and orchestrators only know whether the process exists, not whether it serves; hung containers keep receiving traffic and are never restarted.",
    fix: "Add `HEALTHCHECK --interval=30s --timeout=3s CMD [\"/app/healthcheck\"]` (exec form, a binary present in the image), or define `healthcheck:` in Compose.",
    hadolint: ["DL3057"], trivy: ["DS-0026"], dockle: ["CIS-DI-0006"], cis: "4.6",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    let Some(stage) = cx.df.final_stage(cx.target) else {
        return;
    };
    if final_has(cx, "HEALTHCHECK").is_some() {
        return;
    }
    if let Some(from) = cx.df.instructions.get(stage.from) {
        out.at(
            from.span,
            "the final stage defines no HEALTHCHECK",
            format!("FROM {}", stage.base_raw),
        );
    }
}

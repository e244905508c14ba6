//! CMD/ENTRYPOINT in shell form.
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-034", title: "CMD or ENTRYPOINT in shell form", severity: Low, kind: Dockerfile,
    rationale: "The shell form runs `/bin/sh -c`, which becomes PID 1: SIGTERM never reaches the application, so stops wait for the kill timeout and graceful shutdown code never runs.",
    fix: "Use the exec form: `CMD [\"/app/server\", \"--port\", \"8080\"]`.",
    hadolint: ["DL3025"], trivy: [], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for i in cx.final_instructions().iter().filter(|i| (i.keyword == "CMD" || i.keyword == "ENTRYPOINT") && !i.is_json()) {
        out.at(i.span, format!("{} uses the shell form", i.keyword), i.keyword.clone());
    }
}

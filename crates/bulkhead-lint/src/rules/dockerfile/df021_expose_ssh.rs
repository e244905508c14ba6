//! EXPOSE 22.
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-021", title: "SSH port exposed", severity: Medium, kind: Dockerfile,
    rationale: "An SSH server in a container is a second, long-lived entry point with its own credentials; use `docker exec` for debugging instead.",
    fix: "Remove `EXPOSE 22` and the SSH server; use `docker exec` / `kubectl exec`.",
    hadolint: [], trivy: ["DS-0004"], dockle: [], cis: "5.7",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for i in cx
        .final_instructions()
        .iter()
        .filter(|i| i.keyword == "EXPOSE")
    {
        if i.words()
            .iter()
            .any(|w| matches!(w.as_str(), "22" | "22/tcp" | "22/udp"))
        {
            out.at(i.span, "EXPOSE 22 (SSH)", "EXPOSE 22");
        }
    }
}

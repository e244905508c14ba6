//! Docker socket mounted.
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-014", title: "Docker socket mounted", severity: Critical, kind: Compose,
    rationale: "Access to docker.sock is root on the host: the service can start a privileged container that mounts /.",
    fix: "Remove the mount. If the service must talk to Docker, use a filtering socket proxy with a read-only allow-list, or rootless Docker.",
    hadolint: [], trivy: [], dockle: [], cis: "5.32",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in &cx.project.services {
        for m in s.mounts.iter().filter(|m| {
            m.source.ends_with("docker.sock")
                || m.source.ends_with("containerd.sock")
                || m.source.ends_with("podman.sock")
        }) {
            out.line(
                m.line,
                format!("service {} mounts {}", s.name, m.source),
                format!("{}:{}", m.source, m.target),
            );
        }
        if s.use_api_socket {
            out.line(
                s.line_of("use_api_socket"),
                format!(
                    "service {} gets the Docker API socket (use_api_socket)",
                    s.name
                ),
                "use_api_socket: true",
            );
        }
    }
}

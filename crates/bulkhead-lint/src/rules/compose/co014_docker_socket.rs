//! Docker socket mounted.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::docker_socket;

rule! {
    id: "BH-CO-014", title: "Docker socket mounted", severity: Critical, kind: Compose,
    rationale: "Access to docker.sock is root on the host: the service can start a privileged container that mounts /.",
    fix: "Remove the mount. If the service must talk to Docker, use a filtering socket proxy with a read-only allow-list, or rootless Docker.",
    hadolint: [], trivy: [], dockle: [], cis: "5.32",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        for h in docker_socket::check(spec).into_iter().flat_map(|f| f.hits) {
            if h.value == docker_socket::API_SOCKET {
                out.line(
                    h.line,
                    format!(
                        "service {} gets the Docker API socket (use_api_socket)",
                        s.name
                    ),
                    "use_api_socket: true",
                );
            } else if let Some(m) = spec.mounts.get(h.index) {
                out.line(h.line, format!("service {} mounts {}", s.name, m.source), h.value);
            }
        }
    }
}

//! Docker (or containerd, podman) API socket in the container (CIS 5.32,
//! BH-CO-014): a mount whose host source or container target is the socket,
//! or Compose `use_api_socket`.
use crate::{Control, Finding, Hit};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "docker-socket",
    title: "Docker socket mounted",
    lint: &["BH-CO-014"],
    cis: &["5.32"],
};

/// Socket file names that give root on the host.
pub const SOCKETS: &[&str] = &["docker.sock", "containerd.sock", "podman.sock"];

/// Whether a path is one of [`SOCKETS`].
pub fn is_socket(path: &str) -> bool {
    SOCKETS.iter().any(|s| path.ends_with(s))
}

/// Hit value of `use_api_socket`.
pub const API_SOCKET: &str = "use_api_socket";

/// One hit per socket mount (value `source:target`), plus one for
/// `use_api_socket`.
pub fn check(s: &ContainerSpec) -> Option<Finding> {
    let mut hits: Vec<Hit> = s
        .mounts
        .iter()
        .enumerate()
        .filter(|(_, m)| is_socket(&m.source) || is_socket(&m.target))
        .map(|(index, m)| Hit {
            value: format!("{}:{}", m.source, m.target),
            key: "volumes",
            line: m.line,
            index,
        })
        .collect();
    if s.use_api_socket {
        hits.push(Hit {
            value: API_SOCKET.into(),
            key: "use_api_socket",
            line: s.line_of("use_api_socket"),
            index: 0,
        });
    }
    Finding::new(&CONTROL, hits)
}

//! Sensitive host folders mounted.
use crate::rules::{ComposeCx, Sink, rule};
use compose_paths::SENSITIVE;

mod compose_paths {
    pub const SENSITIVE: &[&str] = &[
        "/",
        "/boot",
        "/dev",
        "/etc",
        "/lib",
        "/lib64",
        "/proc",
        "/sys",
        "/usr",
        "/bin",
        "/sbin",
        "/var/run",
        "/run",
        "/var/lib/docker",
        "/root",
        "/var/log",
    ];
}

rule! {
    id: "BH-CO-015", title: "Sensitive host folder mounted", severity: High, kind: Compose,
    rationale: "Binding /, /etc, /proc, /sys, /dev, /boot, /usr, /run or /var/lib/docker into a container lets it read host secrets or change the host (write mode), or at least map it (read-only).",
    fix: "Mount only the application folder it needs, read-only where possible (`./config:/app/config:ro`).",
    hadolint: [], trivy: [], dockle: [], cis: "5.6",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in &cx.project.services {
        for m in s
            .mounts
            .iter()
            .filter(|m| m.kind == crate::compose::MountKind::Bind)
        {
            let src = if m.source.len() > 1 {
                m.source.trim_end_matches('/')
            } else {
                m.source.as_str()
            };
            if m.source.ends_with(".sock") {
                continue; // sockets are BH-CO-014
            }
            let hit = SENSITIVE
                .iter()
                .any(|p| src == *p || (*p != "/" && src.starts_with(&format!("{p}/"))));
            if hit {
                let mode = if m.read_only {
                    "read-only"
                } else {
                    "read-write"
                };
                out.line(
                    m.line,
                    format!("service {} mounts host {} ({mode})", s.name, m.source),
                    format!("{}:{}", m.source, m.target),
                );
            }
        }
    }
}

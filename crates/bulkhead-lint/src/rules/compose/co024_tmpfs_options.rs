//! tmpfs without noexec/nosuid/size.
use crate::compose::MountKind;
use crate::rules::{ComposeCx, Sink, rule};

rule! {
    id: "BH-CO-024", title: "tmpfs without noexec, nosuid or size", severity: Medium, kind: Compose,
    rationale: "A writable tmpfs is where an attacker drops and runs payloads; without `noexec,nosuid` they can execute and escalate from it, and without `size` it can fill host memory.",
    fix: "`tmpfs: [\"/tmp:rw,noexec,nosuid,size=100m\"]` (long syntax: `tmpfs: {size: 100m}` plus mount options).",
    hadolint: [], trivy: [], dockle: [], cis: "",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for s in &cx.project.services {
        for t in &s.tmpfs {
            let missing: Vec<&str> = [
                ("noexec", t.has("noexec")),
                ("nosuid", t.has("nosuid")),
                ("size", t.size().is_some()),
            ]
            .into_iter()
            .filter(|(_, ok)| !ok)
            .map(|(n, _)| n)
            .collect();
            if !missing.is_empty() {
                out.line(
                    s.line_of("tmpfs"),
                    format!(
                        "service {} tmpfs {} lacks {}",
                        s.name,
                        t.target,
                        missing.join(", ")
                    ),
                    format!("{}:{}", t.target, t.options.join(",")),
                );
            }
        }
        for m in s.mounts.iter().filter(|m| m.kind == MountKind::Tmpfs) {
            out.line(m.line, format!("service {} tmpfs volume {} cannot set noexec/nosuid in long syntax: prefer `tmpfs: [\"{}:rw,noexec,nosuid,size=…\"]`", s.name, m.target, m.target), m.target.clone());
        }
    }
}

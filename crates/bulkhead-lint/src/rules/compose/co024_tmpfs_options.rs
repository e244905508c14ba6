//! tmpfs without noexec/nosuid/size.
use crate::compose::MountKind;
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::tmpfs_options;

rule! {
    id: "BH-CO-024", title: "tmpfs without noexec, nosuid or size", severity: Medium, kind: Compose,
    rationale: "A writable tmpfs is where an attacker drops and runs payloads; without `noexec,nosuid` they can execute and escalate from it, and without `size` it can fill host memory.",
    fix: "`tmpfs: [\"/tmp:rw,noexec,nosuid,size=100m\"]` (long syntax: `tmpfs: {size: 100m}` plus mount options).",
    hadolint: [], trivy: [], dockle: [], cis: "",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        for h in tmpfs_options::check(spec).into_iter().flat_map(|f| f.hits) {
            let Some(t) = spec.tmpfs.get(h.index) else {
                continue;
            };
            out.line(
                h.line,
                format!(
                    "service {} tmpfs {} lacks {}",
                    s.name,
                    t.target,
                    tmpfs_options::missing(t).join(", ")
                ),
                format!("{}:{}", t.target, t.options.join(",")),
            );
        }
        for m in s.mounts.iter().filter(|m| m.kind == MountKind::Tmpfs) {
            out.line(m.line, format!("service {} tmpfs volume {} cannot set noexec/nosuid in long syntax: prefer `tmpfs: [\"{}:rw,noexec,nosuid,size=…\"]`", s.name, m.target, m.target), m.target.clone());
        }
    }
}

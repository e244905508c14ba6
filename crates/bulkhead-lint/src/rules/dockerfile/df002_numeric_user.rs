//! Prefer a numeric UID[:GID] in USER.
use super::common::{in_final, is_root};
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-002", title: "USER is a name, not a numeric UID", severity: Low, kind: Dockerfile,
    rationale: "A user name is resolved through the image's /etc/passwd at run time; Kubernetes `runAsNonRoot` cannot verify a name, and a name that maps to UID 0 silently runs as root.",
    fix: "Use the numeric form, e.g. `USER 10001:10001`, matching the user you create.",
    hadolint: ["DL3066"], trivy: [], dockle: [], cis: "4.1",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for i in cx
        .final_instructions()
        .iter()
        .filter(|i| i.keyword == "USER")
    {
        let u = i.expanded.trim();
        if is_root(u) || u.is_empty() || i.args_text().contains('$') {
            continue;
        }
        let numeric = u
            .split(':')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        if !numeric && in_final(cx, i) {
            out.at(
                i.span,
                format!("USER {u} is a name: use a numeric UID[:GID]"),
                format!("USER {u}"),
            );
        }
    }
}

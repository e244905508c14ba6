//! Service does not set a user.
use crate::rules::{ComposeCx, Sink, rule};
use bulkhead_policy::controls::user;

rule! {
    id: "BH-CO-002", title: "Service does not set a user", severity: Low, kind: Compose,
    rationale: "Without `user:` the service runs as the image's USER, which is root for most images; setting it in Compose makes the choice explicit and reviewable.",
    fix: "Add `user: \"10001:10001\"` (a numeric UID:GID the image supports).",
    hadolint: [], trivy: [], dockle: [], cis: "4.1",
    check: check,
}

fn check(cx: &ComposeCx<'_>, out: &mut Sink<'_>) {
    for (s, spec) in cx.services() {
        let unset = user::check(spec)
            .is_some_and(|f| f.hits.iter().any(|h| h.value == user::UNSET));
        if unset {
            out.line(
                spec.line,
                format!(
                    "service {} does not set `user`: it runs as the image's default user (often root)",
                    s.name
                ),
                "user: (unset)",
            );
        }
    }
}

//! Docker Hub personal and organisation access tokens.
use crate::rule::{Hit, LINE, Rule};
use crate::validate::entropy;
use bulkhead_types::Severity;

pub const HUB_PAT: Rule = Rule {
    id: "dockerhub-pat",
    category: "Docker",
    title: "Docker Hub Personal Access Token",
    severity: Severity::High,
    keywords: &["dckr_pat_", "dckr_oat_"],
    regex: r"(?P<secret>dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,32})(?:[^A-Za-z0-9_-]|$)",
    region: LINE,
    check: Some(ok),
};

fn ok(h: &Hit<'_>) -> bool {
    h.secret.get(9..).is_some_and(|t| entropy(t) > 3.5)
}

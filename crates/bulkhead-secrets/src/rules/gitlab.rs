//! GitLab tokens (personal, deploy, runner, CI/CD job, trigger, feed, …).
use crate::rule::{Hit, LINE, Rule};
use crate::validate::{entropy, is_placeholder};
use bulkhead_types::Severity;

pub const TOKEN: Rule = Rule {
    id: "gitlab-token",
    category: "GitLab",
    title: "GitLab Access Token",
    severity: Severity::Critical,
    keywords: &[
        "glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "glsoat-", "glft-",
    ],
    regex: r"(?:^|[^A-Za-z0-9_-])(?P<secret>gl(?:pat|dt|rt|ptt|cbt|soat|ft)-[A-Za-z0-9_.-]{20,300})(?:[^A-Za-z0-9_.-]|$)",
    region: LINE,
    check: Some(ok),
};

fn ok(h: &Hit<'_>) -> bool {
    let body = h.secret.split_once('-').map(|(_, b)| b).unwrap_or_default();
    entropy(body) > 3.5 && !is_placeholder(body)
}

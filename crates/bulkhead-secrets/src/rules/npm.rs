//! npm access tokens (`npm_` + 30 random + 6 checksum, like GitHub's).
use crate::rule::{Hit, LINE, Rule};
use crate::validate::crc32_token_ok;
use bulkhead_types::Severity;

pub const TOKEN: Rule = Rule {
    id: "npm-access-token",
    category: "npm",
    title: "npm Access Token",
    severity: Severity::Critical,
    keywords: &["npm_"],
    regex: r"(?:^|[^A-Za-z0-9_])(?P<secret>npm_[A-Za-z0-9]{36})(?:[^A-Za-z0-9_]|$)",
    region: LINE,
    check: Some(ok),
};

fn ok(h: &Hit<'_>) -> bool {
    crc32_token_ok(h.secret, 4)
}

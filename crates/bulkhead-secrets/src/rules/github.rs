//! GitHub tokens: classic (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, with a
//! CRC32 checksum) and fine-grained (`github_pat_`).
use crate::rule::{Hit, LINE, Rule};
use crate::validate::{crc32_token_ok, entropy};
use bulkhead_types::Severity;

pub const CLASSIC: Rule = Rule {
    id: "github-token",
    category: "GitHub",
    title: "GitHub Token",
    severity: Severity::Critical,
    keywords: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
    regex: r"(?:^|[^A-Za-z0-9_])(?P<secret>gh[pousr]_[A-Za-z0-9]{36})(?:[^A-Za-z0-9_]|$)",
    region: LINE,
    check: Some(classic_ok),
};

/// The last 6 characters are the base-62 CRC32 of the 30 random ones.
fn classic_ok(h: &Hit<'_>) -> bool {
    crc32_token_ok(h.secret, 4)
}

pub const FINE_GRAINED: Rule = Rule {
    id: "github-fine-grained-pat",
    category: "GitHub",
    title: "GitHub Fine-grained Personal Access Token",
    severity: Severity::Critical,
    keywords: &["github_pat_"],
    regex: r"(?P<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?:[^A-Za-z0-9_]|$)",
    region: LINE,
    check: Some(fine_ok),
};

fn fine_ok(h: &Hit<'_>) -> bool {
    h.secret.get(11..).is_some_and(|t| entropy(t) > 4.0)
}

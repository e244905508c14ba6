//! Credentials written into URLs (`scheme://user:password@host`).
use crate::rule::{Hit, LINE, Rule};
use crate::validate::{is_placeholder, looks_like_code};
use bulkhead_types::Severity;

pub const CREDENTIALS: Rule = Rule {
    id: "url-credentials",
    category: "Credentials",
    title: "Credentials in URL",
    severity: Severity::High,
    keywords: &["://"],
    regex: r#"(?:^|[^A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,30}://(?P<key>[^\s:/?#@"'<>]{1,128}):(?P<secret>[^\s/?#@"'<>]{6,256})@(?P<host>[A-Za-z0-9.-]{1,253})"#,
    region: LINE,
    check: Some(ok),
};

fn ok(h: &Hit<'_>) -> bool {
    let host = h
        .whole
        .rsplit('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if host.contains("example") || matches!(host.as_str(), "host" | "hostname" | "server") {
        return false;
    }
    !is_placeholder(h.secret) && !looks_like_code(h.secret) && !is_placeholder(h.key)
}

//! Generic assignments: `password=…`, `secret: …`, `api_key = "…"`, `token:…`,
//! with a value check that rejects placeholders, references and code.
use crate::rule::{Hit, LINE, Rule};
use crate::validate::{char_classes, entropy, is_placeholder, looks_like_code};
use bulkhead_types::Severity;

pub const PASSWORD: Rule = Rule {
    id: "generic-password",
    category: "Generic",
    title: "Password assignment",
    severity: Severity::Medium,
    keywords: &["password", "passwd", "passphrase"],
    regex: r#"(?i)(?:^|[^A-Za-z0-9_.-])(?P<key>[A-Za-z0-9_.-]{0,40}(?:password|passwd|passphrase))["']?\s{0,5}(?:=|:=|=>|:)\s{0,5}["']?(?P<secret>[^\s"'`,;{}\[\]()<>]{8,200})"#,
    region: LINE,
    check: Some(value_ok),
};

pub const SECRET: Rule = Rule {
    id: "generic-secret",
    category: "Generic",
    title: "Secret, token or API key assignment",
    severity: Severity::Medium,
    keywords: &[
        "secret",
        "token",
        "api_key",
        "apikey",
        "api-key",
        "access_key",
        "auth_key",
    ],
    regex: r#"(?i)(?:^|[^A-Za-z0-9_.-])(?P<key>[A-Za-z0-9_.-]{0,40}(?:secret|token|api[_-]?key|access[_-]?key|auth[_-]?key|secret[_-]?key))["']?\s{0,5}(?:=|:=|=>|:)\s{0,5}["']?(?P<secret>[^\s"'`,;{}\[\]()<>]{8,200})"#,
    region: LINE,
    check: Some(value_ok),
};

const KNOWN_PREFIXES: &[&str] = &[
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "npm_",
    "sk_test_",
    "rk_test_",
    "pk_test_",
    "pk_live_",
    "sk_live_",
    "rk_live_",
    "xox",
    "glpat-",
    "gldt-",
    "glrt-",
    "dckr_",
    "pypi-",
    "AKIA",
    "ASIA",
    "AIza",
    "eyJ",
];

/// A literal credential: not a placeholder, not code or a reference, not a
/// number, and with some randomness.
fn value_ok(h: &Hit<'_>) -> bool {
    let v = h.secret;
    if h.next == b'(' || is_placeholder(v) || looks_like_code(v) {
        return false;
    }
    if v.chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '_')
    {
        return false;
    }
    // Lower-case words joined by `-`, `_` or `.` (`elevated-privileges`,
    // `no-debconf-config`): prose and identifiers, not generated secrets.
    if v.chars()
        .all(|c| c.is_ascii_lowercase() || matches!(c, '-' | '_' | '.'))
    {
        return false;
    }
    // A value in a known token format was judged by that format's rule
    // (checksum, test key, …): when that rule rejected it, so do we.
    if KNOWN_PREFIXES.iter().any(|p| v.starts_with(p)) {
        return false;
    }
    // A key that names a reference to the secret, not the secret.
    let key = h.key.to_ascii_lowercase();
    if [
        "public", "_hash", "_type", "_file", "_path", "_name", "_url",
    ]
    .iter()
    .any(|w| key.contains(w))
    {
        return false;
    }
    entropy(v) >= 3.0 && char_classes(v) >= 2
}

//! JSON Web Tokens: three base64url parts, the first two JSON objects.
use crate::rule::{Hit, Region, Rule};
use crate::validate::b64_decode;
use bulkhead_types::Severity;

pub const TOKEN: Rule = Rule {
    id: "jwt-token",
    category: "JWT",
    title: "JSON Web Token",
    severity: Severity::Medium,
    keywords: &["eyj"],
    regex: r"(?:^|[^A-Za-z0-9_-])(?P<secret>eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,})(?:[^A-Za-z0-9_.-]|$)",
    region: Region::Line { reach: 16 * 1024 },
    check: Some(ok),
};

/// The signature of the jwt.io documentation token.
const DOC_SIGNATURES: &[&str] = &["SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"];

fn ok(h: &Hit<'_>) -> bool {
    let mut parts = h.secret.split('.');
    let (Some(head), Some(body), Some(sig)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    if DOC_SIGNATURES.contains(&sig) {
        return false;
    }
    let json = |p: &str| {
        b64_decode(p)
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .filter(serde_json::Value::is_object)
    };
    let Some(header) = json(head) else {
        return false;
    };
    header
        .get("alg")
        .and_then(|a| a.as_str())
        .is_some_and(|a| a != "none")
        && json(body).is_some()
}

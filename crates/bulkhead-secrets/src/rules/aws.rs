//! AWS access key ids and secret access keys.
use crate::rule::{Hit, LINE, Rule};
use crate::validate::{char_classes, entropy};
use bulkhead_types::Severity;

pub const ACCESS_KEY_ID: Rule = Rule {
    id: "aws-access-key-id",
    category: "AWS",
    title: "AWS Access Key ID",
    severity: Severity::Critical,
    keywords: &["akia", "asia", "abia", "acca"],
    // Key ids are 4 letters of type + 16 base32 characters.
    regex: r"(?:^|[^A-Za-z0-9])(?P<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?:[^A-Za-z0-9]|$)",
    region: LINE,
    check: Some(key_id_ok),
};

/// AWS's documented example keys end in `EXAMPLE`: never real.
fn key_id_ok(h: &Hit<'_>) -> bool {
    !h.secret.contains("EXAMPLE") && entropy(h.secret) > 3.0
}

pub const SECRET_ACCESS_KEY: Rule = Rule {
    id: "aws-secret-access-key",
    category: "AWS",
    title: "AWS Secret Access Key",
    severity: Severity::Critical,
    keywords: &["aws", "secretaccesskey", "secret_access_key"],
    regex: r#"(?i)(?:aws[a-z0-9_ .-]{0,20}?(?:secret|sk)[a-z_ .-]{0,20}|secret_?access_?key)["']?\s{0,5}(?:=|:|=>|:=)\s{0,5}["']?(?P<secret>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
    region: LINE,
    check: Some(secret_ok),
};

fn secret_ok(h: &Hit<'_>) -> bool {
    !h.secret.to_ascii_uppercase().contains("EXAMPLE")
        && entropy(h.secret) > 4.0
        && char_classes(h.secret) >= 3
}

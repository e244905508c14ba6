//! Azure storage account keys.
use crate::rule::{Hit, LINE, Rule};
use crate::validate::{b64_decode, entropy};
use bulkhead_types::Severity;

pub const STORAGE_KEY: Rule = Rule {
    id: "azure-storage-account-key",
    category: "Azure",
    title: "Azure Storage Account Key",
    severity: Severity::Critical,
    keywords: &["accountkey", "storage"],
    regex: r#"(?i)(?:accountkey|storage_?(?:account_?)?(?:access_?)?key)["']?\s{0,5}(?:=|:)\s{0,5}["']?(?P<secret>[A-Za-z0-9+/]{86}==)"#,
    region: LINE,
    check: Some(key_ok),
};

/// A storage key is 64 random bytes in base64.
fn key_ok(h: &Hit<'_>) -> bool {
    b64_decode(h.secret).is_some_and(|b| b.len() == 64) && entropy(h.secret) > 4.5
}

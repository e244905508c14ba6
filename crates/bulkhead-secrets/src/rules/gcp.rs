//! Google Cloud service-account key files and API keys.
use crate::rule::{Hit, LINE, Region, Rule};
use crate::validate::entropy;
use bulkhead_types::Severity;

pub const SERVICE_ACCOUNT: Rule = Rule {
    id: "gcp-service-account-key",
    category: "Google",
    title: "GCP Service Account Key",
    severity: Severity::Critical,
    keywords: &["service_account"],
    regex: r#""private_key"\s*:\s*"(?P<secret>-----BEGIN PRIVATE KEY-----[A-Za-z0-9+/=\\\s]{64,}?-----END PRIVATE KEY-----(?:\\n)?)""#,
    region: Region::Bytes {
        before: 16 * 1024,
        after: 16 * 1024,
    },
    check: Some(service_account_ok),
};

/// A key file has both the key and the account's e-mail.
fn service_account_ok(h: &Hit<'_>) -> bool {
    h.region.contains("\"client_email\"") && h.region.contains(".gserviceaccount.com")
}

pub const API_KEY: Rule = Rule {
    id: "gcp-api-key",
    category: "Google",
    title: "Google API Key",
    severity: Severity::High,
    keywords: &["aiza"],
    regex: r"(?:^|[^A-Za-z0-9_-])(?P<secret>AIza[0-9A-Za-z_-]{35})(?:[^A-Za-z0-9_-]|$)",
    region: LINE,
    check: Some(api_key_ok),
};

fn api_key_ok(h: &Hit<'_>) -> bool {
    entropy(h.secret) > 3.8 && !h.secret.to_ascii_lowercase().contains("example")
}

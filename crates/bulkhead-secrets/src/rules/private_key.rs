//! Private key blocks: PEM (PKCS#1, PKCS#8, EC, DSA, encrypted), OpenSSH
//! and PGP.
use crate::rule::{Hit, Region, Rule};
use crate::validate::entropy;
use bulkhead_types::Severity;

const KEY_REGION: Region = Region::Bytes {
    before: 64,
    after: 64 * 1024,
};

pub const OPENSSH: Rule = Rule {
    id: "openssh-private-key",
    category: "PrivateKey",
    title: "OpenSSH Private Key",
    severity: Severity::Critical,
    keywords: &["-----begin openssh private key-----"],
    regex: r"(?s)-----BEGIN OPENSSH PRIVATE KEY-----(?P<secret>.+?)-----END OPENSSH PRIVATE KEY-----",
    region: KEY_REGION,
    check: Some(body_ok),
};

pub const PGP: Rule = Rule {
    id: "pgp-private-key",
    category: "PrivateKey",
    title: "PGP Private Key Block",
    severity: Severity::Critical,
    keywords: &["-----begin pgp private key block-----"],
    regex: r"(?s)-----BEGIN PGP PRIVATE KEY BLOCK-----(?P<secret>.+?)-----END PGP PRIVATE KEY BLOCK-----",
    region: KEY_REGION,
    check: Some(body_ok),
};

pub const PEM: Rule = Rule {
    id: "private-key",
    category: "PrivateKey",
    title: "Private Key (PEM)",
    severity: Severity::Critical,
    keywords: &["private key-----"],
    regex: r"(?s)-----BEGIN (?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----(?P<secret>.+?)-----END (?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----",
    region: KEY_REGION,
    check: Some(body_ok),
};

/// The body must hold a real amount of random-looking base64 (after PEM and
/// PGP headers, whitespace and JSON `\n` escapes), not `...` or `<key>`.
fn body_ok(h: &Hit<'_>) -> bool {
    let mut b64 = String::new();
    for line in h.secret.replace("\\n", "\n").lines() {
        let line = line.trim();
        // `Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`, `Version: …`, `Comment: …`.
        if line.contains(": ") {
            continue;
        }
        if !line
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        {
            return false;
        }
        b64.push_str(line);
    }
    b64.len() >= 64 && entropy(&b64) > 4.5
}

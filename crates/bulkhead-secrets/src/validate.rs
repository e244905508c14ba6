//! Value checks shared by the rules: entropy, token checksums, placeholder
//! and code detection.

use base64::Engine;

/// Shannon entropy in bits per byte.
pub fn entropy(s: &str) -> f64 {
    let bytes = s.as_bytes();
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for &b in bytes {
        if let Some(c) = counts.get_mut(usize::from(b)) {
            *c += 1;
        }
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `n` in base 62 (digits, upper, lower), left-padded with `0` to `width`.
///
/// Hand-written: the whole encoder is a few lines and no maintained crate
/// offers this exact alphabet and padding.
pub fn base62(mut n: u32, width: usize) -> String {
    let mut out = Vec::new();
    while n > 0 {
        let d = (n % 62) as usize;
        out.push(BASE62.get(d).copied().unwrap_or(b'0'));
        n /= 62;
    }
    while out.len() < width {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The 6-character checksum GitHub and npm append to their tokens: CRC32 of
/// the random part, in base 62.
pub fn token_checksum(random: &str) -> String {
    base62(crc32fast::hash(random.as_bytes()), 6)
}

/// Check a `PREFIX` + 30 random + 6 checksum token (GitHub `ghp_`…, npm `npm_`).
pub fn crc32_token_ok(token: &str, prefix_len: usize) -> bool {
    let Some(body) = token.get(prefix_len..) else {
        return false;
    };
    if body.len() != 36 || !body.is_ascii() {
        return false;
    }
    let (random, check) = body.split_at(30);
    token_checksum(random) == check
}

/// Decode base64url (with or without padding) or standard base64.
pub fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let trimmed = s.trim_end_matches('=');
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(trimmed)
        .ok()
        .or_else(|| {
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(trimmed)
                .ok()
        })
}

/// Words that mark a value as a placeholder, a reference or documentation.
const PLACEHOLDER_WORDS: &[&str] = &[
    "example",
    "changeme",
    "change_me",
    "change-me",
    "placeholder",
    "your",
    "xxxx",
    "****",
    "redacted",
    "dummy",
    "sample",
    "fake",
    "todo",
    "fixme",
    "insert",
    "replace",
    "secret",
    "password",
    "passwd",
    "token",
    "test",
    "null",
    "none",
    "undefined",
    "localhost",
    "default",
    "notreal",
    "mypass",
    "foobar",
    "1234567",
    "abcdef",
    "qwerty",
    "letmein",
    "${",
    "{{",
    "$(",
    "%(",
    "%s",
    "...",
    "<",
    ">",
];

/// Whether a value is a placeholder rather than a credential.
pub fn is_placeholder(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    if matches!(lower.as_str(), "true" | "false" | "yes" | "no" | "nil") {
        return true;
    }
    // One character repeated (`aaaaaaaa`, `00000000`).
    let mut chars = v.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return true;
    }
    // The example UUID of RFC 4122 text and the nil UUID.
    lower == "123e4567-e89b-12d3-a456-426614174000"
        || lower == "00000000-0000-0000-0000-000000000000"
}

/// Whether a value is code or a reference (a variable, a call, a path), not
/// a literal credential.
pub fn looks_like_code(v: &str) -> bool {
    if v.starts_with(['$', '/', '@', '%', '&', '*', '!', '#', '\\'])
        || v.starts_with("./")
        || v.starts_with("~/")
        || v.starts_with("../")
    {
        return true;
    }
    // Operators that base64 and generated passwords do not produce.
    if ["||", "&&", "=>", "?.", "::", "->"]
        .iter()
        .any(|op| v.contains(op))
    {
        return true;
    }
    let ident = |s: &str| {
        let mut cs = s.chars();
        cs.next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    // Dotted references: `self.password`, `config.api.token`, `process.env.X`.
    let parts: Vec<&str> = v.split('.').collect();
    if parts.len() > 1 && parts.iter().all(|p| ident(p)) {
        return true;
    }
    // Plain words and identifiers: `get_password`, `string`, `userPassword`,
    // `SOME_CONSTANT`: they carry no digits or symbols.
    if ident(v) && !v.chars().any(|c| c.is_ascii_digit()) {
        return true;
    }
    false
}

/// How many of lower, upper, digit, other the value uses.
pub fn char_classes(v: &str) -> usize {
    let mut classes = [false; 4];
    for c in v.chars() {
        let i = if c.is_ascii_lowercase() {
            0
        } else if c.is_ascii_uppercase() {
            1
        } else if c.is_ascii_digit() {
            2
        } else {
            3
        };
        if let Some(slot) = classes.get_mut(i) {
            *slot = true;
        }
    }
    classes.iter().filter(|&&b| b).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base62_pads_and_encodes() {
        assert_eq!(base62(0, 6), "000000");
        assert_eq!(base62(61, 2), "0z");
        assert_eq!(base62(62, 2), "10");
        assert_eq!(base62(u32::MAX, 6), "4gfFC3");
    }

    #[test]
    fn checksum_roundtrip() {
        let random = "abcdefghijABCDEFGHIJ0123456789";
        let token = format!("ghp_{random}{}", token_checksum(random));
        assert!(crc32_token_ok(&token, 4));
        let mut bad = token.clone();
        bad.replace_range(10..11, "Z");
        assert!(!crc32_token_ok(&bad, 4));
        assert!(!crc32_token_ok("ghp_short", 4));
    }

    #[test]
    fn entropy_orders_values() {
        assert!(entropy("aaaaaaaa") < 0.1);
        assert!(entropy("Zq8#rT2!mW9$") > 3.0);
        assert_eq!(entropy(""), 0.0);
    }

    #[test]
    fn placeholders_and_code() {
        for p in [
            "changeme",
            "<your-token>",
            "${DB_PASSWORD}",
            "xxxxxxxx",
            "EXAMPLEKEY1",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        assert!(!is_placeholder("Zq8rT2mW9pL4"));
        for c in [
            "self.password",
            "getPassword",
            "$DB_PASS",
            "/run/secrets/db",
            "a||b",
        ] {
            assert!(looks_like_code(c), "{c}");
        }
        assert!(!looks_like_code("Zq8rT2mW9pL4"));
        assert!(!looks_like_code("hunter2hunter2"));
    }
}

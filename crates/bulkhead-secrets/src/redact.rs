//! Redaction: reports show at most a 4-character prefix of a secret.

use std::ops::Range;

/// Context shown before and after the secret on its line(s), in bytes.
const CONTEXT: usize = 48;

/// The mask that replaces the hidden part of a secret.
pub const MASK: &str = "*****";

/// A secret as shown: its first characters (at most 4, and at most a quarter
/// of it, so short passwords show little) followed by `*****`.
pub fn redact_secret(secret: &str) -> String {
    let s = secret.trim_start();
    let n = s.chars().count();
    let keep = (n / 4).min(4);
    let mut out: String = s.chars().take(keep).collect();
    out.push_str(MASK);
    out
}

/// The `Match` text: the match's line(s) around the secret, with this and
/// every other secret in view redacted, newlines shown as spaces, trimmed.
pub fn render_match(
    text: &[u8],
    whole: Range<usize>,
    secret: Range<usize>,
    all_secrets: &[Range<usize>],
) -> String {
    let line_start = text
        .get(..whole.start)
        .and_then(|s| memchr::memrchr(b'\n', s))
        .map_or(0, |i| i + 1);
    let from = line_start.max(whole.start.saturating_sub(CONTEXT));
    let line_end = text
        .get(secret.end..)
        .and_then(|s| memchr::memchr(b'\n', s))
        .map_or(text.len(), |i| secret.end + i);
    let to = line_end
        .min(secret.end.saturating_add(CONTEXT))
        .max(secret.end);
    let mut out = String::new();
    let mut at = from;
    let mut overlapping: Vec<&Range<usize>> = all_secrets
        .iter()
        .filter(|r| r.start < to && from < r.end)
        .collect();
    overlapping.sort_by_key(|r| r.start);
    for r in overlapping {
        if r.end <= at {
            continue;
        }
        let shown_start = r.start.max(at);
        out.push_str(&String::from_utf8_lossy(
            text.get(at..shown_start).unwrap_or_default(),
        ));
        if r.start >= at {
            out.push_str(&redact_secret(&String::from_utf8_lossy(
                text.get(r.clone()).unwrap_or_default(),
            )));
        } else {
            // Only the tail of a secret is in view: hide it all.
            out.push_str(MASK);
        }
        at = r.end.min(to).max(at);
    }
    out.push_str(&String::from_utf8_lossy(
        text.get(at..to).unwrap_or_default(),
    ));
    let flat: String = out
        .chars()
        .map(|c| {
            if c == '\n' || c == '\r' || c == '\t' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let _ = secret;
    flat.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_short() {
        assert_eq!(
            redact_secret("ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
            "ghp_*****"
        );
        assert_eq!(redact_secret("hunter22"), "hu*****");
        assert_eq!(redact_secret("abc"), "*****");
    }

    #[test]
    fn other_secrets_in_view_are_redacted() {
        let text = b"A=AKIAQWERTYUIOPASDFGH B=AKIAZXCVBNMLKJHGFDSA\nnext";
        let a = 2..22;
        let b = 25..45;
        let m = render_match(text, 0..22, a.clone(), &[a, b]);
        assert_eq!(m, "A=AKIA***** B=AKIA*****");
    }
}

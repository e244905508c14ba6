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

/// `text` with the value of every assignment or flag whose name looks
/// secret (`DB_PASSWORD=…`, `--api-token=…`, `--password …`, `ENV TOKEN …`
/// as Docker records it) replaced by its redacted form. Names are judged by
/// the one classifier of `bulkhead_types::sensitive`; `$VAR` references and
/// obvious placeholders are kept. Values are cut at whitespace and quotes.
pub fn redact_assignments(text: &str) -> String {
    use bulkhead_types::sensitive::{is_placeholder, is_secret_name};
    let is_name = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // Whether the previous word was a secret-named flag or ENV name whose
    // value is the next word (`--password hunter2`, `ENV TOKEN abc`).
    let mut value_next = false;
    while !rest.is_empty() {
        let start = rest
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(rest.len());
        out.push_str(rest.get(..start).unwrap_or_default());
        rest = rest.get(start..).unwrap_or_default();
        if rest.is_empty() {
            break;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let word = rest.get(..end).unwrap_or_default();
        rest = rest.get(end..).unwrap_or_default();
        let bare = word.trim_matches(['"', '\'', ',', ';', '(', ')', '[', ']']);
        if value_next {
            value_next = false;
            if !bare.is_empty() && !is_placeholder(bare) {
                out.push_str(&word.replace(bare, &redact_secret(bare)));
                continue;
            }
        }
        match word.split_once('=') {
            Some((k, v)) => {
                let name = k.trim_start_matches(['"', '\'', '-', '(']);
                let quoted = v.trim_matches(['"', '\'', ',', ';', ')']);
                if !name.is_empty()
                    && name.chars().all(is_name)
                    && is_secret_name(name)
                    && !quoted.is_empty()
                    && !is_placeholder(quoted)
                {
                    out.push_str(k);
                    out.push('=');
                    out.push_str(&v.replace(quoted, &redact_secret(quoted)));
                } else {
                    out.push_str(word);
                }
            }
            None => {
                out.push_str(word);
                let name = bare.trim_start_matches('-');
                value_next = !name.is_empty() && name.chars().all(is_name) && is_secret_name(name);
            }
        }
    }
    out
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

    #[test]
    fn assignments_and_flags_by_name() {
        assert_eq!(
            redact_assignments("DB_PASSWORD=supersecret"),
            format!("DB_PASSWORD={}", redact_secret("supersecret"))
        );
        let h = redact_assignments(
            "/bin/sh -c #(nop) ENV DB_PASSWORD=supersecret API_TOKEN=\"tok en\" USER=app",
        );
        assert!(!h.contains("supersecret") && h.contains("USER=app"), "{h}");
        let cmd = redact_assignments("app --password hunter2222 --db-token=abcdefgh --port 80");
        assert!(
            !cmd.contains("hunter2222") && !cmd.contains("abcdefgh"),
            "{cmd}"
        );
        assert!(cmd.contains("--port 80"), "{cmd}");
        // ENV NAME value (Docker's older history form) and references kept.
        assert!(!redact_assignments("ENV GITHUB_TOKEN ghsecretvalue").contains("ghsecretvalue"));
        assert_eq!(redact_assignments("PASSWORD=$DB_PASS"), "PASSWORD=$DB_PASS");
        assert_eq!(
            redact_assignments("PASSWORD_FILE=/run/secrets/db"),
            "PASSWORD_FILE=/run/secrets/db"
        );
        assert_eq!(redact_assignments("a  b\tc"), "a  b\tc");
    }
}

//! Text from images, registries, daemons and input files on a terminal.
//!
//! Package names, versions, paths, labels, tags and error messages come from
//! whoever built the input. Written raw, an escape sequence among them can
//! retitle the window (OSC), move the cursor or recolour the screen (CSI, also
//! as the one-character C1 form U+009B), ring the bell, or reorder what the
//! reader sees (bidi overrides). Every text renderer passes such strings
//! through [`terminal_safe`] (or [`terminal_safe_multiline`] for text meant
//! to span lines), and nothing else: one set of rules for every command.
//!
//! Machine formats (JSON, SARIF, SBOMs) need none of this: serde escapes
//! control characters.

use std::borrow::Cow;

/// What replaces a character that must not reach a terminal.
pub const REPLACEMENT: char = '?';

/// Whether `c` must not reach a terminal as it is: every C0 control except
/// tab (newline included: see [`terminal_safe_multiline`]), DEL, the C1
/// controls U+0080–U+009F, and the bidi and format controls (U+061C,
/// U+200E, U+200F, U+202A–U+202E, U+2066–U+2069).
pub fn is_terminal_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}'
        | '\u{a}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

/// `s` on one line of a terminal: every character of
/// [`is_terminal_unsafe`] (newlines too) becomes `?`. Borrows when nothing
/// needs replacing.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    replace(s, false)
}

/// Like [`terminal_safe`], but keeps `\n`: for text a caller means to span
/// several lines. A carriage return still becomes `?` (it could overwrite
/// what the line showed).
pub fn terminal_safe_multiline(s: &str) -> Cow<'_, str> {
    replace(s, true)
}

fn replace(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    let bad = |c: char| is_terminal_unsafe(c) && !(keep_newlines && c == '\n');
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| if bad(c) { REPLACEMENT } else { c })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn clean_text_is_borrowed() {
        for s in [
            "",
            "libssl1.1 1.1.1n-0+deb11u3",
            "tab\there",
            "ünïcødé ✓ 日本",
        ] {
            assert!(
                matches!(terminal_safe(s), Cow::Borrowed(x) if x == s),
                "{s:?}"
            );
        }
        assert!(matches!(terminal_safe_multiline("a\nb"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_are_neutralised() {
        // OSC window title, CSI colour, C1 CSI, BEL.
        assert_eq!(
            terminal_safe("evil\u{1b}]0;pwned\u{7}\u{1b}[31mpkg"),
            "evil?]0;pwned??[31mpkg"
        );
        assert_eq!(terminal_safe("a\u{9b}2Jb"), "a?2Jb");
        assert_eq!(terminal_safe("del\u{7f}"), "del?");
        assert_eq!(terminal_safe("nul\0"), "nul?");
    }

    #[test]
    fn bidi_controls_are_neutralised() {
        assert_eq!(terminal_safe("exe.\u{202e}txt"), "exe.?txt");
        for c in [
            '\u{61c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}',
            '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
        ] {
            assert_eq!(terminal_safe(&format!("x{c}y")), "x?y", "{:04x}", c as u32);
        }
        // Neighbours that are ordinary text stay.
        assert_eq!(
            terminal_safe("\u{200d}\u{2065}\u{2070}\u{a0}"),
            "\u{200d}\u{2065}\u{2070}\u{a0}"
        );
    }

    #[test]
    fn newlines_only_where_asked() {
        assert_eq!(terminal_safe("a\nb\r\n"), "a?b??");
        assert_eq!(terminal_safe_multiline("a\nb\r\n\u{1b}[2J"), "a\nb?\n?[2J");
        assert_eq!(terminal_safe("a\tb"), "a\tb");
    }

    #[test]
    fn every_unsafe_character_is_replaced() {
        for c in (0u32..0x3000).filter_map(char::from_u32) {
            let out = terminal_safe(&c.to_string()).into_owned();
            if is_terminal_unsafe(c) {
                assert_eq!(out, "?", "{:04x}", c as u32);
            } else {
                assert_eq!(out, c.to_string(), "{:04x}", c as u32);
            }
        }
        assert!(!is_terminal_unsafe('\t'));
        assert!(is_terminal_unsafe('\n'));
        assert!(is_terminal_unsafe('\u{1b}'));
        assert!(is_terminal_unsafe('\u{80}'));
        assert!(is_terminal_unsafe('\u{9f}'));
        assert!(!is_terminal_unsafe('\u{a0}'));
    }
}

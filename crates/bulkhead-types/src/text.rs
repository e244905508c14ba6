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
//! Machine formats (JSON, SARIF, SBOMs) keep every character: serde escapes
//! the C0 controls, and [`json_safe`] (through [`to_json_pretty`] and
//! [`write_json_pretty`], which every JSON writer uses) escapes the C1 and
//! bidi controls serde leaves raw, so a JSON document on a terminal is safe
//! too and still parses to the same strings.

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

/// [`terminal_safe`], cut to `max` characters with `…` appended when
/// longer: for values a hostile source could make very long.
pub fn terminal_safe_capped(s: &str, max: usize) -> String {
    let mut out: String = terminal_safe(s).chars().take(max).collect();
    if s.chars().nth(max).is_some() {
        out.push('…');
    }
    out
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

/// Whether `c` is one [`is_terminal_unsafe`] leaves to JSON's own escaping:
/// serde_json escapes C0 controls but writes DEL, the C1 controls and the
/// bidi controls raw, which a terminal showing the JSON would act on.
fn json_needs_escape(c: char) -> bool {
    is_terminal_unsafe(c) && c >= '\u{7f}'
}

/// Serialized JSON with every C1 and bidi control inside its strings written
/// as a `\uXXXX` escape: the same document (any JSON parser reads the same
/// strings), but safe to show on a terminal. Outside strings, JSON text is
/// ASCII, so a character-level pass cannot change the structure.
pub fn json_safe(json: &str) -> Cow<'_, str> {
    if !json.chars().any(json_needs_escape) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if json_needs_escape(c) {
            // Every such character is in the Basic Multilingual Plane.
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `value` as pretty JSON, made safe by [`json_safe`]. Every JSON document
/// Bulkhead writes goes through this or [`write_json_pretty`].
pub fn to_json_pretty<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let s = serde_json::to_string_pretty(value)?;
    Ok(match json_safe(&s) {
        Cow::Borrowed(_) => s,
        Cow::Owned(o) => o,
    })
}

/// Writes `value` as pretty JSON to `out` through [`JsonSafeWriter`].
pub fn write_json_pretty<W: std::io::Write, T: serde::Serialize + ?Sized>(
    out: W,
    value: &T,
) -> serde_json::Result<()> {
    let mut w = JsonSafeWriter::new(out);
    serde_json::to_writer_pretty(&mut w, value)?;
    w.finish().map_err(serde_json::Error::io)
}

/// A writer that applies [`json_safe`] to serialized JSON as it streams
/// through (large SBOMs are never held whole). A UTF-8 sequence split
/// between two writes is held back until it is complete.
pub struct JsonSafeWriter<W: std::io::Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: std::io::Write> JsonSafeWriter<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            pending: Vec::new(),
        }
    }

    /// Writes what is still held back (an incomplete sequence at the very
    /// end is written as it is) and flushes.
    pub fn finish(mut self) -> std::io::Result<()> {
        let rest = std::mem::take(&mut self.pending);
        self.inner.write_all(&rest)?;
        self.inner.flush()
    }

    fn emit(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match std::str::from_utf8(bytes) {
            Ok(s) => self.inner.write_all(json_safe(s).as_bytes()),
            // Not UTF-8 (serde_json never writes such bytes): pass through.
            Err(_) => self.inner.write_all(bytes),
        }
    }
}

impl<W: std::io::Write> std::io::Write for JsonSafeWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // Almost every fragment serde writes is ASCII: pass it straight on.
        if self.pending.is_empty() && buf.is_ascii() && !buf.contains(&0x7f) {
            self.inner.write_all(buf)?;
            return Ok(buf.len());
        }
        let mut data = std::mem::take(&mut self.pending);
        data.extend_from_slice(buf);
        // Hold back a trailing incomplete UTF-8 sequence (at most 3 bytes).
        let mut cut = data.len();
        for back in 1..=3.min(data.len()) {
            let Some(&b) = data.get(data.len() - back) else {
                break;
            };
            if b & 0xc0 == 0x80 {
                continue; // continuation byte: look further back
            }
            let need = match b {
                0xc0..=0xdf => 2,
                0xe0..=0xef => 3,
                0xf0..=0xf7 => 4,
                _ => 1,
            };
            if need > back {
                cut = data.len() - back;
            }
            break;
        }
        let (now, later) = data.split_at(cut);
        self.emit(now)?;
        self.pending = later.to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
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

    #[test]
    fn json_keeps_its_strings_and_loses_raw_controls() {
        let v = serde_json::json!({
            "name": "evil\u{1b}]0;pwned\u{7}\u{9b}2J\u{202e}\u{2066}x",
            "ok": "ünïcødé ✓",
        });
        let s = to_json_pretty(&v).unwrap();
        for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}', '\u{2066}'] {
            assert!(!s.contains(bad), "{bad:?} in {s}");
        }
        assert!(s.contains("\\u009b") && s.contains("\\u202e"), "{s}");
        assert!(s.contains("ünïcødé ✓"));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
        assert!(matches!(json_safe("{\"a\": \"b\"}"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_json_writer_handles_sequences_split_between_writes() {
        use std::io::Write;
        let text = "[\"a\u{202e}b\u{9b}c日本\"]";
        let bytes = text.as_bytes();
        // Every split point, written in two pieces.
        for cut in 0..=bytes.len() {
            let mut out = Vec::new();
            let mut w = JsonSafeWriter::new(&mut out);
            w.write_all(&bytes[..cut]).unwrap();
            w.write_all(&bytes[cut..]).unwrap();
            w.finish().unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                "[\"a\\u202eb\\u009bc日本\"]",
                "cut at {cut}"
            );
        }
        // One byte at a time.
        let mut out = Vec::new();
        let mut w = JsonSafeWriter::new(&mut out);
        for b in bytes {
            w.write_all(std::slice::from_ref(b)).unwrap();
        }
        w.finish().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "[\"a\\u202eb\\u009bc日本\"]"
        );
    }
}

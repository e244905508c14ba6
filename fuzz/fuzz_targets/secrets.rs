//! The secret scanner on arbitrary bytes: never panics, every finding is
//! redacted and has sane lines; redacting text never panics either.
#![no_main]

use bulkhead_secrets::{MASK, Scanner};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| match Scanner::builtin() {
        Ok(s) => s,
        Err(e) => panic!("built-in rules do not compile: {e}"),
    })
}

fuzz_target!(|data: &[u8]| {
    let s = scanner();
    let lines = data.iter().filter(|&&b| b == b'\n').count() + 1;
    for f in s.scan("fuzz/input.txt", data) {
        assert!(f.match_text.contains(MASK), "unredacted match");
        assert!(f.start_line >= 1 && f.start_line <= f.end_line && f.end_line <= lines);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = s.redact_text(text);
        for f in s.scan_text(text) {
            assert!(f.match_text.contains(MASK));
        }
    }
});

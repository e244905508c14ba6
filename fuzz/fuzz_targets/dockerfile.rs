#![no_main]
//! Fuzz the Dockerfile parser and every Dockerfile rule: must never panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = bulkhead_lint::lint_dockerfile(&text, None, &bulkhead_lint::LintOptions::default());
});

//! `bulkhead diff` model and renderers on arbitrary image configs and
//! package lists: never panics (versions of every scheme, odd JSON shapes,
//! Markdown/HTML in names).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = bulkhead_report::fuzzing::diff(data);
});

//! The HTML report on arbitrary reports (JSON): never panics, and no tag
//! but the page's own appears whatever the strings hold.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = bulkhead_report::fuzzing::html(data);
});

#![no_main]
//! strace and audit input parsers of bulkhead-profile: any text, no panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = bulkhead_profile::strace::parse(text);
        let _ = bulkhead_profile::audit::parse(text);
    }
});

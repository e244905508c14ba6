#![no_main]
//! Seccomp profile JSON parser, lint and diff of bulkhead-profile: no panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(p) = bulkhead_profile::Profile::from_json(text)
    {
        let _ = bulkhead_profile::lint::lint(&p);
        let _ = bulkhead_profile::diff::diff("a", &p, "a", &p);
        let _ = p.to_json();
    }
});

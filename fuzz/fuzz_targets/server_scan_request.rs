//! Fuzz Harbor's scan request as `bulkhead server` reads it (JSON body,
//! field validation, the Basic credential) and the `Accept` /
//! `Content-Type` matching: errors, never panics; an accepted request
//! always names a valid image reference.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bulkhead_server::request::fuzz_exercise(data);
});

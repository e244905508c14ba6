//! bulkhead-sign: simple-signing payloads: parse, and an accepted payload survives a rebuild. Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bulkhead_sign::fuzzing::payload(data);
});

//! bulkhead-sign: signature discovery over hostile .sig manifests, fallback indexes and referrer manifests. Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bulkhead_sign::fuzzing::manifest(data);
});

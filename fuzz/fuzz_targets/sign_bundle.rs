//! bulkhead-sign: Sigstore bundles (DSSE envelope or message signature) and in-toto statements. Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bulkhead_sign::fuzzing::bundle(data);
});

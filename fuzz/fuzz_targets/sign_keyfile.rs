//! bulkhead-sign: cosign key files (PEM layer, envelope JSON, scrypt with tiny fuzz limits, secretbox, PKCS#8/SEC1) and public key PEMs. Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bulkhead_sign::fuzzing::keyfile(data);
});

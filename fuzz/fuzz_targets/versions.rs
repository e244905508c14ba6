//! Fuzz every version scheme's compare on arbitrary pairs: it must never panic, and when
//! both sides parse it must be antisymmetric and reflexive (see
//! `bulkhead_versions::fuzzing::check`, which the seed replay test runs too).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(broken) = bulkhead_versions::fuzzing::check(data) {
        panic!("{broken}");
    }
});

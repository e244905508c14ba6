//! Fuzz the signing policy (`[policy]` rules): parsing, validation (names,
//! globs, keys) and rule choice must never panic, and a policy that
//! validates must decide for any name.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bulkhead_sign::policy::fuzz_exercise(data);
});

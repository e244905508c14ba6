//! OpenVEX documents (`--vex`): reading (bounds, required fields, older
//! string forms), matching every statement against findings made from its
//! own names and purls, and `vex create` on what was read. Never panics; a
//! document read must survive writing and reading back, and a document
//! built must read back.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bulkhead_vex::fuzzing::exercise(data);
});

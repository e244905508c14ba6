//! Go build info and cargo-auditable readers (ELF) and the jar walker.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bulkhead_analyzers::lang::fuzz_binary(data);
});

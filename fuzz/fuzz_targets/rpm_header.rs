#![no_main]
//! Any bytes as an rpm header blob: must return Ok or Err, never panic,
//! hang or allocate without bound.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(h) = bulkhead_rpmdb::parse_header(data) {
        let _ = h.evr();
        let _ = h.source_nvr();
    }
});

//! Fuzz the rating readers (FIRST EPSS CSV, NVD CVE API 2.0 / yearly feeds,
//! CVE JSON 5 records and zips, plain or gzip): no panic, and every row
//! written is a valid CVE id with in-range scores
//! (`bulkhead_osv::ratings::fuzzing::check`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bulkhead_osv::ratings::fuzzing::check(data);
});

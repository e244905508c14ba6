//! Language manifests and lockfiles: the first byte picks the file name,
//! the rest is the content, given to every analyzer that reads that name.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bulkhead_analyzers::lang::fuzz_manifest(data);
});

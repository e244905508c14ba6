//! Alpine's installed database.
#![no_main]
use bulkhead_analyzers::Analyzer;
use bulkhead_analyzers::os::apk::ApkAnalyzer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = ApkAnalyzer.analyze("lib/apk/db/installed", data);
});

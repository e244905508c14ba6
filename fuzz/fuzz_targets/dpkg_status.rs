//! dpkg status / status.d / info lists.
#![no_main]
use bulkhead_analyzers::Analyzer;
use bulkhead_analyzers::os::dpkg::DpkgAnalyzer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = DpkgAnalyzer.analyze("var/lib/dpkg/status", data);
    let _ = DpkgAnalyzer.analyze("var/lib/dpkg/status.d/x", data);
    let _ = DpkgAnalyzer.analyze("var/lib/dpkg/info/x.list", data);
});

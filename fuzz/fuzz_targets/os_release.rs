//! Release files (os-release, redhat-release, …) and OS detection.
#![no_main]
use bulkhead_analyzers::os::release::{RELEASE_FILES, ReleaseAnalyzer, detect};
use bulkhead_analyzers::{Analyzer, FileAnalysis};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut found = Vec::new();
    for path in RELEASE_FILES {
        if let Ok(Some(FileAnalysis::Os { facts, .. })) = ReleaseAnalyzer.analyze(path, data) {
            found.push(((*path).to_string(), facts));
        }
    }
    let _ = detect(&found);
});

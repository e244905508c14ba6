#![no_main]
//! `bulkhead check`'s logic (scoreboard, merging, risk order, fix plan) and
//! its renderers on settings read from arbitrary `docker run` flags and
//! arbitrary names planted in the scan: never panics, and every report
//! survives a JSON round trip.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for r in bulkhead_check::fuzzing::reports(data) {
        let json = serde_json::to_string(&r).expect("a report serialises");
        let back: bulkhead_types::check::CheckReport =
            serde_json::from_str(&json).expect("a report reads back");
        assert_eq!(back.findings.len(), r.findings.len());
        let opts = bulkhead_report::WriteOptions::default();
        for name in bulkhead_report::check::CHECK_FORMATS {
            if let Some(f) = bulkhead_report::check::CheckFormat::parse(name) {
                let mut out = Vec::new();
                let _ = bulkhead_report::check::write(&r, f, &opts, &mut out);
            }
        }
    }
});

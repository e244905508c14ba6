#![no_main]
//! Fuzz the Kubernetes manifest loader (multi-document YAML under one
//! budget, `List` items, typed pod templates) and every Kubernetes rule:
//! must never panic, only return errors or findings.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    bulkhead_lint::kubernetes::fuzz_exercise(data);
});

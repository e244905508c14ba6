//! Fuzz the OSV record parser (JSON and YAML): it must never panic, and an
//! accepted record must survive a JSON round trip and CVE extraction.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for parsed in [bulkhead_osv::model::parse_json(data), bulkhead_osv::model::parse_yaml(data)] {
        if let Ok(record) = parsed {
            let _ = record.cve_ids(true);
            let json = serde_json::to_vec(&record).unwrap();
            let again = bulkhead_osv::model::parse_json(&json).unwrap();
            assert_eq!(again.id, record.id);
            for a in &again.affected {
                if let Some(p) = &a.package {
                    let _ = bulkhead_osv::normalize_name(&p.ecosystem, &p.name);
                }
            }
        }
    }
});

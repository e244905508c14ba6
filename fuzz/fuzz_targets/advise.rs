//! `image --summary`/`--recommend` inputs from registries and images:
//! tag lists (tag grammar, version-like tags, nearest tags), `Link` headers,
//! base-image labels and names. Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = bulkhead_advise::fuzzing::exercise(data);
    let text = String::from_utf8_lossy(data);
    let _ = bulkhead_image::registry::link_next(&text);
    for l in text.lines().take(1000) {
        let _ = bulkhead_image::registry::is_tag(l);
    }
});

//! Image archives: manifest.json / index.json parsing, blob lookup, digests.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    // The reader takes a path: write the input to a private temp file.
    let Ok(mut f) = tempfile::NamedTempFile::new() else {
        return;
    };
    if f.write_all(data).is_err() {
        return;
    }
    if let Ok(image) = bulkhead_image::open_input(f.path(), None) {
        for l in &image.layers {
            let _ = l.blob.open();
        }
    }
});

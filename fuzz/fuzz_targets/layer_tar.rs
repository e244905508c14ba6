//! The layer reader: decompression detection, tar walk, whiteouts, capture,
//! and the squash of two layers built from the same input.
#![no_main]
use bulkhead_layerfs::{Expect, Limits, capture, squash, walk_layer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_layer_bytes: 64 << 20,
        max_entries: 100_000,
        max_in_memory: 1 << 20,
        max_capture: 4 << 20,
    };
    let mut on_file = |e: &bulkhead_layerfs::Entry, r: &mut dyn std::io::Read| {
        let c = capture(e, r, &limits)?;
        let _ = c.bytes();
        Ok(())
    };
    let want_all = |_: &bulkhead_layerfs::Entry| true;
    if let Ok(index) = walk_layer(data, &Expect::default(), &limits, &want_all, &mut on_file) {
        let fs = squash(&[&index, &index]);
        for path in fs.files.keys().take(50) {
            let _ = fs.resolve(path);
        }
    }
});

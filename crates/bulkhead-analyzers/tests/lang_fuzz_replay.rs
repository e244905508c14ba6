//! Replays the committed seeds (and crashes) of the `lang_lockfiles` and
//! `lang_binaries` fuzz targets (`fuzz/seeds/<target>/`) through the same
//! entry points: none may panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

fn replay(target: &str, f: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/seeds")
        .join(target);
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        let data = std::fs::read(&p).unwrap();
        f(&data);
        // Every prefix too: truncated input must not panic either.
        for cut in (0..data.len()).step_by((data.len() / 64).max(1)) {
            f(&data[..cut]);
        }
        n += 1;
    }
    assert!(n > 0, "no seeds in {}", dir.display());
}

#[test]
fn lang_lockfiles_seeds() {
    replay("lang_lockfiles", bulkhead_analyzers::lang::fuzz_manifest);
}

#[test]
fn lang_binaries_seeds() {
    replay("lang_binaries", bulkhead_analyzers::lang::fuzz_binary);
}

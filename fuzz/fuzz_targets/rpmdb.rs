#![no_main]
//! Any bytes as a whole rpm database. The first byte picks the backend so
//! the fuzzer reaches all three without having to discover each magic; the
//! rest is the file (the magic is prepended where it is a prefix).
use bulkhead_rpmdb::{DbFormat, read_packages, read_rpmdb};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    match sel % 4 {
        0 => {
            let _ = read_packages(DbFormat::BerkeleyDb, rest);
        }
        1 => {
            let mut b = b"RpmP".to_vec();
            b.extend_from_slice(rest);
            let _ = read_packages(DbFormat::Ndb, &b);
        }
        2 => {
            let mut b = b"SQLite format 3\0".to_vec();
            b.extend_from_slice(rest);
            let _ = read_packages(DbFormat::Sqlite, &b);
        }
        _ => {
            let _ = read_rpmdb(rest);
        }
    }
});

//! Layer reader throughput: one streaming pass over a synthetic layer
//! (many small files plus a few large ones), plain and gzip.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bulkhead_layerfs::{Expect, Limits, walk_layer};
use std::io::Write;

fn main() {
    divan::main();
}

fn layer_tar() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let small = vec![b'x'; 700];
    for i in 0..20_000 {
        let mut h = tar::Header::new_gnu();
        h.set_size(small.len() as u64);
        h.set_mode(0o644);
        b.append_data(
            &mut h,
            format!("usr/share/doc/p{}/f{i}", i % 500),
            small.as_slice(),
        )
        .unwrap();
    }
    let big: Vec<u8> = (0..8u32 << 20)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    for i in 0..4 {
        let mut h = tar::Header::new_gnu();
        h.set_size(big.len() as u64);
        h.set_mode(0o755);
        b.append_data(&mut h, format!("usr/lib/big{i}.so"), big.as_slice())
            .unwrap();
    }
    b.into_inner().unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn walk(data: &[u8]) -> usize {
    let limits = Limits::default();
    let mut on_file = |_: &bulkhead_layerfs::Entry, _: &mut dyn std::io::Read| Ok(());
    walk_layer(data, &Expect::default(), &limits, &|_| false, &mut on_file)
        .unwrap()
        .entries
        .len()
}

#[divan::bench(sample_count = 10)]
fn plain_tar(bencher: divan::Bencher) {
    let data = layer_tar();
    bencher
        .counter(divan::counter::BytesCount::new(data.len()))
        .bench(|| walk(divan::black_box(&data)));
}

#[divan::bench(sample_count = 10)]
fn gzip_tar(bencher: divan::Bencher) {
    let data = gzip(&layer_tar());
    bencher
        .counter(divan::counter::BytesCount::new(data.len()))
        .bench(|| walk(divan::black_box(&data)));
}

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! A cached rescan gives the same inventory as the cold scan and reads no
//! layer; a second image sharing the base layer reuses it; a docker-save
//! stream (legacy and OCI layouts) gives the same result as the file.

use bulkhead_cache::LayerCache;
use bulkhead_fixtures::{Compression, ImageBuilder, Layout};
use bulkhead_scan::LayerStore;
use bulkhead_scan::ScanOptions;
use bulkhead_scan::pipeline::{analyze_docker_stream, analyze_image};
use std::path::Path;

const STATUS: &str = "Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4\n\nPackage: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n";

fn build(out: &Path, layout: Layout, extra: &str) {
    build_with(out, layout, extra, Compression::Gzip);
}

fn build_with(out: &Path, layout: Layout, extra: &str, c: Compression) {
    let mut b = ImageBuilder::new().tag("cache-test:1").compression(c);
    b.layer("base")
        .file(
            "etc/os-release",
            b"ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian 12\"\n",
        )
        .unwrap()
        .file("var/lib/dpkg/status", STATUS.as_bytes())
        .unwrap();
    b.layer("pip")
        .file(
            "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA",
            b"Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n",
        )
        .unwrap()
        .file("app/extra.txt", extra.as_bytes())
        .unwrap();
    b.write(layout, out).unwrap();
}

fn inventory_text(
    image: &bulkhead_image::Image,
    layers: &[bulkhead_scan::LayerAnalysis],
) -> String {
    let inv = bulkhead_scan::build_inventory(layers, &image.layer_refs());
    format!("{inv:?}")
}

fn scan(
    cache: Option<&LayerCache>,
    image: &bulkhead_image::Image,
) -> (String, bulkhead_scan::StoreStats) {
    let analyzers = bulkhead_analyzers::for_image();
    let store = cache.map(|c| c.store(&bulkhead_analyzers::versions_key(&analyzers), "test"));
    let (layers, stats) = analyze_image(
        image,
        &analyzers,
        None,
        &ScanOptions::default(),
        store.as_ref().map(|s| s as &dyn LayerStore),
        &|_| {},
    )
    .unwrap();
    (inventory_text(image, &layers), stats)
}

#[test]
fn rescan_hits_every_layer_with_the_same_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("img.tar");
    build(&path, Layout::DockerOci, "one");
    let image = bulkhead_image::open_input(&path, None).unwrap();
    let cache = LayerCache::open(&dir.path().join("cache")).unwrap();
    let (uncached, _) = scan(None, &image);
    assert!(
        uncached.contains("requests")
            && uncached.contains("zlib1g")
            && uncached.contains("pkg:deb/debian/zlib1g")
    );
    let (cold, stats) = scan(Some(&cache), &image);
    assert_eq!(stats.hits.len(), 0);
    assert_eq!(stats.misses.len(), 2);
    let (warm, stats) = scan(Some(&cache), &image);
    assert_eq!(stats.hits, image.diff_ids, "every layer is a cache hit");
    assert!(stats.misses.is_empty());
    assert_eq!(cold, uncached);
    assert_eq!(warm, cold);
    // The layers are not read at all on a hit: delete the file and rescan.
    std::fs::remove_file(&path).unwrap();
    let (again, stats) = scan(Some(&cache), &image);
    assert_eq!(again, cold);
    assert_eq!(stats.hits.len(), 2);

    // Another image sharing the base layer reuses it.
    let other = dir.path().join("other.tar");
    build(&other, Layout::DockerOci, "two");
    let image2 = bulkhead_image::open_input(&other, None).unwrap();
    let (_, stats) = scan(Some(&cache), &image2);
    assert_eq!(stats.hits, vec![image2.diff_ids[0].clone()]);
    assert_eq!(stats.misses, vec![image2.diff_ids[1].clone()]);
}

#[test]
fn docker_save_stream_matches_the_file_scan_and_uses_the_cache() {
    for layout in [Layout::DockerLegacy, Layout::DockerOci] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("img.tar");
        build(&path, layout, "one");
        let image = bulkhead_image::open_input(&path, None).unwrap();
        let (expected, _) = scan(None, &image);
        let cache = LayerCache::open(&dir.path().join("cache")).unwrap();
        let analyzers = bulkhead_analyzers::for_image();
        let store = cache.store(&bulkhead_analyzers::versions_key(&analyzers), "test");
        let stream = || std::fs::File::open(&path).unwrap();
        let opts = ScanOptions::default();
        let (img, layers, stats) = analyze_docker_stream(
            stream(),
            None,
            &image.diff_ids,
            &analyzers,
            None,
            &opts,
            Some(&store),
        )
        .unwrap();
        assert_eq!(img.diff_ids, image.diff_ids, "{layout:?}");
        assert_eq!(img.id, image.id);
        assert_eq!(inventory_text(&img, &layers), expected, "{layout:?}");
        assert_eq!(stats.misses.len(), 2);
        let (img, layers, stats) = analyze_docker_stream(
            stream(),
            None,
            &image.diff_ids,
            &analyzers,
            None,
            &opts,
            Some(&store),
        )
        .unwrap();
        assert_eq!(
            stats.hits, image.diff_ids,
            "{layout:?}: every layer is a hit"
        );
        assert_eq!(inventory_text(&img, &layers), expected);
    }
}

#[test]
fn corrupt_stream_layer_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("img.tar");
    build_with(&path, Layout::DockerOci, "one", Compression::None);
    let mut bytes = std::fs::read(&path).unwrap();
    // Flip a byte inside the dpkg status text (a layer member, uncompressed).
    let at = bytes.windows(10).position(|w| w == b"base-files").unwrap();
    bytes[at] = b'B';
    let analyzers = bulkhead_analyzers::for_image();
    let err = analyze_docker_stream(
        &bytes[..],
        None,
        &[],
        &analyzers,
        None,
        &ScanOptions::default(),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("digest") || err.contains("diff_id"), "{err}");
}

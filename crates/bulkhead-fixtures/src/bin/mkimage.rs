//! `mkimage`: write demo, benchmark and test images without a registry.
//!
//! ```text
//! mkimage demo OUT.tar                      the README's demo image (docker-archive)
//! mkimage rootfs DIR LAYOUT OUT [COMPRESSION]   pack a root filesystem as one layer
//! mkimage big OUT.tar SIZE_MB LAYERS        a large multi-layer image for benchmarks
//! ```
//! LAYOUT: docker-archive | docker-oci | oci-dir | oci-tar.
//! COMPRESSION: gzip (default) | zstd | none.

use anyhow::{Context, Result, bail};
use bulkhead_fixtures::{Compression, ImageBuilder, Layout, parse_layout};
use std::path::{Path, PathBuf};

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("demo")
}

fn add_tree(layer: &mut bulkhead_fixtures::LayerBuilder, root: &Path) -> Result<()> {
    let mut files: Vec<_> = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .collect::<Result<_, _>>()?;
    files.retain(|e| e.file_type().is_file());
    for e in files {
        let rel = e.path().strip_prefix(root)?.to_string_lossy().into_owned();
        let data =
            std::fs::read(e.path()).with_context(|| format!("reading {}", e.path().display()))?;
        layer.file(&rel, &data)?;
    }
    Ok(())
}

fn demo(out: &Path) -> Result<()> {
    let dir = demo_dir();
    let mut b = ImageBuilder::new()
        .tag("bulkhead-demo:1.0")
        .config("User", serde_json::json!(""))
        .config(
            "Env",
            serde_json::json!(["PATH=/usr/local/bin:/usr/bin:/bin"]),
        );
    for (i, name) in ["layer0-base", "layer1-app"].iter().enumerate() {
        let layer = b.layer(&format!("demo layer {i}: {name}"));
        add_tree(layer, &dir.join(name))?;
    }
    b.write(Layout::DockerLegacy, out)
}

/// Deterministic pseudo-random bytes that compress about like real binaries.
fn filler(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut v = Vec::with_capacity(len);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let b = x.to_le_bytes();
        // Half random, half repetitive text: roughly 2:1 compression.
        v.extend_from_slice(&b[..4]);
        v.extend_from_slice(b"libx");
    }
    v.truncate(len);
    v
}

fn big(out: &Path, size_mb: usize, layers: usize) -> Result<()> {
    let mut b = ImageBuilder::new().tag("bulkhead-big:latest");
    let per_layer = size_mb * 1024 * 1024 / layers.max(1);
    let file_size = 256 * 1024;
    let debian = demo_dir().join("layer0-base");
    for l in 0..layers {
        let layer = b.layer(&format!("RUN generate layer {l}"));
        if l == 0 {
            add_tree(layer, &debian)?;
        }
        for f in 0..per_layer / file_size {
            layer.file(
                &format!("opt/data{l}/file{f}.bin"),
                &filler((l * 100_000 + f) as u64, file_size),
            )?;
        }
        for f in 0..2000 {
            layer.file(
                &format!("usr/share/doc/pkg{l}-{f}/README"),
                format!("doc {l} {f}\n").as_bytes(),
            )?;
        }
    }
    b.write(Layout::DockerOci, out)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["demo", out] => demo(Path::new(out)),
        ["rootfs", dir, layout, out, rest @ ..] => {
            let compression = match rest.first().copied().unwrap_or("gzip") {
                "gzip" => Compression::Gzip,
                "zstd" => Compression::Zstd,
                "none" => Compression::None,
                other => bail!("unknown compression {other}"),
            };
            let mut b = ImageBuilder::new()
                .tag("bulkhead-rootfs:latest")
                .compression(compression);
            b.layer("rootfs").tree(Path::new(dir))?;
            b.write(parse_layout(layout)?, Path::new(out))
        }
        ["big", out, size_mb, layers] => big(Path::new(out), size_mb.parse()?, layers.parse()?),
        _ => bail!(
            "usage: mkimage demo OUT | mkimage rootfs DIR LAYOUT OUT [gzip|zstd|none] | mkimage big OUT SIZE_MB LAYERS"
        ),
    }
}

//! The image reads behind `bulkhead image --summary` and `--recommend`: an
//! image's layers and stored size without reading its layers (Docker
//! daemon, then registry, in the caller's order), and the base image (its
//! labels, else the candidate whose layers start the image).

use anyhow::{Context, Result, bail};
use bulkhead_advise::base::{self, BaseImage};
use bulkhead_image::registry::RegistryOptions;
use bulkhead_image::{ImageError, Platform, Reference};
use bulkhead_types::Report;
use std::path::Path;

/// An image's layers and stored size, read without reading its layers.
pub struct ImageMeta {
    pub diff_ids: Vec<String>,
    /// Sum of stored layer sizes; unknown for images in the Docker daemon.
    pub size: Option<u64>,
}

/// Where [`image_meta`] looks for images named (not paths).
#[derive(Debug, Clone)]
pub struct MetaSources {
    /// `docker` and/or `remote`, tried in order (`--image-src`).
    pub sources: Vec<String>,
    pub platform: Option<Platform>,
    pub registry: RegistryOptions,
}

/// Sum of the stored layer sizes, saturating: a registry's manifest may
/// claim any sizes.
fn stored_size(layers: &[bulkhead_image::Layer]) -> u64 {
    layers.iter().fold(0u64, |n, l| n.saturating_add(l.size))
}

/// Layers and size of an image given as a path or a name (sources in the
/// order of `from.sources`, like a scan).
pub fn image_meta(name: &str, from: &MetaSources) -> Result<ImageMeta> {
    let platform = from.platform.as_ref();
    if Path::new(name).exists() {
        let img = bulkhead_image::open_input(Path::new(name), platform)
            .with_context(|| format!("cannot read image {name}"))?;
        return Ok(ImageMeta {
            size: Some(stored_size(&img.layers)),
            diff_ids: img.diff_ids,
        });
    }
    let mut tried = Vec::new();
    for src in &from.sources {
        let attempt = match src.trim() {
            "docker" => bulkhead_image::daemon::inspect(name).map(|i| ImageMeta {
                diff_ids: i.diff_ids,
                size: None,
            }),
            "remote" => {
                let r = Reference::parse(name).map_err(anyhow::Error::msg)?;
                bulkhead_image::registry::pull(&r, platform, from.registry.clone()).map(|img| {
                    ImageMeta {
                        size: Some(stored_size(&img.layers)),
                        diff_ids: img.diff_ids,
                    }
                })
            }
            other => {
                bail!("unknown image source {other:?} in --image-src: use docker and/or remote")
            }
        };
        match attempt {
            Ok(m) => return Ok(m),
            Err(ImageError::NotFound(m) | ImageError::Unreachable(m)) => {
                tried.push(format!("{src}: {m}"));
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read image {name}")),
        }
    }
    bail!(
        "image {name} was not found ({}): check the name, or pass a file path",
        tried.join("; ")
    )
}

/// The base image: its labels first, else the image of `candidates` whose
/// layers are this image's first layers. Candidates that cannot be read
/// are noted and skipped.
pub fn identify_base(
    report: &Report,
    candidates: &[String],
    from: &MetaSources,
    notes: &mut Vec<String>,
) -> Option<BaseImage> {
    if let Some(b) = report
        .metadata
        .image_config
        .as_ref()
        .and_then(base::from_labels)
    {
        return Some(b);
    }
    let mut metas: Vec<(String, Vec<String>)> = Vec::new();
    for name in candidates {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        match image_meta(name, from) {
            Ok(m) => metas.push((name.to_string(), m.diff_ids)),
            Err(e) => notes.push(format!("base candidate {name} skipped: {e:#}")),
        }
    }
    let found = base::from_layers(
        &report.metadata.diff_ids,
        metas.iter().map(|(n, d)| (n.as_str(), d.as_slice())),
    );
    if found.is_none() && !metas.is_empty() {
        notes.push(
            "none of the --base-candidates has layers that start this image: base not identified"
                .to_string(),
        );
    }
    found
}

//! The per-image pipeline: every layer of an image analyzed once, from
//! reopenable blobs (files, registries; in parallel) or from one
//! `docker save` stream (the Docker daemon's export; in arrival order),
//! with an optional [`LayerStore`] consulted first.
//!
//! The store is how the layer cache plugs in (`bulkhead-cache` implements
//! it): the pipeline owns the reading, pairing and checking of layers; a
//! store only answers "do you hold this diff_id's analysis" and keeps new
//! ones. Tests and library users can pass their own store (a map, a
//! database shared by workers) or none.

use crate::{ContentScanner, LayerAnalysis, ScanError, ScanOptions};
use bulkhead_analyzers::Analyzer;
use bulkhead_image::daemon::{LayerSource, read_save_stream};
use bulkhead_image::{Image, ImageError, Platform};
use bulkhead_layerfs::{Expect, LayerError};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{self, Read};

/// Stored analyses of layers by `diff_id` (the layer cache). A store is
/// keyed by everything else that changes an analysis (analyzer versions,
/// limits, the content scanner): one store value answers for one set.
pub trait LayerStore: Sync {
    /// Whether the analysis of `diff_id` is stored (cheap; no read).
    fn contains(&self, diff_id: &str) -> bool;
    /// The stored analysis of `diff_id`, when there is a readable one.
    fn get(&self, diff_id: &str) -> Option<LayerAnalysis>;
    /// Keep the analysis of `diff_id`. A store that cannot write says so
    /// in a warning: it must not fail the scan.
    fn put(&self, diff_id: &str, analysis: &LayerAnalysis);
}

/// Which layers came from the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// diff_ids read from the store, in layer order.
    pub hits: Vec<String>,
    /// diff_ids analyzed (and put in the store when there is one).
    pub misses: Vec<String>,
}

/// Errors of the image pipeline.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Scan(#[from] ScanError),
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error("layer {name} of the Docker daemon's export: {source}")]
    Layer {
        name: String,
        #[source]
        source: LayerError,
    },
    #[error("{0}")]
    Mismatch(String),
}

/// [`crate::analyze_image_layers`] with a store: layers it holds are not
/// read at all; the others are analyzed (in parallel) and put in it.
pub fn analyze_image(
    image: &Image,
    analyzers: &[Box<dyn Analyzer>],
    content: Option<&dyn ContentScanner>,
    opts: &ScanOptions,
    store: Option<&dyn LayerStore>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(Vec<LayerAnalysis>, StoreStats), PipelineError> {
    let mut found: Vec<Option<LayerAnalysis>> = image
        .layers
        .iter()
        .map(|l| store.and_then(|s| s.get(&l.diff_id)))
        .collect();
    let mut stats = StoreStats::default();
    let mut missing = image.clone();
    missing
        .layers
        .retain(|l| found.get(l.index).is_some_and(Option::is_none));
    for (l, f) in image.layers.iter().zip(&found) {
        if f.is_some() {
            progress(l.size);
            tracing::info!(layer = l.index, diff_id = %l.diff_id, "layer cache hit");
            stats.hits.push(l.diff_id.clone());
        } else {
            stats.misses.push(l.diff_id.clone());
        }
    }
    if !missing.layers.is_empty() {
        let analyzed = crate::analyze_image_layers(&missing, analyzers, content, opts, progress)?;
        for (layer, a) in missing.layers.iter().zip(analyzed) {
            if let Some(s) = store {
                s.put(&layer.diff_id, &a);
            }
            if let Some(slot) = found.get_mut(layer.index) {
                *slot = Some(a);
            }
        }
    }
    let layers = found
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            a.ok_or_else(|| PipelineError::Mismatch(format!("internal: layer {i} has no analysis")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((layers, stats))
}

enum Member {
    Analyzed(Box<LayerAnalysis>),
    /// Only hashed (its entry was cached): the computed diff_id.
    Hashed(String),
}

fn hash_only(r: &mut dyn Read) -> io::Result<String> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(buf.get(..n).unwrap_or_default());
    }
    Ok(format!("sha256:{}", hex::encode(h.finalize())))
}

/// Scan an image from a `docker save` stream (the Docker daemon's export),
/// reading it once in arrival order: each layer member is analyzed as it
/// arrives (its diff_id computed while streaming) and paired with the config
/// when `manifest.json` and the config have arrived.
///
/// Store use: in the OCI layout of Docker 25+ a layer member is named by its
/// diff_id, so stored layers are only hashed (to check the name), not
/// analyzed. The legacy layout names layers by v1 ids; then layers are only
/// hashed when `expected_diff_ids` (from the daemon's inspect) are all
/// stored, and all analyzed otherwise.
pub fn analyze_docker_stream(
    reader: impl Read,
    platform: Option<&Platform>,
    expected_diff_ids: &[String],
    analyzers: &[Box<dyn Analyzer>],
    content: Option<&dyn ContentScanner>,
    opts: &ScanOptions,
    store: Option<&dyn LayerStore>,
) -> Result<(Image, Vec<LayerAnalysis>, StoreStats), PipelineError> {
    let cached = |d: &str| store.is_some_and(|s| s.contains(d));
    let put = |d: &str, a: &LayerAnalysis| {
        if let Some(s) = store {
            s.put(d, a);
        }
    };
    let all_cached = !expected_diff_ids.is_empty() && expected_diff_ids.iter().all(|d| cached(d));
    let mut members: HashMap<String, Member> = HashMap::new();
    let mut layer_error: Option<(String, LayerError)> = None;
    let saved = read_save_stream(reader, &mut |name, _size, r| {
        let named = name
            .strip_prefix("blobs/sha256/")
            .filter(|h| h.len() == 64)
            .map(|h| format!("sha256:{h}"));
        let only_hash = all_cached || named.as_deref().is_some_and(cached);
        if only_hash {
            let d = hash_only(r).map_err(|e| e.to_string())?;
            members.insert(name.to_string(), Member::Hashed(d));
            return Ok(());
        }
        let expect = Expect {
            digest: named,
            diff_id: None,
        };
        match crate::analyze_layer_reader(r, &expect, analyzers, content, opts) {
            Ok(a) => {
                members.insert(name.to_string(), Member::Analyzed(Box::new(a)));
            }
            // Not fatal yet: a blob that is not a layer (an attestation) may
            // fail to parse; it only matters if the manifest names it.
            Err(e) => {
                tracing::debug!(member = name, error = %e, "member is not a readable layer");
                if layer_error.is_none() {
                    layer_error = Some((name.to_string(), e));
                }
            }
        }
        Ok(())
    })?;
    let (image, sources) = saved.image(platform)?;
    let mut stats = StoreStats::default();
    let mut out = Vec::with_capacity(image.layers.len());
    for (layer, source) in image.layers.iter().zip(&sources) {
        let a = match source {
            LayerSource::Streamed(name) => match members.get(name) {
                Some(Member::Analyzed(a)) => {
                    check_diff(&a.index.diff_id, &layer.diff_id, name)?;
                    put(&layer.diff_id, a);
                    stats.misses.push(layer.diff_id.clone());
                    (**a).clone()
                }
                Some(Member::Hashed(d)) => {
                    // Uncompressed members hash to the diff_id; compressed
                    // ones (OCI layout) to the digest that names them.
                    if layer.digest.as_ref() != Some(d) {
                        check_diff(d, &layer.diff_id, name)?;
                    }
                    let a = store.and_then(|s| s.get(&layer.diff_id)).ok_or_else(|| {
                        PipelineError::Mismatch(format!(
                            "the layer cache entry of {} vanished during the scan (a concurrent `cache clean`?): run the scan again",
                            layer.diff_id
                        ))
                    })?;
                    tracing::info!(layer = layer.index, diff_id = %layer.diff_id, "layer cache hit");
                    stats.hits.push(layer.diff_id.clone());
                    a
                }
                None => {
                    return Err(match layer_error.take() {
                        Some((name, source)) => PipelineError::Layer { name, source },
                        None => PipelineError::Mismatch(format!("layer {name} was not read")),
                    });
                }
            },
            LayerSource::Buffered(name) => {
                let bytes = saved.buffered(name).unwrap_or_default();
                let expect = Expect {
                    digest: None,
                    diff_id: Some(layer.diff_id.clone()),
                };
                let a = crate::analyze_layer_reader(bytes, &expect, analyzers, content, opts)
                    .map_err(|source| PipelineError::Layer {
                        name: name.clone(),
                        source,
                    })?;
                put(&layer.diff_id, &a);
                stats.misses.push(layer.diff_id.clone());
                a
            }
        };
        out.push(a);
    }
    Ok((image, out, stats))
}

fn check_diff(actual: &str, expected: &str, name: &str) -> Result<(), PipelineError> {
    if actual != expected {
        return Err(PipelineError::Mismatch(format!(
            "layer {name} of the Docker daemon's export has diff_id {actual}, but the config says {expected} (the export is corrupt)"
        )));
    }
    Ok(())
}

//! Cached scans: per-layer analysis that consults the [`LayerCache`] first.

use crate::{LayerCache, key};
use bulkhead_analyzers::Analyzer;
use bulkhead_image::daemon::{LayerSource, read_save_stream};
use bulkhead_image::{Image, ImageError, Platform};
use bulkhead_layerfs::{Expect, LayerError};
use bulkhead_scan::{ContentScanner, LayerAnalysis, ScanError, ScanOptions};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{self, Read};

/// Which layers came from the cache.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// diff_ids read from the cache, in layer order.
    pub hits: Vec<String>,
    /// diff_ids analyzed (and written to the cache when one is in use).
    pub misses: Vec<String>,
}

/// The cache and the key parts a scan uses. `cache: None` disables it.
pub struct CachedScan<'a> {
    pub cache: Option<&'a LayerCache>,
    /// [`bulkhead_analyzers::versions_key`] of the analyzers.
    pub versions_key: String,
    /// Everything else that changes results (limits, content scanner key).
    pub options_key: String,
}

impl CachedScan<'_> {
    fn key(&self, diff_id: &str) -> String {
        key(diff_id, &self.versions_key, &self.options_key)
    }

    fn get(&self, diff_id: &str) -> Option<LayerAnalysis> {
        self.cache.and_then(|c| c.get(&self.key(diff_id)))
    }

    fn put(&self, diff_id: &str, a: &LayerAnalysis) {
        if let Some(c) = self.cache
            && let Err(e) = c.put(&self.key(diff_id), a)
        {
            // A cache that cannot be written slows the next run; it must not fail this one.
            tracing::warn!("cannot write the layer cache in {}: {e}", c.dir().display());
        }
    }
}

/// Errors of a cached scan.
#[derive(Debug, thiserror::Error)]
pub enum ScanCacheError {
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

/// [`bulkhead_scan::analyze_image_layers`] with the cache: layers whose
/// entry exists are not read at all; the others are analyzed (in parallel)
/// and stored.
pub fn analyze_image(
    image: &Image,
    analyzers: &[Box<dyn Analyzer>],
    content: Option<&dyn ContentScanner>,
    opts: &ScanOptions,
    cache: &CachedScan<'_>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(Vec<LayerAnalysis>, CacheStats), ScanCacheError> {
    let mut found: Vec<Option<LayerAnalysis>> =
        image.layers.iter().map(|l| cache.get(&l.diff_id)).collect();
    let mut stats = CacheStats::default();
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
        let analyzed =
            bulkhead_scan::analyze_image_layers(&missing, analyzers, content, opts, progress)?;
        for (layer, a) in missing.layers.iter().zip(analyzed) {
            cache.put(&layer.diff_id, &a);
            if let Some(slot) = found.get_mut(layer.index) {
                *slot = Some(a);
            }
        }
    }
    let layers = found
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            a.ok_or_else(|| {
                ScanCacheError::Mismatch(format!("internal: layer {i} has no analysis"))
            })
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
/// Cache use: in the OCI layout of Docker 25+ a layer member is named by its
/// diff_id, so cached layers are only hashed (to check the name), not
/// analyzed. The legacy layout names layers by v1 ids; then layers are only
/// hashed when `expected_diff_ids` (from the daemon's inspect) are all cached,
/// and all analyzed otherwise.
pub fn analyze_docker_stream(
    reader: impl Read,
    platform: Option<&Platform>,
    expected_diff_ids: &[String],
    analyzers: &[Box<dyn Analyzer>],
    content: Option<&dyn ContentScanner>,
    opts: &ScanOptions,
    cache: &CachedScan<'_>,
) -> Result<(Image, Vec<LayerAnalysis>, CacheStats), ScanCacheError> {
    let cached = |d: &str| cache.cache.is_some_and(|c| c.contains(&cache.key(d)));
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
        match bulkhead_scan::analyze_layer_reader(r, &expect, analyzers, content, opts) {
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
    let mut stats = CacheStats::default();
    let mut out = Vec::with_capacity(image.layers.len());
    for (layer, source) in image.layers.iter().zip(&sources) {
        let a = match source {
            LayerSource::Streamed(name) => match members.get(name) {
                Some(Member::Analyzed(a)) => {
                    check_diff(&a.index.diff_id, &layer.diff_id, name)?;
                    cache.put(&layer.diff_id, a);
                    stats.misses.push(layer.diff_id.clone());
                    (**a).clone()
                }
                Some(Member::Hashed(d)) => {
                    // Uncompressed members hash to the diff_id; compressed
                    // ones (OCI layout) to the digest that names them.
                    if layer.digest.as_ref() != Some(d) {
                        check_diff(d, &layer.diff_id, name)?;
                    }
                    let a = cache.get(&layer.diff_id).ok_or_else(|| {
                        ScanCacheError::Mismatch(format!(
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
                        Some((name, source)) => ScanCacheError::Layer { name, source },
                        None => ScanCacheError::Mismatch(format!("layer {name} was not read")),
                    });
                }
            },
            LayerSource::Buffered(name) => {
                let bytes = saved.buffered(name).unwrap_or_default();
                let expect = Expect {
                    digest: None,
                    diff_id: Some(layer.diff_id.clone()),
                };
                let a =
                    bulkhead_scan::analyze_layer_reader(bytes, &expect, analyzers, content, opts)
                        .map_err(|source| ScanCacheError::Layer {
                        name: name.clone(),
                        source,
                    })?;
                cache.put(&layer.diff_id, &a);
                stats.misses.push(layer.diff_id.clone());
                a
            }
        };
        out.push(a);
    }
    Ok((image, out, stats))
}

fn check_diff(actual: &str, expected: &str, name: &str) -> Result<(), ScanCacheError> {
    if actual != expected {
        return Err(ScanCacheError::Mismatch(format!(
            "layer {name} of the Docker daemon's export has diff_id {actual}, but the config says {expected} (the export is corrupt)"
        )));
    }
    Ok(())
}

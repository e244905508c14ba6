//! Images by name: the Docker daemon, then the registry (`sources`), and
//! the layer cache used by every image scan.

use crate::target::{Scanned, scan_options, scanned_image};
use crate::{Progress, ScanRequest};
use anyhow::{Context, Result, bail};
use bulkhead_analyzers::Analyzer;
use bulkhead_cache::{CacheStats, CachedScan, LayerCache};
use bulkhead_image::{Image, ImageError, Reference};
use bulkhead_scan::{ContentScanner, LayerAnalysis, ScanOptions};
use std::sync::atomic::{AtomicU64, Ordering};

fn options_key(opts: &ScanOptions, content: Option<&dyn ContentScanner>) -> Option<String> {
    let content_key = match content {
        None => String::from("none"),
        Some(c) => c.cache_key()?,
    };
    Some(format!("limits={:?};content={content_key}", opts.limits))
}

/// Open the layer cache for a scan, unless disabled (or the content scanner
/// cannot name its configuration, so its findings cannot be cached).
fn open_cache(
    req: &ScanRequest,
    content: Option<&dyn ContentScanner>,
    opts: &ScanOptions,
) -> Option<(LayerCache, String)> {
    if !req.layer_cache {
        return None;
    }
    let Some(key) = options_key(opts, content) else {
        tracing::debug!("layer cache off: the content scanner has no cache key");
        return None;
    };
    match LayerCache::open(&req.cache_dir) {
        Ok(c) => Some((c, key)),
        Err(e) => {
            tracing::warn!("layer cache off: {e}");
            None
        }
    }
}

fn report_stats(stats: &CacheStats) {
    if !stats.hits.is_empty() || !stats.misses.is_empty() {
        tracing::info!(
            "layer cache: {} of {} layers reused",
            stats.hits.len(),
            stats.hits.len() + stats.misses.len()
        );
    }
}

/// Analyze an image's layers through the layer cache.
pub(crate) fn analyze_layers(
    req: &ScanRequest,
    image: &Image,
    analyzers: &[Box<dyn Analyzer>],
    content: Option<&dyn ContentScanner>,
    opts: &ScanOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<LayerAnalysis>> {
    let cache = open_cache(req, content, opts);
    let cached = CachedScan {
        cache: cache.as_ref().map(|(c, _)| c),
        versions_key: bulkhead_analyzers::versions_key(analyzers),
        options_key: cache.as_ref().map(|(_, k)| k.clone()).unwrap_or_default(),
    };
    let (layers, stats) =
        bulkhead_cache::analyze_image(image, analyzers, content, opts, &cached, progress)?;
    report_stats(&stats);
    Ok(layers)
}

/// Scan an image by name: the request's sources, in order.
pub(crate) fn scan_image_name(
    req: &ScanRequest,
    name: &str,
    content: Option<&dyn ContentScanner>,
    progress: &dyn Progress,
) -> Result<Scanned> {
    let mut tried: Vec<String> = Vec::new();
    if req.sources.is_empty() {
        bail!("--image-src is empty: use docker, remote or both");
    }
    for src in &req.sources {
        let attempt = match src.trim() {
            "docker" => scan_from_daemon(req, name, content, progress),
            "remote" => scan_from_registry(req, name, content, progress),
            other => {
                bail!("unknown image source {other:?} in --image-src: use docker and/or remote")
            }
        };
        match attempt {
            Ok(s) => return Ok(s),
            Err(e) => {
                // Not found (or not reachable) here: try the next source, and
                // remember why for the final message. Other errors stop now.
                let next = match e.downcast_ref::<ImageError>() {
                    Some(ImageError::NotFound(m) | ImageError::Unreachable(m)) => Some(m.clone()),
                    _ => None,
                };
                match next {
                    Some(m) => {
                        tracing::info!("{src}: {m}");
                        tried.push(format!("{src}: {m}"));
                    }
                    None => return Err(e),
                }
            }
        }
    }
    let looked: Vec<String> = tried.iter().map(|t| format!("  - {t}")).collect();
    bail!(
        "image {name} was not found. Looked in:\n{}\n(a file path? check it exists; a private registry? run `docker login`)",
        looked.join("\n")
    )
}

fn scan_from_daemon(
    req: &ScanRequest,
    name: &str,
    content: Option<&dyn ContentScanner>,
    progress: &dyn Progress,
) -> Result<Scanned> {
    let info = bulkhead_image::daemon::inspect(name)?;
    let analyzers = bulkhead_analyzers::for_image();
    let opts = scan_options(req);
    let cache = open_cache(req, content, &opts);
    let cached = CachedScan {
        cache: cache.as_ref().map(|(c, _)| c),
        versions_key: bulkhead_analyzers::versions_key(&analyzers),
        options_key: cache.as_ref().map(|(_, k)| k.clone()).unwrap_or_default(),
    };
    progress.start(&format!("reading {name} from the Docker daemon"), None);
    let reader = bulkhead_image::daemon::export(name)?;
    let (mut image, layers, stats) = bulkhead_cache::analyze_docker_stream(
        reader,
        req.platform.as_ref(),
        &info.diff_ids,
        &analyzers,
        content,
        &opts,
        &cached,
    )
    .with_context(|| format!("cannot read image {name} from the Docker daemon"))?;
    progress.finish();
    report_stats(&stats);
    if image.repo_tags.is_empty() {
        image.repo_tags = info.repo_tags;
    }
    image.repo_digests = info.repo_digests;
    Ok(scanned_image(image, layers, name))
}

fn scan_from_registry(
    req: &ScanRequest,
    name: &str,
    content: Option<&dyn ContentScanner>,
    progress: &dyn Progress,
) -> Result<Scanned> {
    let reference = Reference::parse(name).map_err(anyhow::Error::msg)?;
    progress.start(&format!("fetching {reference}"), None);
    let image =
        bulkhead_image::registry::pull(&reference, req.platform.as_ref(), req.registry.clone())?;
    progress.finish();
    let analyzers = bulkhead_analyzers::for_image();
    let total: u64 = image.layers.iter().map(|l| l.size).sum();
    progress.start("downloading layers", Some(total));
    let done = AtomicU64::new(0);
    let tick = |n: u64| {
        let sofar = done.fetch_add(n, Ordering::Relaxed) + n;
        progress.position(sofar);
    };
    let sopts = scan_options(req);
    let layers = analyze_layers(req, &image, &analyzers, content, &sopts, &tick)
        .with_context(|| format!("cannot read image {reference}"))?;
    progress.finish();
    Ok(scanned_image(image, layers, &reference.familiar()))
}

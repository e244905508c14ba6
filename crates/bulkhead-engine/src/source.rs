//! Images by name: the Docker daemon, then the registry (`sources`), and
//! the layer cache used by every image scan.

use crate::error::{Context, Result};
use crate::target::{Scanned, scan_options, scanned_image};
use crate::{Progress, ScanRequest};
use bulkhead_analyzers::Analyzer;
use bulkhead_cache::LayerCache;
use bulkhead_image::source::{Opened, open_first};
use bulkhead_image::{Image, Reference};
use bulkhead_scan::{ContentScanner, LayerAnalysis, LayerStore, ScanOptions, StoreStats};
use std::sync::atomic::{AtomicU64, Ordering};

fn options_key(opts: &ScanOptions, content: Option<&dyn ContentScanner>) -> Option<String> {
    let content_key = match content {
        None => String::from("none"),
        Some(c) => c.cache_key()?,
    };
    Some(format!("limits={:?};content={content_key}", opts.limits))
}

/// The pipeline's store for a scan: the request's shared store when it has
/// one, else the layer cache unless disabled; none when the content scanner
/// cannot name its configuration (its findings cannot be stored).
fn open_store<'a>(
    req: &'a ScanRequest,
    analyzers: &[Box<dyn Analyzer>],
    content: Option<&dyn ContentScanner>,
    opts: &ScanOptions,
) -> Option<Box<dyn LayerStore + 'a>> {
    if !req.layer_cache && req.shared_layers.is_none() {
        return None;
    }
    let Some(key) = options_key(opts, content) else {
        tracing::debug!("layer cache off: the content scanner has no cache key");
        return None;
    };
    let versions = bulkhead_analyzers::versions_key(analyzers);
    if let Some(shared) = &req.shared_layers {
        return Some(shared.store(&versions, &key));
    }
    match LayerCache::open(&req.cache_dir) {
        Ok(c) => Some(Box::new(c.store(&versions, &key))),
        Err(e) => {
            tracing::warn!("layer cache off: {e}");
            None
        }
    }
}

fn report_stats(stats: &StoreStats, progress: &dyn Progress) {
    progress.layer_cache(stats.hits.len(), stats.hits.len() + stats.misses.len());
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
    tick: &(dyn Fn(u64) + Sync),
    progress: &dyn Progress,
) -> Result<Vec<LayerAnalysis>> {
    let store = open_store(req, analyzers, content, opts);
    let (layers, stats) = bulkhead_scan::pipeline::analyze_image(
        image,
        analyzers,
        content,
        opts,
        store.as_deref(),
        tick,
    )?;
    report_stats(&stats, progress);
    Ok(layers)
}

/// Scan an image by name: the request's sources, tried in order by
/// [`bulkhead_image::source::open_first`].
pub(crate) fn scan_image_name(
    req: &ScanRequest,
    name: &str,
    content: Option<&dyn ContentScanner>,
    progress: &dyn Progress,
) -> Result<Scanned> {
    let chain = bulkhead_image::source::sources(&req.sources, &req.registry)?;
    let mut started = false;
    let (opened, _) = open_first(&chain, name, req.platform.as_ref(), &mut |src| {
        if started {
            progress.finish();
        }
        progress.start(&src.describe(name), None);
        started = true;
    })
    .inspect_err(|_| {
        if started {
            progress.finish();
        }
    })?;
    match opened {
        Opened::DockerExport { stream, inspect } => {
            scan_docker_export(req, name, stream, inspect, content, progress)
        }
        Opened::Blobs(image) => {
            progress.finish();
            scan_blobs(req, image, name, content, progress)
        }
    }
}

/// The daemon's export, read once as it streams (the progress line of
/// [`scan_image_name`] stays up until it is read).
fn scan_docker_export(
    req: &ScanRequest,
    name: &str,
    stream: Box<dyn std::io::Read + Send>,
    info: bulkhead_image::daemon::DaemonImage,
    content: Option<&dyn ContentScanner>,
    progress: &dyn Progress,
) -> Result<Scanned> {
    let analyzers = bulkhead_analyzers::for_image();
    let opts = scan_options(req);
    let store = open_store(req, &analyzers, content, &opts);
    let (mut image, layers, stats) = bulkhead_scan::pipeline::analyze_docker_stream(
        stream,
        req.platform.as_ref(),
        &info.diff_ids,
        &analyzers,
        content,
        &opts,
        store.as_deref(),
    )
    .with_context(|| format!("cannot read image {name} from the Docker daemon"))?;
    progress.finish();
    report_stats(&stats, progress);
    if image.repo_tags.is_empty() {
        image.repo_tags = info.repo_tags;
    }
    image.repo_digests = info.repo_digests;
    Ok(scanned_image(image, layers, name))
}

/// An image whose layers are blobs (a registry), read in parallel.
fn scan_blobs(
    req: &ScanRequest,
    image: Image,
    name: &str,
    content: Option<&dyn ContentScanner>,
    progress: &dyn Progress,
) -> Result<Scanned> {
    let shown = Reference::parse(name).map_or_else(|_| name.to_string(), |r| r.familiar());
    let analyzers = bulkhead_analyzers::for_image();
    let total: u64 = image.layers.iter().map(|l| l.size).sum();
    progress.start("downloading layers", Some(total));
    let done = AtomicU64::new(0);
    let tick = |n: u64| {
        let sofar = done.fetch_add(n, Ordering::Relaxed) + n;
        progress.position(sofar);
    };
    let sopts = scan_options(req);
    let layers = analyze_layers(req, &image, &analyzers, content, &sopts, &tick, progress)
        .with_context(|| format!("cannot read image {shown}"))?;
    progress.finish();
    Ok(scanned_image(image, layers, &shown))
}

//! Images by name: the Docker daemon, then the registry (`--image-src`), and
//! the layer cache used by every image scan.

use super::image::{Scanned, TargetArgs, scanned_image};
use crate::args::GlobalArgs;
use crate::progress;
use anyhow::{Context, Result, bail};
use bulkhead_analyzers::Analyzer;
use bulkhead_cache::{CacheStats, CachedScan, LayerCache};
use bulkhead_image::registry::RegistryOptions;
use bulkhead_image::{Image, ImageError, Platform, Reference};
use bulkhead_scan::{ContentScanner, LayerAnalysis, ScanOptions};
use clap::Args;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Flags for images read by name, and the layer cache.
#[derive(Debug, Args, Clone, Default)]
pub struct SourceArgs {
    /// Where to look for an image given by name, in order (comma-separated):
    /// `docker` (the local Docker daemon) and `remote` (its registry).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "docker,remote",
        value_name = "SRC,..."
    )]
    pub image_src: Vec<String>,
    /// Allow plain HTTP and unverified TLS for the image's registry
    /// (registries on localhost may always use plain HTTP).
    #[arg(long)]
    pub insecure: bool,
    /// Give up on the registry after this long (e.g. 90s, 10m, 1h).
    #[arg(long, value_name = "DURATION", default_value = "10m")]
    pub timeout: String,
    /// Do not read or write the layer cache (<cache-dir>/layers). A cached
    /// layer is not read again, so a blob corrupted after its first scan is
    /// only noticed with this flag.
    #[arg(long, env = "BULKHEAD_NO_CACHE", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_cache: bool,
}

pub fn parse_duration(s: &str) -> Result<Duration> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num
        .parse()
        .with_context(|| format!("bad duration {s:?}: use e.g. 90s, 10m or 1h"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        _ => bail!("bad duration {s:?}: use e.g. 90s, 10m or 1h"),
    };
    if secs == 0 {
        bail!("the timeout must be more than zero");
    }
    Ok(Duration::from_secs(secs))
}

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
    global: &GlobalArgs,
    args: &TargetArgs,
    content: Option<&dyn ContentScanner>,
    opts: &ScanOptions,
) -> Option<(LayerCache, String)> {
    if args.source.no_cache {
        return None;
    }
    let Some(key) = options_key(opts, content) else {
        tracing::debug!("layer cache off: the content scanner has no cache key");
        return None;
    };
    let root = super::db::cache_dir(global);
    match LayerCache::open(&root) {
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
pub fn analyze_layers(
    global: &GlobalArgs,
    args: &TargetArgs,
    image: &Image,
    analyzers: &[Box<dyn Analyzer>],
    content: Option<&dyn ContentScanner>,
    opts: &ScanOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<LayerAnalysis>> {
    let cache = open_cache(global, args, content, opts);
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

fn platform(args: &TargetArgs) -> Result<Option<Platform>> {
    match &args.platform {
        Some(p) => Ok(Some(Platform::parse(p).map_err(anyhow::Error::msg)?)),
        None => Ok(None),
    }
}

fn scan_opts(args: &TargetArgs) -> Result<ScanOptions> {
    super::image::scan_options(args)
}

/// Scan an image by name: the sources of `--image-src`, in order.
pub fn scan_image_name(
    global: &GlobalArgs,
    name: &str,
    args: &TargetArgs,
    content: Option<&dyn ContentScanner>,
) -> Result<Scanned> {
    let mut tried: Vec<String> = Vec::new();
    if args.source.image_src.is_empty() {
        bail!("--image-src is empty: use docker, remote or both");
    }
    for src in &args.source.image_src {
        let attempt = match src.trim() {
            "docker" => scan_from_daemon(global, name, args, content),
            "remote" => scan_from_registry(global, name, args, content),
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
    global: &GlobalArgs,
    name: &str,
    args: &TargetArgs,
    content: Option<&dyn ContentScanner>,
) -> Result<Scanned> {
    let info = bulkhead_image::daemon::inspect(name)?;
    let analyzers = bulkhead_analyzers::for_image();
    let opts = scan_opts(args)?;
    let cache = open_cache(global, args, content, &opts);
    let cached = CachedScan {
        cache: cache.as_ref().map(|(c, _)| c),
        versions_key: bulkhead_analyzers::versions_key(&analyzers),
        options_key: cache.as_ref().map(|(_, k)| k.clone()).unwrap_or_default(),
    };
    let spinner = progress::spinner(
        global.quiet,
        &format!("reading {name} from the Docker daemon"),
    );
    let reader = bulkhead_image::daemon::export(name)?;
    let (mut image, layers, stats) = bulkhead_cache::analyze_docker_stream(
        reader,
        platform(args)?.as_ref(),
        &info.diff_ids,
        &analyzers,
        content,
        &opts,
        &cached,
    )
    .with_context(|| format!("cannot read image {name} from the Docker daemon"))?;
    spinner.finish_and_clear();
    report_stats(&stats);
    if image.repo_tags.is_empty() {
        image.repo_tags = info.repo_tags;
    }
    image.repo_digests = info.repo_digests;
    Ok(scanned_image(image, layers, name))
}

fn scan_from_registry(
    global: &GlobalArgs,
    name: &str,
    args: &TargetArgs,
    content: Option<&dyn ContentScanner>,
) -> Result<Scanned> {
    let reference = Reference::parse(name).map_err(anyhow::Error::msg)?;
    let opts = RegistryOptions {
        insecure: args.source.insecure,
        timeout: parse_duration(&args.source.timeout)?,
        ..RegistryOptions::default()
    };
    let spinner = progress::spinner(global.quiet, &format!("fetching {reference}"));
    let image = bulkhead_image::registry::pull(&reference, platform(args)?.as_ref(), opts)?;
    spinner.finish_and_clear();
    let analyzers = bulkhead_analyzers::for_image();
    let total: u64 = image.layers.iter().map(|l| l.size).sum();
    let bar = progress::bytes_bar(global.quiet, total, "downloading layers");
    let done = AtomicU64::new(0);
    let tick = |n: u64| {
        let sofar = done.fetch_add(n, Ordering::Relaxed) + n;
        bar.set_position(sofar);
    };
    let sopts = scan_opts(args)?;
    let layers = analyze_layers(global, args, &image, &analyzers, content, &sopts, &tick)
        .with_context(|| format!("cannot read image {reference}"))?;
    bar.finish_and_clear();
    Ok(scanned_image(image, layers, &reference.familiar()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("5d").is_err());
        assert!(parse_duration("").is_err());
    }
}

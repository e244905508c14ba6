//! Orchestration of a scan: an image (or a root filesystem) goes in, an
//! [`Inventory`] comes out.
//!
//! Each layer is streamed once ([`bulkhead_layerfs::walk_layer`]), layers in
//! parallel (rayon); files the analyzers ask for are captured and analyzed
//! as they stream, giving one [`LayerAnalysis`] per layer that depends on
//! nothing but the layer's bytes (so it can be cached by `diff_id`). The
//! layer results are then squashed: the final filesystem view, the OS, and
//! each package database with the layer that introduced every package.
//!
//! An optional [`ContentScanner`] (the secret scanner) rides the same pass:
//! it sees every regular file it asks for in every layer, including files a
//! later layer deletes or replaces (they still ship in the layer blob), and
//! its findings are stored per layer in [`LayerAnalysis::secrets`].
//!
//! **Invariant**: nothing is extracted to disk and nothing from the image is
//! executed; only analyzer-requested files are held, each capped.

mod inventory;

pub use inventory::{Inventory, PackageSet, build_inventory};

use bulkhead_analyzers::{Analyzer, FileAnalysis};
use bulkhead_image::Image;
use bulkhead_layerfs::{Entry, Expect, LayerIndex, Limits, capture};
use bulkhead_types::Secret;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::Path;

/// What the analyzers found in one layer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LayerAnalysis {
    /// Every entry, whiteout and opaque dir of the layer.
    pub index: LayerIndex,
    /// Analyzer results by path.
    pub files: BTreeMap<String, Vec<FileAnalysis>>,
    /// Analyzer complaints (malformed databases, …).
    pub warnings: Vec<String>,
    /// Findings of the content scanner by path (already redacted: never a
    /// raw secret, so this may be cached). Empty without a content scanner.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub secrets: BTreeMap<String, Vec<Secret>>,
}

/// A scanner that reads file content during the streaming pass (the secret
/// scanner). It must be cheap to call from several threads at once.
///
/// For each regular file: [`wants`](Self::wants) decides from the entry
/// alone (path, size); then, when the file is not already captured for an
/// analyzer, the first [`sniff_len`](Self::sniff_len) bytes are read and
/// [`accepts`](Self::accepts) may refuse them (binary content), so binaries
/// are never read whole; finally [`scan`](Self::scan) gets the content.
pub trait ContentScanner: Send + Sync {
    /// Whether to look at this file at all.
    fn wants(&self, entry: &Entry) -> bool;
    /// How many leading bytes [`accepts`](Self::accepts) needs.
    fn sniff_len(&self) -> usize {
        0
    }
    /// Whether to read the rest after seeing the head (e.g. not binary).
    fn accepts(&self, _head: &[u8]) -> bool {
        true
    }
    /// Scan the whole content; findings must be redacted.
    fn scan(&self, entry: &Entry, content: &[u8]) -> Vec<Secret>;
    /// A key naming everything that changes this scanner's findings (rule
    /// set version, configuration). The layer cache stores per-layer
    /// findings under it; `None` (the default) means "do not cache layers
    /// scanned with me".
    fn cache_key(&self) -> Option<String> {
        None
    }
}

/// Errors of a scan.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("layer {index} ({diff_id}): {source}")]
    Layer {
        index: usize,
        diff_id: String,
        #[source]
        source: bulkhead_layerfs::LayerError,
    },
    #[error("cannot open layer {index} ({diff_id}): {source}")]
    Open {
        index: usize,
        diff_id: String,
        #[source]
        source: io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Dir {
        path: String,
        #[source]
        source: bulkhead_layerfs::LayerError,
    },
}

/// Options of a scan.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    pub limits: Limits,
}

/// Counts bytes read from a blob for progress reporting.
struct Counting<'a, R> {
    inner: R,
    progress: &'a (dyn Fn(u64) + Sync),
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.progress)(n as u64);
        Ok(n)
    }
}

fn analyze_stream(
    analyzers: &[Box<dyn Analyzer>],
    content: Option<&dyn ContentScanner>,
    limits: &Limits,
    walk: impl FnOnce(
        &dyn Fn(&Entry) -> bool,
        &mut dyn FnMut(&Entry, &mut dyn Read) -> io::Result<()>,
    ) -> Result<LayerIndex, bulkhead_layerfs::LayerError>,
) -> Result<LayerAnalysis, bulkhead_layerfs::LayerError> {
    let mut files: BTreeMap<String, Vec<FileAnalysis>> = BTreeMap::new();
    let mut warnings = Vec::new();
    let mut secrets: BTreeMap<String, Vec<Secret>> = BTreeMap::new();
    let required = |a: &dyn Analyzer, e: &Entry| a.required_file(&e.path, e.size, e.mode);
    let analyzed = |e: &Entry| analyzers.iter().any(|a| required(a.as_ref(), e));
    let scanned = |e: &Entry| content.is_some_and(|c| c.wants(e));
    let wants = |e: &Entry| analyzed(e) || scanned(e);
    let mut on_file = |e: &Entry, r: &mut dyn Read| -> io::Result<()> {
        // Content-sniffing analyzers (binaries by ELF magic) see the head
        // first, so files with the wrong magic are never read whole.
        let mut chosen: Vec<&dyn Analyzer> = analyzers
            .iter()
            .map(AsRef::as_ref)
            .filter(|a| required(*a, e))
            .collect();
        let sniff = chosen.iter().map(|a| a.sniff_len()).max().unwrap_or(0);
        let mut head = Vec::new();
        if sniff > 0 {
            r.take(u64::try_from(sniff).unwrap_or(u64::MAX))
                .read_to_end(&mut head)?;
            chosen.retain(|a| {
                a.sniff_len() == 0 || a.accepts(head.get(..a.sniff_len()).unwrap_or(&head))
            });
        }
        let mut r = io::Cursor::new(head).chain(r);
        let scan_content = content.filter(|c| c.wants(e));
        if chosen.is_empty() {
            // Only the content scanner wants it: sniff the head first so
            // binaries are skipped without reading them whole.
            let Some(c) = scan_content else { return Ok(()) };
            let cap = e.size.min(limits.max_capture);
            let mut head = Vec::new();
            let sniff = u64::try_from(c.sniff_len()).unwrap_or(u64::MAX).min(cap);
            (&mut r).take(sniff).read_to_end(&mut head)?;
            if !c.accepts(&head) {
                return Ok(());
            }
            r.take(cap.saturating_sub(head.len() as u64))
                .read_to_end(&mut head)?;
            let found = c.scan(e, &head);
            if !found.is_empty() {
                secrets.entry(e.path.clone()).or_default().extend(found);
            }
            return Ok(());
        }
        // Analyzers that need only a prefix (METADATA headers) bound the read.
        let read_limit = if scan_content.is_some() {
            u64::MAX
        } else {
            chosen
                .iter()
                .map(|a| a.read_limit())
                .max()
                .unwrap_or(u64::MAX)
        };
        let mut bounded = e.clone();
        if e.size > read_limit {
            bounded.size = read_limit;
            warnings.push(format!(
                "{}: {} bytes, only the first {read_limit} read",
                e.path, e.size
            ));
        }
        let captured = capture(&bounded, &mut r.take(read_limit), limits)?;
        if captured.truncated {
            warnings.push(format!(
                "{}: larger than the capture limit, read in part",
                e.path
            ));
        }
        let bytes = captured.bytes()?;
        for a in chosen {
            match a.analyze(&e.path, &bytes) {
                Ok(Some(found)) => files.entry(e.path.clone()).or_default().push(found),
                Ok(None) => {}
                Err(err) => warnings.push(format!("{}: {err}", a.name())),
            }
        }
        if let Some(c) = scan_content {
            let head = bytes.get(..c.sniff_len()).unwrap_or(&bytes);
            if c.accepts(head) {
                let found = c.scan(e, &bytes);
                if !found.is_empty() {
                    secrets.entry(e.path.clone()).or_default().extend(found);
                }
            }
        }
        Ok(())
    };
    let index = walk(&wants, &mut on_file)?;
    Ok(LayerAnalysis {
        index,
        files,
        warnings,
        secrets,
    })
}

/// Analyze every layer of an image, in parallel. `content` (optional) reads
/// every file it wants in every layer during the same pass. `progress`
/// receives counts of stored bytes read.
pub fn analyze_image_layers(
    image: &Image,
    analyzers: &[Box<dyn Analyzer>],
    content: Option<&dyn ContentScanner>,
    opts: &ScanOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<LayerAnalysis>, ScanError> {
    image
        .layers
        .par_iter()
        .map(|layer| {
            let reader = layer.blob.open().map_err(|source| ScanError::Open {
                index: layer.index,
                diff_id: layer.diff_id.clone(),
                source,
            })?;
            let reader = Counting {
                inner: reader,
                progress,
            };
            let expect = Expect {
                digest: layer.digest.clone(),
                diff_id: Some(layer.diff_id.clone()),
            };
            analyze_stream(analyzers, content, &opts.limits, |wants, on_file| {
                bulkhead_layerfs::walk_layer(reader, &expect, &opts.limits, wants, on_file)
            })
            .map_err(|source| ScanError::Layer {
                index: layer.index,
                diff_id: layer.diff_id.clone(),
                source,
            })
        })
        .collect()
}

/// Analyze one layer read from a stream, for sources that deliver layers
/// one after another in their own order (the Docker daemon's export) rather
/// than as reopenable blobs. `expect` carries what is known beforehand
/// (often nothing: the result's `index.diff_id` and `index.digest` are then
/// computed while streaming, and the caller pairs layers with the image
/// config by `diff_id` once it has the config).
pub fn analyze_layer_reader(
    reader: impl Read,
    expect: &Expect,
    analyzers: &[Box<dyn Analyzer>],
    content: Option<&dyn ContentScanner>,
    opts: &ScanOptions,
) -> Result<LayerAnalysis, bulkhead_layerfs::LayerError> {
    analyze_stream(analyzers, content, &opts.limits, |wants, on_file| {
        bulkhead_layerfs::walk_layer(reader, expect, &opts.limits, wants, on_file)
    })
}

/// Analyze a root filesystem directory as a single layer (`content`: see
/// [`analyze_image_layers`]).
pub fn analyze_dir(
    dir: &Path,
    analyzers: &[Box<dyn Analyzer>],
    content: Option<&dyn ContentScanner>,
    opts: &ScanOptions,
) -> Result<LayerAnalysis, ScanError> {
    analyze_stream(analyzers, content, &opts.limits, |wants, on_file| {
        bulkhead_layerfs::walk_dir(dir, &opts.limits, wants, on_file)
    })
    .map_err(|source| ScanError::Dir {
        path: dir.display().to_string(),
        source,
    })
}

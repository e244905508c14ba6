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
pub mod pipeline;

pub use bulkhead_types::layer::{ContentScanner, LayerAnalysis};
pub use inventory::{Inventory, PackageSet, build_inventory};
pub use pipeline::{LayerStore, PipelineError, StoreStats};

use bulkhead_analyzers::{Analyzer, FileAnalysis};
use bulkhead_image::Image;
use bulkhead_layerfs::{Captured, CapturedData, Entry, Expect, LayerIndex, Limits, capture};
use bulkhead_types::Secret;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::Path;

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

/// Most files one layer (or folder) hands to the analyzers; the rest are
/// not analyzed, with one warning. A large image has a few tens of
/// thousands (every `node_modules/**/package.json`, every executable).
pub const MAX_ANALYZED_FILES: usize = 200_000;
/// Most packages kept from one layer (or folder), all its databases and
/// manifests together; one database keeps at most
/// [`bulkhead_analyzers::MAX_PACKAGES`].
pub const MAX_LAYER_PACKAGES: usize = bulkhead_analyzers::MAX_PACKAGES;
/// Most analyzer warnings kept per layer; one last line counts the rest.
pub const MAX_WARNINGS: usize = 100;

/// Analyzer results of one layer under construction, with its budgets.
#[derive(Default)]
struct Found {
    files: BTreeMap<String, Vec<FileAnalysis>>,
    warnings: Vec<String>,
    more_warnings: usize,
    analyzed_files: usize,
    skipped_files: usize,
    packages: usize,
    packages_dropped: usize,
}

impl Found {
    fn warn(&mut self, w: String) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(w);
        } else {
            self.more_warnings += 1;
        }
    }

    /// Keeps one analyzer result within the package caps.
    fn add(&mut self, path: &str, mut found: FileAnalysis) {
        if let FileAnalysis::Packages { packages, .. } = &mut found {
            let cap = bulkhead_analyzers::MAX_PACKAGES;
            if packages.len() > cap {
                packages.truncate(cap);
                self.warn(format!(
                    "{path}: more than {cap} packages; only the first {cap} are kept (a hostile or broken database?)"
                ));
            }
            let room = MAX_LAYER_PACKAGES.saturating_sub(self.packages);
            if packages.len() > room {
                self.packages_dropped += packages.len() - room;
                packages.truncate(room);
            }
            self.packages += packages.len();
        }
        self.files.entry(path.to_string()).or_default().push(found);
    }

    fn finish(mut self) -> (BTreeMap<String, Vec<FileAnalysis>>, Vec<String>) {
        if self.packages_dropped > 0 {
            self.warnings.push(format!(
                "more than {MAX_LAYER_PACKAGES} packages in one layer: {} more were not kept",
                self.packages_dropped
            ));
        }
        if self.skipped_files > 0 {
            self.warnings.push(format!(
                "more than {MAX_ANALYZED_FILES} package files in one layer: {} more were not analyzed",
                self.skipped_files
            ));
        }
        if self.more_warnings > 0 {
            self.warnings.push(format!(
                "… and {} more analyzer warnings",
                self.more_warnings
            ));
        }
        (self.files, self.warnings)
    }
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
    let mut found = Found::default();
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
        if !chosen.is_empty() {
            if found.analyzed_files >= MAX_ANALYZED_FILES {
                found.skipped_files += 1;
                chosen.clear();
            } else {
                found.analyzed_files += 1;
            }
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
            found.warn(format!(
                "{}: {} bytes, only the first {read_limit} read",
                e.path, e.size
            ));
        }
        let captured = capture(&bounded, &mut r.take(read_limit), limits)?;
        if captured.truncated {
            found.warn(format!(
                "{}: larger than the capture limit, read in part",
                e.path
            ));
        }
        // Archives are read through a seekable reader over the capture, so
        // a large one is never loaded whole.
        let needs_bytes = scan_content.is_some() || chosen.iter().any(|a| !a.seekable());
        let bytes = if needs_bytes {
            captured.bytes()?
        } else {
            std::borrow::Cow::Borrowed(&[][..])
        };
        for a in chosen {
            let result = if a.seekable() {
                let mut reader = seekable(&captured)?;
                a.analyze_reader(&e.path, &mut reader)
            } else {
                a.analyze(&e.path, &bytes)
            };
            match result {
                Ok(Some(result)) => found.add(&e.path, result),
                Ok(None) => {}
                Err(err) => found.warn(format!("{}: {err}", a.name())),
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
    let (files, warnings) = found.finish();
    Ok(LayerAnalysis {
        index,
        files,
        warnings,
        secrets,
    })
}

/// A seekable reader over a captured file (in memory or spilled).
fn seekable(c: &Captured) -> io::Result<Box<dyn bulkhead_analyzers::ReadSeek + '_>> {
    Ok(match &c.data {
        CapturedData::Memory(v) => Box::new(io::Cursor::new(v.as_slice())),
        CapturedData::Spilled(f) => Box::new(io::BufReader::new(f.reopen()?)),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn status(n: usize) -> String {
        let mut s = String::new();
        for i in 0..n {
            s.push_str(&format!(
                "Package: p{i}\nStatus: install ok installed\nVersion: 1\n\n"
            ));
        }
        s
    }

    #[test]
    fn package_caps_keep_a_partial_result_and_warn() {
        let cap = bulkhead_analyzers::MAX_PACKAGES;
        let d = tempfile::tempdir().unwrap();
        let dpkg = d.path().join("var/lib/dpkg");
        std::fs::create_dir_all(dpkg.join("status.d")).unwrap();
        std::fs::write(dpkg.join("status"), status(cap + 5)).unwrap();
        std::fs::write(dpkg.join("status.d/extra"), status(10)).unwrap();
        std::fs::create_dir_all(d.path().join("etc")).unwrap();
        std::os::unix::fs::symlink("os-release", d.path().join("etc/os-release")).unwrap();
        let layer = analyze_dir(
            d.path(),
            &bulkhead_analyzers::all(),
            None,
            &ScanOptions::default(),
        )
        .unwrap();
        let count = |p: &str| match layer.files.get(p).and_then(|v| v.first()) {
            Some(FileAnalysis::Packages { packages, .. }) => packages.len(),
            other => panic!("{p}: {other:?}"),
        };
        assert_eq!(count("var/lib/dpkg/status"), cap);
        // the layer's budget is spent: the next database keeps nothing
        assert_eq!(count("var/lib/dpkg/status.d/extra"), 0);
        let w = layer.warnings.join("\n");
        assert!(
            w.contains(&format!("var/lib/dpkg/status: more than {cap} packages")),
            "{w}"
        );
        assert!(w.contains("10 more were not kept"), "{w}");
        let inv = build_inventory(std::slice::from_ref(&layer), &[]);
        assert!(
            inv.warnings
                .iter()
                .any(|w| w.starts_with("etc/os-release is a symlink that does not resolve")),
            "{:?}",
            inv.warnings
        );
        assert!(inv.os.is_none());
    }
}

//! Reading a target into an inventory and a report skeleton: image files,
//! root filesystem directories, and (through `source`) images by name.

use crate::error::{Context, Result, bail};
use crate::{Progress, ScanRequest, Target};
use bulkhead_image::Image;
use bulkhead_scan::{ContentScanner, Inventory, LayerAnalysis, ScanOptions};
use bulkhead_types::{ArtifactType, Class, ImageMetadata, Report, ScanResult};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

impl Target {
    /// The target of `sbom`/`image`/`fs`: a positional target (an existing
    /// folder is a root filesystem, an existing file an image file, anything
    /// else an image name) or an image file given as `--input`.
    pub fn resolve(target: Option<&str>, input: Option<&Path>) -> Result<Target> {
        Ok(match (target, input) {
            (Some(_), Some(_)) => bail!("give either a target or --input, not both"),
            (None, Some(path)) => Target::File(path.to_path_buf()),
            (Some(t), None) if Path::new(t).is_dir() => Target::Dir(PathBuf::from(t)),
            (Some(t), None) if Path::new(t).is_file() => Target::File(PathBuf::from(t)),
            (Some(t), None) => Target::Name(t.to_string()),
            (None, None) => {
                bail!(
                    "nothing to scan: name a root filesystem directory or pass --input IMAGE_FILE"
                )
            }
        })
    }

    /// A candidate base image of `--recommend`: a folder holding an image
    /// (OCI layout or `docker save` layout) is an image file, anything else
    /// as [`Target::resolve`] reads a positional target.
    pub fn candidate(name: &str) -> Result<Target> {
        let p = Path::new(name);
        if p.is_dir() && (p.join("index.json").is_file() || p.join("manifest.json").is_file()) {
            Ok(Target::File(p.to_path_buf()))
        } else {
            Target::resolve(Some(name), None)
        }
    }
}

/// A read target: its report skeleton and inventory.
pub struct Scanned {
    pub report: Report,
    pub inventory: Inventory,
    /// The image, for the image-config and secret scanners (None for a directory).
    pub image: Option<Image>,
    /// Per-layer analyses (one for a directory): they hold the content
    /// scanner's findings.
    pub layers: Vec<LayerAnalysis>,
}

pub(crate) fn scan_options(req: &ScanRequest) -> ScanOptions {
    ScanOptions {
        limits: req.limits.clone(),
    }
}

/// Read the request's target into an inventory, with `content` (e.g. the
/// secret scanner) run in the same pass over the files. No scanner runs.
pub fn read_target(
    req: &ScanRequest,
    content: Option<&dyn ContentScanner>,
    progress: &dyn Progress,
) -> Result<Scanned> {
    match &req.target {
        Target::File(path) => scan_image_file(req, path, content, progress),
        Target::Dir(dir) => scan_dir(req, dir, content, progress),
        Target::Name(name) => crate::source::scan_image_name(req, name, content, progress),
    }
}

/// Read an image file into an inventory.
fn scan_image_file(
    req: &ScanRequest,
    path: &Path,
    content: Option<&dyn ContentScanner>,
    progress: &dyn Progress,
) -> Result<Scanned> {
    let image = bulkhead_image::open_input(path, req.platform.as_ref())
        .with_context(|| format!("cannot read image {}", path.display()))?;
    // Project lockfiles are read by `fs`/`sbom DIR` only (Trivy's rule).
    let analyzers = bulkhead_analyzers::for_image();
    let total: u64 = image.layers.iter().map(|l| l.size).sum();
    progress.start("reading layers", Some(total));
    let done = AtomicU64::new(0);
    let tick = |n: u64| {
        let sofar = done.fetch_add(n, Ordering::Relaxed) + n;
        progress.position(sofar);
    };
    let layers = crate::source::analyze_layers(
        req,
        &image,
        &analyzers,
        content,
        &scan_options(req),
        &tick,
        progress,
    )
    .with_context(|| format!("cannot read image {}", path.display()))?;
    progress.finish();
    Ok(scanned_image(image, layers, &path.display().to_string()))
}

/// The report skeleton and inventory of an analyzed image (`fallback_name`
/// names it when it has no tag).
pub(crate) fn scanned_image(
    image: Image,
    layers: Vec<LayerAnalysis>,
    fallback_name: &str,
) -> Scanned {
    let inventory = bulkhead_scan::build_inventory(&layers, &image.layer_refs());
    let name = image
        .repo_tags
        .first()
        .cloned()
        .unwrap_or_else(|| fallback_name.to_string());
    let mut report = Report::new(name, ArtifactType::ContainerImage);
    report.metadata = ImageMetadata {
        os: inventory.os.clone(),
        image_id: image.id.clone(),
        diff_ids: image.diff_ids.clone(),
        repo_tags: image.repo_tags.clone(),
        repo_digests: image.repo_digests.clone(),
        image_config: Some(image.config.clone()),
        layers: image.layer_refs(),
    };
    Scanned {
        report,
        inventory,
        image: Some(image),
        layers,
    }
}

/// Read a root filesystem directory into an inventory.
fn scan_dir(
    req: &ScanRequest,
    dir: &Path,
    content: Option<&dyn ContentScanner>,
    progress: &dyn Progress,
) -> Result<Scanned> {
    if !dir.is_dir() {
        bail!("{} is not a directory", dir.display());
    }
    let analyzers = bulkhead_analyzers::all();
    progress.start(&format!("reading {}", dir.display()), None);
    let layer = bulkhead_scan::analyze_dir(dir, &analyzers, content, &scan_options(req))?;
    progress.finish();
    let inventory = bulkhead_scan::build_inventory(std::slice::from_ref(&layer), &[]);
    let mut report = Report::new(dir.display().to_string(), ArtifactType::Filesystem);
    report.metadata.os = inventory.os.clone();
    Ok(Scanned {
        report,
        inventory,
        image: None,
        layers: vec![layer],
    })
}

/// The package results of an inventory, one per database.
pub fn package_results(report: &Report, inventory: &Inventory) -> Vec<ScanResult> {
    inventory
        .package_sets
        .iter()
        .map(|set| {
            let target = if set.ecosystem.is_os() {
                match &inventory.os {
                    Some(os) => format!("{} ({} {})", report.artifact_name, os.family, os.name),
                    None => format!("{} ({})", report.artifact_name, set.path),
                }
            } else {
                set.path.clone()
            };
            let class = if set.ecosystem.is_os() {
                Class::OsPkgs
            } else {
                Class::LangPkgs
            };
            let mut r = ScanResult::new(target, class, set.kind.clone());
            r.packages = set.packages.clone();
            r
        })
        .collect()
}

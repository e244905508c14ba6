//! `bulkhead sbom` (and, as the scanners land, `bulkhead image` / `fs`):
//! read a target into an inventory and report it.

use crate::args::{GlobalArgs, ReportArgs};
use crate::output::{self, EmitOptions};
use crate::progress;
use anyhow::{Context, Result, bail};
use bulkhead_image::{Image, Platform};
use bulkhead_layerfs::Limits;
use bulkhead_scan::{ContentScanner, Inventory, LayerAnalysis, ScanOptions};
use bulkhead_types::{ArtifactType, Class, ImageMetadata, Report, ScanResult};
use clap::Args;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Flags that choose and bound the target.
#[derive(Debug, Args, Clone, Default)]
pub struct TargetArgs {
    /// Read the image from a file or folder: a `docker save` tarball, an OCI
    /// layout directory or an OCI layout tarball.
    #[arg(long, value_name = "PATH")]
    pub input: Option<PathBuf>,
    /// Platform to pick from a multi-platform index: os/arch[/variant]
    /// (default: this machine's).
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
    /// Refuse layers that expand to more than this many bytes (decompression
    /// bombs). Accepts K, M, G suffixes.
    #[arg(long, value_name = "SIZE", default_value = "64G")]
    pub max_layer_size: String,
    #[command(flatten)]
    pub source: super::image_source::SourceArgs,
}

/// Flags of `bulkhead sbom`.
#[derive(Debug, Args)]
pub struct SbomArgs {
    /// A root filesystem directory to inventory (or use --input for an image file).
    pub target: Option<String>,
    #[command(flatten)]
    pub target_args: TargetArgs,
}

fn parse_size(s: &str) -> Result<u64> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let mult: u64 = match c.to_ascii_uppercase() {
                'K' => 1 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                _ => bail!("bad size {s:?}: use a number with an optional K, M, G or T suffix"),
            };
            (&s[..i], mult)
        }
        _ => (s, 1),
    };
    let n: u64 = num
        .trim()
        .parse()
        .with_context(|| format!("bad size {s:?}: use e.g. 512M or 8G"))?;
    n.checked_mul(mult)
        .with_context(|| format!("size {s:?} is too large"))
}

/// A scanned target: its report skeleton and inventory.
pub struct Scanned {
    pub report: Report,
    pub inventory: Inventory,
    /// The image, for the image-config and secret scanners (None for a directory).
    #[allow(dead_code)]
    pub image: Option<Image>,
    /// Per-layer analyses (one for a directory): they hold the content
    /// scanner's findings.
    pub layers: Vec<LayerAnalysis>,
}

pub fn scan_options(args: &TargetArgs) -> Result<ScanOptions> {
    let limits = Limits {
        max_layer_bytes: parse_size(&args.max_layer_size)?,
        ..Limits::default()
    };
    Ok(ScanOptions { limits })
}

/// Read an image file into an inventory (`content`: an optional scanner of
/// file contents run in the same pass, e.g. secrets).
pub fn scan_image_file(
    global: &GlobalArgs,
    path: &Path,
    args: &TargetArgs,
    content: Option<&dyn ContentScanner>,
) -> Result<Scanned> {
    let platform = match &args.platform {
        Some(p) => Some(Platform::parse(p).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let image = bulkhead_image::open_input(path, platform.as_ref())
        .with_context(|| format!("cannot read image {}", path.display()))?;
    // Project lockfiles are read by `fs`/`sbom DIR` only (Trivy's rule).
    let analyzers = bulkhead_analyzers::for_image();
    let total: u64 = image.layers.iter().map(|l| l.size).sum();
    let bar = progress::bytes_bar(global.quiet, total, "reading layers");
    let done = AtomicU64::new(0);
    let tick = |n: u64| {
        let sofar = done.fetch_add(n, Ordering::Relaxed) + n;
        bar.set_position(sofar);
    };
    let opts = scan_options(args)?;
    let layers = super::image_source::analyze_layers(
        global, args, &image, &analyzers, content, &opts, &tick,
    )
    .with_context(|| format!("cannot read image {}", path.display()))?;
    bar.finish_and_clear();
    Ok(scanned_image(image, layers, &path.display().to_string()))
}

/// The report skeleton and inventory of an analyzed image (`fallback_name`
/// names it when it has no tag).
pub fn scanned_image(image: Image, layers: Vec<LayerAnalysis>, fallback_name: &str) -> Scanned {
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
pub fn scan_dir(
    global: &GlobalArgs,
    dir: &Path,
    args: &TargetArgs,
    content: Option<&dyn ContentScanner>,
) -> Result<Scanned> {
    if !dir.is_dir() {
        bail!("{} is not a directory", dir.display());
    }
    let analyzers = bulkhead_analyzers::all();
    let spinner = progress::spinner(global.quiet, &format!("reading {}", dir.display()));
    let layer = bulkhead_scan::analyze_dir(dir, &analyzers, content, &scan_options(args)?)?;
    spinner.finish_and_clear();
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

/// Resolve the target of `sbom`/`image`/`fs`.
pub fn scan_target(
    global: &GlobalArgs,
    target: Option<&str>,
    args: &TargetArgs,
) -> Result<Scanned> {
    scan_target_with(global, target, args, None)
}

/// [`scan_target`] with a content scanner (secrets) run in the same pass.
pub fn scan_target_with(
    global: &GlobalArgs,
    target: Option<&str>,
    args: &TargetArgs,
    content: Option<&dyn ContentScanner>,
) -> Result<Scanned> {
    match (target, &args.input) {
        (Some(_), Some(_)) => bail!("give either a target or --input, not both"),
        (None, Some(path)) => scan_image_file(global, path, args, content),
        (Some(t), None) if Path::new(t).is_dir() => scan_dir(global, Path::new(t), args, content),
        (Some(t), None) if Path::new(t).is_file() => {
            scan_image_file(global, Path::new(t), args, content)
        }
        (Some(t), None) => super::image_source::scan_image_name(global, t, args, content),
        (None, None) => {
            bail!("nothing to scan: name a root filesystem directory or pass --input IMAGE_FILE")
        }
    }
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

pub fn run_sbom(global: &GlobalArgs, args: SbomArgs) -> Result<i32> {
    let scanned = scan_target(global, args.target.as_deref(), &args.target_args)?;
    let mut report = scanned.report;
    report.results = package_results(&report, &scanned.inventory);
    report.warnings = scanned.inventory.warnings.clone();
    // The SBOM repeats the image config and history: no secret in them
    // leaves whole (the same redaction as `image`).
    super::secret::redact_report(&mut report, &super::secret::load_scanner(global)?);
    if !global.quiet {
        for w in &report.warnings {
            tracing::warn!("{w}");
        }
    }
    let format = output::choose_format(global, &["table", "json", "cyclonedx", "spdx-json"])?;
    output::write(&report, global, format, true)?;
    let _ = (ReportArgs::default(), EmitOptions::default());
    Ok(0)
}

//! Command-line grammar (see the project's CLI contract). Only this crate
//! knows clap.

use crate::commands;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Bulkhead secures Docker containers end to end: vulnerabilities and SBOMs
/// of images, Dockerfile and Compose lint, secrets, a CIS audit of the host,
/// capabilities, seccomp and AppArmor profiles, and image signing.
#[derive(Debug, Parser)]
#[command(
    name = "bulkhead",
    version,
    about = "Bulkhead secures Docker containers end to end: image vulnerabilities and SBOMs, Dockerfile and Compose checks, secrets, a CIS audit of the host, capabilities, seccomp and AppArmor profiles, hardening.",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    #[arg(long, short = 'f', global = true, help = bulkhead_report::FORMAT_HELP)]
    pub format: Option<String>,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short = 'o', global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// No progress and no warnings on stderr (errors still print).
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// No colours in table output.
    #[arg(long, global = true)]
    pub no_color: bool,
    /// More logging on stderr (-v info, -vv debug, -vvv trace).
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Cache folder (advisory database, layer cache).
    #[arg(long, global = true, env = "BULKHEAD_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Settings file (default: ./bulkhead.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl GlobalArgs {
    /// The settings file of this run: `--config`, else ./bulkhead.toml
    /// when present (`bulkhead_engine::settings`).
    pub fn settings(&self) -> anyhow::Result<bulkhead_engine::settings::Loaded> {
        Ok(bulkhead_engine::settings::load(self.config.as_deref())?)
    }

    /// The cache folder: `--cache-dir`, `$BULKHEAD_CACHE_DIR`, else the
    /// user's cache folder (`bulkhead_engine::db::cache_dir`).
    pub fn cache_dir(&self) -> PathBuf {
        bulkhead_engine::db::cache_dir(self.cache_dir.as_deref())
    }
}

/// What reading one layer (or folder) may cost, shared by every command
/// that reads images or folders (docs/limits.md lists every bound).
#[derive(Debug, Args, Clone)]
pub struct LimitArgs {
    /// Refuse layers (and folders) that expand to more than this many bytes
    /// (decompression bombs). Accepts K, M, G suffixes.
    #[arg(long, value_name = "SIZE", default_value = LimitArgs::DEFAULT_MAX_LAYER_SIZE)]
    pub max_layer_size: String,
    /// Keep the file metadata of at most N entries per layer or folder
    /// (default 500000, about 400 bytes each); past it the walk goes on
    /// with a warning and package files are still read.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_entries: Option<u32>,
}

impl LimitArgs {
    pub const DEFAULT_MAX_LAYER_SIZE: &'static str = "64G";

    /// Sets the request's limits from the flags.
    pub fn apply(&self, req: &mut bulkhead_engine::ScanRequest) -> anyhow::Result<()> {
        req.limits.max_layer_bytes = bulkhead_engine::parse_size(&self.max_layer_size)?;
        if let Some(n) = self.max_entries {
            req.limits.max_entries = n as usize;
        }
        Ok(())
    }
}

impl Default for LimitArgs {
    fn default() -> Self {
        LimitArgs {
            max_layer_size: Self::DEFAULT_MAX_LAYER_SIZE.to_string(),
            max_entries: None,
        }
    }
}

/// Filters and exit-code policy shared by the scanning commands.
#[derive(Debug, Args, Clone, Default)]
pub struct ReportArgs {
    /// Show only these severities (comma-separated: UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL).
    #[arg(long, short = 's', value_delimiter = ',')]
    pub severity: Vec<String>,
    /// Exit with this code when any shown finding remains (Trivy semantics).
    #[arg(long, value_name = "N")]
    pub exit_code: Option<i32>,
    /// Exit 1 when any finding at or above SEV remains, shown or not (Grype semantics).
    #[arg(long, value_name = "SEV")]
    pub fail_on: Option<String>,
    /// Ignore findings listed in FILE (Trivy's .trivyignore format; `exp:YYYY-MM-DD` expiry).
    #[arg(long, value_name = "FILE")]
    pub ignorefile: Option<PathBuf>,
    /// Exit 1 when any known-exploited vulnerability (CISA KEV) remains,
    /// whatever its severity, shown or not.
    #[arg(long)]
    pub fail_on_kev: bool,
    /// Exit 1 when any vulnerability that remains has an EPSS score of at
    /// least P (a probability, 0–1, e.g. 0.1).
    #[arg(long, value_name = "P")]
    pub epss_threshold: Option<f64>,
    /// Order of vulnerabilities: risk, severity, epss, kev, package, id
    /// (default: risk in the table; JSON keeps package order unless asked).
    #[arg(long, value_name = "KEY")]
    pub sort_by: Option<String>,
}

/// OpenVEX documents applied to a vulnerability report; shared by every
/// command that reports an image's vulnerabilities (`docs/vex.md`).
#[derive(Debug, Args, Clone, Default)]
pub struct VexArgs {
    /// OpenVEX v0.2.0 document, or a folder of them (every *.json file in
    /// it); repeatable. A statement about this image (by digest) or a
    /// package (by purl) that says `not_affected` with a justification, or
    /// `fixed`, suppresses the finding: it is listed as suppressed, with its
    /// justification, and --exit-code/--fail-on no longer see it.
    /// `affected` and `under_investigation` annotate it.
    #[arg(long = "vex", value_name = "FILE|DIR")]
    pub files: Vec<PathBuf>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a container image for known vulnerabilities in its packages
    /// (offline OSV database; each finding names the layer that brought it).
    Image(commands::scan::ImageArgs),
    /// Scan a root filesystem or project folder for known vulnerabilities.
    Fs(commands::scan::FsArgs),
    /// The offline advisory database: update from an OSV mirror, import
    /// records, show what it holds.
    Db(commands::db::DbArgs),
    /// Compare two images (A before, B after): packages added, removed,
    /// upgraded and downgraded, vulnerabilities fixed and introduced, shared
    /// base layers, config changes; table, json or markdown (a pull-request
    /// comment). --exit-code/--fail-on look at introduced findings only.
    Diff(commands::diff::DiffArgs),
    /// List the packages of an image or root filesystem (SBOM): table, JSON,
    /// CycloneDX 1.6 or SPDX 2.3, each package with its purl and the layer
    /// that brought it.
    Sbom(commands::image::SbomArgs),
    /// Check Dockerfiles, Compose files and build contexts for misconfigurations.
    Config(commands::config::ConfigArgs),
    /// Seccomp profiles: generate one from what a workload uses, lint one, diff two.
    Seccomp(commands::seccomp::SeccompArgs),
    /// AppArmor profiles: generate one for a container from a declarative policy.
    Apparmor(commands::apparmor::AppArmorArgs),
    /// Propose hardened settings for a running container, a Compose service
    /// or an image (read-only root with tmpfs for what it writes, cap-drop
    /// ALL plus what it needs, no-new-privileges, a numeric user, pids and
    /// memory limits, a generated seccomp profile), each with the reason, as
    /// a Compose override (--format compose), docker run flags (run) or json.
    Harden(commands::harden::HardenArgs),
    /// Audit the Docker host, daemon, images and running containers against
    /// the CIS Docker Benchmark 1.6.0, with evidence for every result.
    Audit(commands::audit::AuditArgs),
    /// Linux capabilities: decode a mask, or show a running container's sets.
    Caps(commands::audit::CapsArgs),
    /// The layer cache (per-layer analysis results reused by rescans): show
    /// its size, or empty it.
    Cache(commands::cache::CacheArgs),
    /// Signing keys: generate an ECDSA P-256 key pair in cosign's formats.
    Key(commands::key::KeyArgs),
    /// Sign an image in a registry (by digest) in cosign's formats: a
    /// Sigstore bundle stored as an OCI referrer (default) or the legacy
    /// `.sig` tag. Key pair only, no transparency log.
    Sign(commands::sign::SignArgs),
    /// Verify an image's signatures (both cosign formats) against public
    /// keys or the signing policy; without either, list them.
    Verify(commands::verify::VerifyArgs),
    /// OpenVEX: write a document stating which findings of an image do not
    /// affect it (from the [ignore] entries of bulkhead.toml or chosen
    /// findings); read documents with --vex on image and diff.
    Vex(commands::vex::VexCommandArgs),
    /// Check one workload (an image and how it runs: --compose, --run,
    /// --container) against the eight layers of the container security
    /// stack: a scoreboard with evidence, every scanner's findings in one
    /// risk order with reasons, and a fix plan.
    Check(commands::check::CheckArgs),
    /// Serve Harbor's Pluggable Scanner API v1.2 (a scanner adapter):
    /// Harbor sends scans, Bulkhead pulls the images by digest and answers
    /// with vulnerability and SBOM reports; probes and /metrics.
    Server(commands::server::ServerArgs),
    /// Fleet scanning on PostgreSQL: queue a registry's images, re-match
    /// stored inventories, ask which images are affected, show the queue.
    Fleet(commands::fleet::FleetArgs),
    /// Scan queued images from the fleet database (any number of workers).
    Worker(commands::worker::WorkerArgs),
}

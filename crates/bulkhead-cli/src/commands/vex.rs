//! OpenVEX: `--vex FILE|DIR` (read before a scan, applied to its report)
//! and `bulkhead vex create`; the work is `bulkhead_engine::vex`.

use super::image::TargetArgs;
use crate::args::{GlobalArgs, VexArgs};
use crate::output;
use anyhow::{Result, bail};
use bulkhead_engine::vex::{CreateOptions, Subject, VexDocument};
use bulkhead_types::Report;
use clap::{Args, Subcommand};

/// Read the documents of `--vex`; what the reader noticed goes to the log.
pub fn load(args: &VexArgs) -> Result<Vec<VexDocument>> {
    let loaded = bulkhead_engine::vex::load(&args.files)?;
    loaded.warnings.iter().for_each(|w| tracing::warn!("{w}"));
    Ok(loaded.documents)
}

/// Apply documents to a report, before its filters.
pub fn apply(documents: &[VexDocument], report: &mut Report) {
    if let Some(out) = bulkhead_engine::vex::apply(documents, report) {
        let (s, a, name) = (out.suppressed, out.annotated, &report.artifact_name);
        tracing::info!("VEX: {s} finding(s) of {name} suppressed, {a} annotated");
    }
}

/// Flags of `bulkhead vex`.
#[derive(Debug, Args)]
pub struct VexCommandArgs {
    #[command(subcommand)]
    pub command: VexCommand,
}

/// What `bulkhead vex` does.
#[derive(Debug, Subcommand)]
pub enum VexCommand {
    /// Write an OpenVEX v0.2.0 document about one image (by digest): one
    /// statement per finding, from the [ignore] entries of bulkhead.toml
    /// (--from-config; an entry's `justification` is used) and/or --finding.
    /// Feed it back with `bulkhead image --vex FILE`.
    Create(CreateArgs),
}

/// Flags of `bulkhead vex create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The image: a name (Docker daemon, then registry) or a file (docker
    /// save tarball, OCI layout dir or tarball); its manifest digest, else
    /// its image id, goes into the document. Or use --input or --image-digest.
    pub target: Option<String>,
    #[command(flatten)]
    pub target_args: TargetArgs,
    /// The image's digest (sha256:…), instead of reading the image.
    #[arg(long, value_name = "DIGEST", conflicts_with_all = ["target", "input"])]
    pub image_digest: Option<String>,
    /// The image's repository (e.g. ghcr.io/org/app), to name it as a
    /// pkg:oci purl (default: from the image's digests or tags).
    #[arg(long, value_name = "REPOSITORY")]
    pub image_name: Option<String>,
    /// One statement per [ignore] entry of bulkhead.toml (or --config);
    /// entries limited to paths or expired are skipped with a warning.
    #[arg(long)]
    pub from_config: bool,
    /// A finding to state about: its id, optionally with its package's purl
    /// (the finding's PkgIdentifier.PURL), e.g.
    /// CVE-2024-1234@pkg:deb/debian/libssl3@3.0.9-1?arch=amd64. Repeatable.
    #[arg(long = "finding", value_name = "ID[@PURL]")]
    pub findings: Vec<String>,
    /// Status of the statements: not_affected, fixed, affected,
    /// under_investigation.
    #[arg(long, default_value = "not_affected")]
    pub status: String,
    /// Why not affected: component_not_present, vulnerable_code_not_present,
    /// vulnerable_code_not_in_execute_path,
    /// vulnerable_code_cannot_be_controlled_by_adversary,
    /// inline_mitigations_already_exist (an [ignore] entry's own
    /// `justification` wins).
    #[arg(long, value_name = "LABEL")]
    pub justification: Option<String>,
    /// Free text: why the image is not affected.
    #[arg(long, value_name = "TEXT")]
    pub impact_statement: Option<String>,
    /// Free text: what to do (required with --status affected).
    #[arg(long, value_name = "TEXT")]
    pub action_statement: Option<String>,
    /// Who makes the statements (a person or an organisation, ideally with
    /// an e-mail address).
    #[arg(long, value_name = "NAME")]
    pub author: Option<String>,
}

pub fn run(global: &GlobalArgs, args: VexCommandArgs) -> Result<i32> {
    let VexCommand::Create(a) = args.command;
    if let Some(f) = &global.format
        && !matches!(f.as_str(), "json" | "openvex")
    {
        bail!("--format {f} is not available for vex create: it writes OpenVEX JSON (json)");
    }
    let subject = match (a.image_digest, &a.target, &a.target_args.input) {
        (Some(digest), ..) => Subject::Digest {
            digest,
            repository: a.image_name,
        },
        (None, Some(_), Some(_)) => bail!("give the image once: an argument or --input"),
        (None, t, p) => Subject::Image {
            name: match (t, p) {
                (Some(t), _) => t.clone(),
                (None, Some(p)) => p.to_string_lossy().into_owned(),
                (None, None) => bail!(
                    "which image? give its name or file (or --input PATH), or --image-digest sha256:…"
                ),
            },
            from: Box::new(super::summary::meta_sources(&a.target_args)?),
            repository: a.image_name,
        },
    };
    let created = bulkhead_engine::vex::create(CreateOptions {
        subject,
        findings: a.findings,
        from_config: a.from_config.then(|| global.settings()).transpose()?,
        status: a.status,
        justification: a.justification,
        impact_statement: a.impact_statement,
        action_statement: a.action_statement,
        author: a.author,
        today: bulkhead_engine::settings::today_utc(),
        timestamp: bulkhead_engine::vex::issued_at()?,
    })?;
    created.warnings.iter().for_each(|w| tracing::warn!("{w}"));
    let mut buf = Vec::new();
    bulkhead_report::vex::write_document(&created.document, &mut buf)?;
    output::write_text(global, &String::from_utf8_lossy(&buf))?;
    Ok(0)
}

//! OpenVEX: `--vex FILE|DIR` (read documents before a scan, apply them to
//! its report) and `bulkhead vex create` (write a document about an
//! image). Reading, matching and building live in `bulkhead-vex`; applying
//! to a report and writing documents in `bulkhead_report::vex`.

use super::image::TargetArgs;
use super::settings::IgnoreEntry;
use crate::args::{GlobalArgs, VexArgs};
use crate::output;
use anyhow::{Context, Result, bail};
use bulkhead_types::Report;
use bulkhead_vex::{
    ArtifactIds, Assertion, CreateRequest, FindingRef, ImageProduct, Justification, Limits, Status,
    VexDocument,
};
use clap::{Args, Subcommand};

/// Read the documents of `--vex` (none when not given); what the reader
/// noticed without refusing goes to the log.
pub fn load(args: &VexArgs) -> Result<Vec<VexDocument>> {
    if args.files.is_empty() {
        return Ok(Vec::new());
    }
    let loaded = bulkhead_vex::load_paths(&args.files, &Limits::default())?;
    for w in &loaded.warnings {
        tracing::warn!("{w}");
    }
    Ok(loaded.documents)
}

/// Apply documents to a report (its artifact's digests from its metadata).
pub fn apply(documents: &[VexDocument], report: &mut Report) {
    if documents.is_empty() {
        return;
    }
    let ids = ArtifactIds::of_report(report);
    let out = bulkhead_report::apply_vex(report, documents, &ids);
    tracing::info!(
        "VEX: {} finding(s) of {} suppressed, {} annotated",
        out.suppressed,
        report.artifact_name,
        out.annotated
    );
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
    match args.command {
        VexCommand::Create(a) => create(global, &a),
    }
}

fn justification(label: &str, whose: &str) -> Result<Justification> {
    Justification::parse(label.trim()).with_context(|| {
        format!(
            "{whose}: {label:?} is not an OpenVEX justification: use one of {}",
            Justification::names()
        )
    })
}

/// The statement content the flags give.
fn assertion(a: &CreateArgs) -> Result<Assertion> {
    let status = Status::parse(a.status.trim()).with_context(|| {
        format!(
            "bad --status {:?}: use one of {}",
            a.status,
            Status::names()
        )
    })?;
    let justification = a
        .justification
        .as_deref()
        .map(|j| justification(j, "bad --justification"))
        .transpose()?;
    if justification.is_some() && status != Status::NotAffected {
        bail!("--justification goes with --status not_affected only");
    }
    Ok(Assertion {
        status,
        justification,
        impact_statement: a.impact_statement.clone(),
        action_statement: a.action_statement.clone(),
    })
}

/// One finding per `[ignore]` entry that can be stated about an image.
fn from_config(global: &GlobalArgs, base: &Assertion) -> Result<Vec<(FindingRef, Assertion)>> {
    let loaded = super::settings::load(global)?;
    let file = loaded
        .path
        .as_ref()
        .map_or_else(|| "bulkhead.toml".to_string(), |p| p.display().to_string());
    if loaded.path.is_none() {
        bail!(
            "--from-config: there is no bulkhead.toml here: pass --config FILE, or name findings with --finding"
        );
    }
    let today = output::today();
    let mut out = Vec::new();
    for entry in loaded.settings.ignore.ids {
        let (finding, assertion) = match entry {
            IgnoreEntry::Id(id) => (
                FindingRef::new(&id, None).with_context(|| format!("{file} [ignore]"))?,
                base.clone(),
            ),
            IgnoreEntry::Full(t) => {
                if !t.paths.is_empty() {
                    tracing::warn!(
                        "{file} [ignore] {}: skipped: it is limited to paths, which a VEX statement cannot name (use --finding {}@PURL for its package)",
                        t.id,
                        t.id
                    );
                    continue;
                }
                if let Some(date) = &t.expires
                    && date.as_str() <= today.as_str()
                {
                    tracing::warn!("{file} [ignore] {}: skipped: it expired on {date}", t.id);
                    continue;
                }
                let mut a = base.clone();
                if let Some(j) = &t.justification {
                    let whose = format!("{file} [ignore] {} justification", t.id);
                    a.justification = Some(justification(j, &whose)?);
                    if a.status != Status::NotAffected {
                        a.justification = None;
                    }
                }
                (
                    FindingRef::new(&t.id, None).with_context(|| format!("{file} [ignore]"))?,
                    a,
                )
            }
        };
        out.push((finding, assertion));
    }
    if out.is_empty() {
        bail!("--from-config: {file} has no [ignore] entry that can be stated about an image");
    }
    Ok(out)
}

/// The image the document is about.
fn product(a: &CreateArgs) -> Result<ImageProduct> {
    if let Some(d) = &a.image_digest {
        return Ok(ImageProduct::new(d, a.image_name.as_deref())?);
    }
    let name = match (&a.target, &a.target_args.input) {
        (Some(_), Some(_)) => bail!("give the image once: an argument or --input"),
        (Some(t), None) => t.clone(),
        (None, Some(p)) => p.to_string_lossy().into_owned(),
        (None, None) => bail!(
            "which image? give its name or file (or --input PATH), or --image-digest sha256:…"
        ),
    };
    let sources = super::summary::meta_sources(&a.target_args)?;
    let meta = bulkhead_engine::advise::image_meta(&name, &sources)?;
    let mut p = ImageProduct::from_image(&meta.id, &meta.repo_digests, &meta.repo_tags)
        .with_context(|| format!("image {name} has no digest to name it by"))?;
    if let Some(repo) = &a.image_name {
        p = ImageProduct::new(&p.digest, Some(repo))?;
    }
    Ok(p)
}

/// Now, or `SOURCE_DATE_EPOCH` (seconds) for a reproducible document.
fn issued() -> Result<time::OffsetDateTime> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) if !s.trim().is_empty() => s
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|n| time::OffsetDateTime::from_unix_timestamp(n).ok())
            .with_context(|| format!("SOURCE_DATE_EPOCH={s:?} is not a Unix time in seconds")),
        _ => Ok(time::OffsetDateTime::now_utc()),
    }
}

fn create(global: &GlobalArgs, a: &CreateArgs) -> Result<i32> {
    if let Some(f) = &global.format
        && !matches!(f.as_str(), "json" | "openvex")
    {
        bail!("--format {f} is not available for vex create: it writes OpenVEX JSON (json)");
    }
    let base = assertion(a)?;
    let mut findings = Vec::new();
    for f in &a.findings {
        findings.push((FindingRef::parse(f).context("bad --finding")?, base.clone()));
    }
    if a.from_config {
        findings.extend(from_config(global, &base)?);
    }
    if findings.is_empty() {
        bail!(
            "nothing to state: pass --finding ID[@PURL] (repeatable), or --from-config to use the [ignore] entries of bulkhead.toml"
        );
    }
    let product = product(a)?;
    let author = match &a.author {
        Some(x) => x.clone(),
        None => {
            tracing::warn!(
                "no --author: the document names its author \"unknown\"; say who vouches for it with --author"
            );
            "unknown".to_string()
        }
    };
    let doc = bulkhead_vex::create(&CreateRequest {
        author,
        timestamp: issued()?,
        tooling: format!("bulkhead {}", env!("CARGO_PKG_VERSION")),
        product,
        findings,
    })?;
    let mut buf = Vec::new();
    bulkhead_report::vex::write_document(&doc, &mut buf)?;
    output::write_text(global, &String::from_utf8_lossy(&buf))?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::super::settings;

    #[test]
    fn ignore_entries_take_an_optional_justification() {
        let s = settings::parse(
            "[ignore]\nids = [\"CVE-1\", { id = \"CVE-2\", justification = \"vulnerable_code_not_in_execute_path\" }, { id = \"CVE-3\", expires = \"2030-01-01\" }]\n",
        )
        .unwrap();
        assert_eq!(s.ignore.ids.len(), 3);
        match &s.ignore.ids[1] {
            settings::IgnoreEntry::Full(t) => assert_eq!(
                t.justification.as_deref(),
                Some("vulnerable_code_not_in_execute_path")
            ),
            other => panic!("{other:?}"),
        }
        assert!(
            settings::parse("[ignore]\nids = [{ id = \"X\", justfication = \"x\" }]\n").is_err()
        );
    }
}

//! OpenVEX around a scan: read the documents of `--vex` before a scan,
//! apply them to its report, and build a document about an image (`bulkhead
//! vex create`). Parsing, matching and building live in `bulkhead-vex`;
//! changing a report and writing documents in `bulkhead_report::vex`.

use crate::advise::MetaSources;
use crate::error::{Context, Result, bail};
use crate::settings::{IgnoreEntry, Loaded as LoadedSettings};
use bulkhead_types::Report;
use bulkhead_vex::{
    ArtifactIds, Assertion, CreateRequest, FindingRef, ImageProduct, Justification, Limits, Status,
};
use std::path::PathBuf;

pub use bulkhead_report::vex::VexOutcome;
pub use bulkhead_vex::VexDocument;

/// Documents read from `--vex` paths, and what the reader noticed without
/// refusing (for the log).
#[derive(Debug, Default)]
pub struct Loaded {
    pub documents: Vec<VexDocument>,
    pub warnings: Vec<String>,
}

/// Read every document of `paths` (files, or folders of `.json` files).
pub fn load(paths: &[PathBuf]) -> Result<Loaded> {
    if paths.is_empty() {
        return Ok(Loaded::default());
    }
    let loaded = bulkhead_vex::load_paths(paths, &Limits::default()).context("--vex")?;
    Ok(Loaded {
        documents: loaded.documents,
        warnings: loaded.warnings,
    })
}

/// Apply documents to a report (its artifact's digests from its metadata),
/// before its filters; `None` when there is no document.
pub fn apply(documents: &[VexDocument], report: &mut Report) -> Option<VexOutcome> {
    if documents.is_empty() {
        return None;
    }
    let ids = ArtifactIds::of_report(report);
    Some(bulkhead_report::apply_vex(report, documents, &ids))
}

/// Which image a new document is about.
#[derive(Debug, Clone)]
pub enum Subject {
    /// Its digest (`sha256:…`), and optionally its repository.
    Digest {
        digest: String,
        repository: Option<String>,
    },
    /// An image to read the digest from (a name or a file).
    Image {
        name: String,
        from: Box<MetaSources>,
        repository: Option<String>,
    },
}

/// Everything `bulkhead vex create` was given, as strings from the user.
#[derive(Debug)]
pub struct CreateOptions {
    pub subject: Subject,
    /// `ID[@PURL]` findings.
    pub findings: Vec<String>,
    /// The settings whose `[ignore]` entries become statements too.
    pub from_config: Option<LoadedSettings>,
    pub status: String,
    pub justification: Option<String>,
    pub impact_statement: Option<String>,
    pub action_statement: Option<String>,
    pub author: Option<String>,
    /// `YYYY-MM-DD`, to skip expired `[ignore]` entries.
    pub today: String,
    /// When the document is issued.
    pub timestamp: time::OffsetDateTime,
}

/// A new document, and what was skipped or assumed on the way.
#[derive(Debug)]
pub struct Created {
    pub document: VexDocument,
    pub warnings: Vec<String>,
}

/// Build a document about one image.
pub fn create(opts: CreateOptions) -> Result<Created> {
    let mut warnings = Vec::new();
    let base = assertion(&opts)?;
    let mut findings = Vec::new();
    for f in &opts.findings {
        findings.push((FindingRef::parse(f).context("bad --finding")?, base.clone()));
    }
    if let Some(loaded) = &opts.from_config {
        findings.extend(from_config(loaded, &base, &opts.today, &mut warnings)?);
    }
    if findings.is_empty() {
        bail!(
            "nothing to state: pass --finding ID[@PURL] (repeatable), or --from-config to use the [ignore] entries of bulkhead.toml"
        );
    }
    let product = product(&opts.subject)?;
    let author = opts.author.clone().unwrap_or_else(|| {
        warnings.push(
            "no --author: the document names its author \"unknown\"; say who vouches for it with --author".to_string(),
        );
        "unknown".to_string()
    });
    let document = bulkhead_vex::create(&CreateRequest {
        author,
        timestamp: opts.timestamp,
        tooling: format!("bulkhead {}", env!("CARGO_PKG_VERSION")),
        product,
        findings,
    })
    .context("vex create")?;
    Ok(Created { document, warnings })
}

/// Now, or `SOURCE_DATE_EPOCH` (seconds) for a reproducible document.
pub fn issued_at() -> Result<time::OffsetDateTime> {
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

fn justification(label: &str, whose: &str) -> Result<Justification> {
    Justification::parse(label.trim()).with_context(|| {
        format!(
            "{whose}: {label:?} is not an OpenVEX justification: use one of {}",
            Justification::names()
        )
    })
}

/// The statement content the options give.
fn assertion(o: &CreateOptions) -> Result<Assertion> {
    let status = Status::parse(o.status.trim()).with_context(|| {
        format!(
            "bad --status {:?}: use one of {}",
            o.status,
            Status::names()
        )
    })?;
    let justification = o
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
        impact_statement: o.impact_statement.clone(),
        action_statement: o.action_statement.clone(),
    })
}

/// One finding per `[ignore]` entry that can be stated about an image.
fn from_config(
    loaded: &LoadedSettings,
    base: &Assertion,
    today: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<(FindingRef, Assertion)>> {
    let Some(path) = &loaded.path else {
        bail!(
            "--from-config: there is no bulkhead.toml here: pass --config FILE, or name findings with --finding"
        );
    };
    let file = path.display().to_string();
    let mut out = Vec::new();
    for entry in &loaded.settings.ignore.ids {
        let (finding, assertion) = match entry {
            IgnoreEntry::Id(id) => (
                FindingRef::new(id, None).with_context(|| format!("{file} [ignore]"))?,
                base.clone(),
            ),
            IgnoreEntry::Full(t) => {
                if !t.paths.is_empty() {
                    warnings.push(format!(
                        "{file} [ignore] {}: skipped: it is limited to paths, which a VEX statement cannot name (use --finding {}@PURL for its package)",
                        t.id, t.id
                    ));
                    continue;
                }
                if let Some(date) = &t.expires
                    && date.as_str() <= today
                {
                    warnings.push(format!(
                        "{file} [ignore] {}: skipped: it expired on {date}",
                        t.id
                    ));
                    continue;
                }
                let mut a = base.clone();
                if let Some(j) = &t.justification
                    && a.status == Status::NotAffected
                {
                    let whose = format!("{file} [ignore] {} justification", t.id);
                    a.justification = Some(justification(j, &whose)?);
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
fn product(subject: &Subject) -> Result<ImageProduct> {
    match subject {
        Subject::Digest { digest, repository } => {
            ImageProduct::new(digest, repository.as_deref()).context("--image-digest")
        }
        Subject::Image {
            name,
            from,
            repository,
        } => {
            let meta = crate::advise::image_meta(name, from)?;
            let mut p = ImageProduct::from_image(&meta.id, &meta.repo_digests, &meta.repo_tags)
                .with_context(|| format!("image {name} has no digest to name it by"))?;
            if let Some(repo) = repository {
                p = ImageProduct::new(&p.digest, Some(repo)).context("--image-name")?;
            }
            Ok(p)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use crate::settings;

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

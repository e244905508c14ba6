//! The image reads behind `bulkhead image --summary` and `--recommend`: an
//! image's layers and stored size without reading its layers (Docker
//! daemon, then registry, in the caller's order), and the base image (its
//! labels, else the candidate whose layers start the image), and the
//! candidate scans and base findings `--recommend` ranks.

use crate::error::{Context, Error, Result, bail};
use bulkhead_advise::base::{self, BaseImage, shared_prefix};
use bulkhead_advise::rank::{self, Advice, BaseFindingsSource, Candidate, Current};
use bulkhead_advise::summary::Counts;
use bulkhead_image::registry::{Registry, RegistryOptions};
use bulkhead_image::{ImageError, Platform, Reference};
use bulkhead_types::Report;
use std::path::Path;

/// An image's layers and stored size, read without reading its layers.
pub struct ImageMeta {
    pub diff_ids: Vec<String>,
    /// Sum of stored layer sizes; unknown for images in the Docker daemon.
    pub size: Option<u64>,
}

/// Where [`image_meta`] looks for images named (not paths).
#[derive(Debug, Clone)]
pub struct MetaSources {
    /// `docker` and/or `remote`, tried in order (`--image-src`).
    pub sources: Vec<String>,
    pub platform: Option<Platform>,
    pub registry: RegistryOptions,
}

/// Sum of the stored layer sizes, saturating: a registry's manifest may
/// claim any sizes.
fn stored_size(layers: &[bulkhead_image::Layer]) -> u64 {
    layers.iter().fold(0u64, |n, l| n.saturating_add(l.size))
}

/// Layers and size of an image given as a path or a name (sources in the
/// order of `from.sources`, like a scan).
pub fn image_meta(name: &str, from: &MetaSources) -> Result<ImageMeta> {
    let platform = from.platform.as_ref();
    if Path::new(name).exists() {
        let img = bulkhead_image::open_input(Path::new(name), platform)
            .with_context(|| format!("cannot read image {name}"))?;
        return Ok(ImageMeta {
            size: Some(stored_size(&img.layers)),
            diff_ids: img.diff_ids,
        });
    }
    let mut tried = Vec::new();
    for src in &from.sources {
        let attempt = match src.trim() {
            "docker" => bulkhead_image::daemon::inspect(name).map(|i| ImageMeta {
                diff_ids: i.diff_ids,
                size: None,
            }),
            "remote" => {
                let r = Reference::parse(name).map_err(Error::Input)?;
                bulkhead_image::registry::pull(&r, platform, from.registry.clone()).map(|img| {
                    ImageMeta {
                        size: Some(stored_size(&img.layers)),
                        diff_ids: img.diff_ids,
                    }
                })
            }
            other => {
                bail!("unknown image source {other:?} in --image-src: use docker and/or remote")
            }
        };
        match attempt {
            Ok(m) => return Ok(m),
            Err(ImageError::NotFound(m) | ImageError::Unreachable(m)) => {
                tried.push(format!("{src}: {m}"));
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read image {name}")),
        }
    }
    Err(Error::NotFound(format!(
        "image {name} was not found ({}): check the name, or pass a file path",
        tried.join("; ")
    )))
}

/// The base image: its labels first, else the image of `candidates` whose
/// layers are this image's first layers. Candidates that cannot be read
/// are noted and skipped.
pub fn identify_base(
    report: &Report,
    candidates: &[String],
    from: &MetaSources,
    notes: &mut Vec<String>,
) -> Option<BaseImage> {
    if let Some(b) = report
        .metadata
        .image_config
        .as_ref()
        .and_then(base::from_labels)
    {
        return Some(b);
    }
    let mut metas: Vec<(String, Vec<String>)> = Vec::new();
    for name in candidates {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        match image_meta(name, from) {
            Ok(m) => metas.push((name.to_string(), m.diff_ids)),
            Err(e) => notes.push(format!("base candidate {name} skipped: {e:#}")),
        }
    }
    let found = base::from_layers(
        &report.metadata.diff_ids,
        metas.iter().map(|(n, d)| (n.as_str(), d.as_slice())),
    );
    if found.is_none() && !metas.is_empty() {
        notes.push(
            "none of the --base-candidates has layers that start this image: base not identified"
                .to_string(),
        );
    }
    found
}

/// The candidate base images: `given` (`--candidates`), or the tags of the
/// base's repository nearest its tag, at most `max` (`--max-candidates`).
pub fn candidate_names(
    given: &[String],
    base: Option<&BaseImage>,
    max: usize,
    registry: &RegistryOptions,
    notes: &mut Vec<String>,
) -> Result<Vec<String>> {
    let given: Vec<String> = given
        .iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    if !given.is_empty() {
        return Ok(given);
    }
    let Some(base) = base.filter(|b| !b.name.is_empty()) else {
        bail!(
            "no candidates: the image names no base image (label org.opencontainers.image.base.name) \
             and --base-candidates matched none; pass --candidates IMAGE,IMAGE,..."
        );
    };
    if Path::new(&base.name).exists() {
        bail!(
            "the base image {} is a file, which has no other tags: pass --candidates IMAGE,IMAGE,...",
            base.name
        );
    }
    let r = Reference::parse(&base.name).map_err(|e| {
        Error::Input(format!(
            "the base image name {:?} is not an image reference ({e}): pass --candidates IMAGE,IMAGE,...",
            base.name
        ))
    })?;
    let reg = Registry::new(&r.registry, registry.clone())?;
    let list = reg.tags(&r.repository).with_context(|| {
        format!(
            "cannot list the tags of {} in registry {} (pass --candidates to name them)",
            r.repository, r.registry
        )
    })?;
    if !list.complete {
        notes.push(format!(
            "registry {} lists too many tags for {}: only the first {} were considered",
            r.registry,
            r.repository,
            list.tags.len()
        ));
    }
    let (tags, left) = rank::nearest_tags(r.tag.as_deref(), &list.tags, max);
    if left > 0 {
        notes.push(format!(
            "{left} more tag(s) of {} not scanned: raise --max-candidates to include them",
            r.repository
        ));
    }
    if tags.is_empty() {
        bail!(
            "repository {} in registry {} has no tags to compare: pass --candidates IMAGE,IMAGE,...",
            r.repository,
            r.registry
        );
    }
    Ok(tags
        .into_iter()
        .map(|t| {
            let mut c = r.clone();
            c.tag = Some(t);
            c.digest = None;
            c.familiar()
        })
        .collect())
}

/// What [`recommend`] compares: the image (its report filtered as the
/// candidates' will be), its base and the candidates to scan.
pub struct RecommendInput<'a> {
    pub current: &'a Report,
    pub base: Option<BaseImage>,
    pub names: Vec<String>,
    /// The user named the candidates: one that cannot be scanned is an
    /// error (else it is noted and skipped).
    pub explicit: bool,
    /// Notes so far (the image's warnings, base identification).
    pub notes: Vec<String>,
}

/// Scan every candidate with `scan` (which filters as it did the image's
/// report), find the current base's findings (the image's own in the
/// base's layers when it starts with them, else a scan of the base, else
/// its OS-package findings) and rank the candidates.
pub fn recommend(
    input: RecommendInput<'_>,
    sources: &MetaSources,
    scan: &dyn Fn(&str) -> Result<Report>,
) -> Result<Advice> {
    let RecommendInput {
        current,
        base,
        names,
        explicit,
        mut notes,
    } = input;
    let mut candidates = Vec::new();
    for name in &names {
        let scanned = scan(name).and_then(|report| Ok((report, image_meta(name, sources)?)));
        match scanned {
            Ok((report, meta)) => candidates.push(Candidate {
                name: name.clone(),
                report,
                size: meta.size,
                diff_ids: meta.diff_ids,
            }),
            // A tag the user did not name may be for another platform or
            // broken: note it and go on.
            Err(e) if !explicit => notes.push(format!("candidate {name} skipped: {e:#}")),
            Err(e) => return Err(e.context(format!("cannot scan candidate {name}"))),
        }
    }
    if candidates.is_empty() {
        bail!(
            "no candidate could be scanned ({}): pass --candidates IMAGE,IMAGE,... that exist",
            notes
                .iter()
                .filter(|n| n.starts_with("candidate "))
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        );
    }

    // The current base's findings: the image's own findings in the base's
    // layers when the image starts with them, else a scan of the base.
    let base_layers = match &base {
        Some(BaseImage {
            layers: Some(n), ..
        }) => Some(*n),
        Some(b) if !b.name.is_empty() => {
            let known = candidates
                .iter()
                .find(|c| rank::same_name(&c.name, &b.name))
                .map(|c| c.diff_ids.clone());
            let ids = match known {
                Some(ids) => Some(ids),
                None => match image_meta(&b.name, sources) {
                    Ok(m) => Some(m.diff_ids),
                    Err(e) => {
                        notes.push(format!("cannot read the base image {}: {e:#}", b.name));
                        None
                    }
                },
            };
            ids.filter(|ids| {
                !ids.is_empty() && shared_prefix(&current.metadata.diff_ids, ids) == ids.len()
            })
            .map(|ids| ids.len())
        }
        _ => None,
    };
    let (before, from) = match (&base, base_layers) {
        (_, Some(n)) => (
            rank::findings_in_layers(current, n),
            BaseFindingsSource::BaseLayers,
        ),
        (Some(b), None) if !b.name.is_empty() => {
            let known = candidates
                .iter()
                .find(|c| rank::same_name(&c.name, &b.name));
            let scanned = match known {
                Some(c) => Ok(c.report.clone()),
                None => scan(&b.name),
            };
            match scanned {
                Ok(r) => (r, BaseFindingsSource::BaseScan),
                Err(e) => {
                    notes.push(format!(
                        "cannot scan the base image {} ({e:#}): its OS-package findings stand in",
                        b.name
                    ));
                    (rank::os_findings(current), BaseFindingsSource::OsPackages)
                }
            }
        }
        _ => {
            notes.push(
                "the base image is unknown: the image's OS-package findings stand in for it, \
                 so \"would fix\" may list findings of packages the image installed itself"
                    .to_string(),
            );
            (rank::os_findings(current), BaseFindingsSource::OsPackages)
        }
    };
    let ranked = rank::rank(
        &Current {
            base_name: base
                .as_ref()
                .map(|b| b.name.as_str())
                .filter(|n| !n.is_empty()),
            base_findings: &before,
            diff_ids: &current.metadata.diff_ids,
        },
        candidates,
    );
    let mut seen = std::collections::BTreeSet::new();
    notes.retain(|n| seen.insert(n.clone()));
    let advice = Advice {
        artifact_name: current.artifact_name.clone(),
        base_image: base,
        base_findings_from: from,
        base_findings: Counts::of(&before),
        candidates: ranked,
        warnings: notes,
    };
    Ok(advice)
}

/// Today in UTC, or `BULKHEAD_TODAY` (YYYY-MM-DD) to reproduce a report as
/// of another day (end-of-life states, ignore-rule expiry).
pub fn today() -> Result<time::Date> {
    match std::env::var("BULKHEAD_TODAY") {
        Ok(s) if !s.trim().is_empty() => bulkhead_advise::eol::parse_date(&s)
            .with_context(|| format!("BULKHEAD_TODAY={s:?} is not a date: use YYYY-MM-DD")),
        _ => Ok(time::OffsetDateTime::now_utc().date()),
    }
}

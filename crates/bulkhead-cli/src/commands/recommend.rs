//! `bulkhead image NAME --recommend`: scan candidate base images and rank
//! them (see `bulkhead_advise::rank` for the order), with what each would
//! fix and introduce compared with the current base.

use super::image::TargetArgs;
use super::request;
use super::request::registry_options;
use super::scan::{ImageArgs, engine_report, scan_report};
use super::summary::{self, identify_base, meta_sources};
use crate::args::GlobalArgs;
use anyhow::{Context, Result, bail};
use bulkhead_advise::base::{BaseImage, shared_prefix};
use bulkhead_advise::rank::{self, Advice, BaseFindingsSource, Candidate, Current};
use bulkhead_advise::summary::Counts;
use bulkhead_engine::Target;
use bulkhead_engine::advise::image_meta;
use bulkhead_image::Reference;
use bulkhead_image::registry::Registry;
use bulkhead_report::filter::{self, Filter};
use bulkhead_types::Report;
use std::path::Path;

/// The candidates: `--candidates`, or the tags of the base's repository
/// nearest its tag.
fn candidate_names(
    args: &ImageArgs,
    base: Option<&BaseImage>,
    notes: &mut Vec<String>,
) -> Result<Vec<String>> {
    let given: Vec<String> = args
        .advise
        .candidates
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
        anyhow::anyhow!(
            "the base image name {:?} is not an image reference ({e}): pass --candidates IMAGE,IMAGE,...",
            base.name
        )
    })?;
    let reg = Registry::new(&r.registry, registry_options(&args.target_args)?)?;
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
    let (tags, left) = rank::nearest_tags(r.tag.as_deref(), &list.tags, args.advise.max_candidates);
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

/// Scan an image named on the command line: an OCI layout directory is an
/// image here (a bare directory target would be read as a root filesystem).
fn scan_image(
    global: &GlobalArgs,
    name: &str,
    targs: &TargetArgs,
    scan: &super::scan::ScanArgs,
) -> Result<Report> {
    let p = Path::new(name);
    let target =
        if p.is_dir() && (p.join("index.json").is_file() || p.join("manifest.json").is_file()) {
            Ok(Target::File(p.to_path_buf()))
        } else {
            request::resolve(Some(name), None)
        };
    let req = request::for_target(global, target, targs.into(), Some(scan))?;
    engine_report(global, &req)
}

fn filtered(mut report: Report, filter: &Filter) -> Report {
    filter::apply(&mut report, filter);
    report
}

/// `bulkhead image NAME --recommend`.
pub fn run(global: &GlobalArgs, args: &ImageArgs) -> Result<i32> {
    let today = summary::today()?;
    let scan = summary::vuln_only(&args.scan);
    let filter = summary::report_filter(global, &scan, today)?;
    let targs = &args.target_args;
    let current = filtered(
        scan_report(global, args.target.as_deref(), targs, &scan)?,
        &filter,
    );
    let mut notes: Vec<String> = current.warnings.clone();
    let base = identify_base(&current, &args.advise, targs, &mut notes)?;
    let sources = meta_sources(targs)?;
    let names = candidate_names(args, base.as_ref(), &mut notes)?;
    let explicit = !args.advise.candidates.is_empty();
    // Candidates and the base are named, never the --input file (`scan_image`
    // and `image_meta` read the name only).

    let mut candidates = Vec::new();
    for name in &names {
        let scanned = scan_image(global, name, targs, &scan)
            .and_then(|report| Ok((report, image_meta(name, &sources)?)));
        match scanned {
            Ok((report, meta)) => candidates.push(Candidate {
                name: name.clone(),
                report: filtered(report, &filter),
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
                None => match image_meta(&b.name, &sources) {
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
            rank::findings_in_layers(&current, n),
            BaseFindingsSource::BaseLayers,
        ),
        (Some(b), None) if !b.name.is_empty() => {
            let known = candidates
                .iter()
                .find(|c| rank::same_name(&c.name, &b.name));
            let scanned = match known {
                Some(c) => Ok(c.report.clone()),
                None => scan_image(global, &b.name, targs, &scan).map(|r| filtered(r, &filter)),
            };
            match scanned {
                Ok(r) => (r, BaseFindingsSource::BaseScan),
                Err(e) => {
                    notes.push(format!(
                        "cannot scan the base image {} ({e:#}): its OS-package findings stand in",
                        b.name
                    ));
                    (rank::os_findings(&current), BaseFindingsSource::OsPackages)
                }
            }
        }
        _ => {
            notes.push(
                "the base image is unknown: the image's OS-package findings stand in for it, \
                 so \"would fix\" may list findings of packages the image installed itself"
                    .to_string(),
            );
            (rank::os_findings(&current), BaseFindingsSource::OsPackages)
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
    summary::write_view(global, &advice, bulkhead_report::advise::advice_text)?;
    Ok(0)
}

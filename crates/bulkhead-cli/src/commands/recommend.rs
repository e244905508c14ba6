//! `bulkhead image NAME --recommend`: scan candidate base images and rank
//! them (see `bulkhead_advise::rank` for the order), with what each would
//! fix and introduce compared with the current base.

use super::image::TargetArgs;
use super::request;
use super::scan::{ImageArgs, engine_report, scan_report};
use super::summary::{self, identify_base, meta_sources};
use crate::args::GlobalArgs;
use anyhow::Result;
use bulkhead_engine::Target;
use bulkhead_engine::advise::{self, RecommendInput};
use bulkhead_report::filter::{self, Filter};
use bulkhead_types::Report;

/// Scan an image named on the command line: an OCI layout directory is an
/// image here (a bare directory target would be read as a root filesystem).
fn scan_image(
    global: &GlobalArgs,
    name: &str,
    targs: &TargetArgs,
    scan: &super::scan::ScanArgs,
) -> Result<Report> {
    let target = Target::candidate(name).map_err(Into::into);
    let req = request::for_target(global, target, targs.into(), Some(scan))?;
    engine_report(global, &req)
}

fn filtered(mut report: Report, filter: &Filter) -> Report {
    filter::apply(&mut report, filter);
    report
}

/// `bulkhead image NAME --recommend`.
pub fn run(global: &GlobalArgs, args: &ImageArgs) -> Result<i32> {
    let today = bulkhead_engine::advise::today()?;
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
    let names = advise::candidate_names(
        &args.advise.candidates,
        base.as_ref(),
        args.advise.max_candidates,
        &sources.registry,
        &mut notes,
    )?;
    let explicit = !args.advise.candidates.is_empty();
    // Candidates and the base are named, never the --input file (`scan_image`
    // and `image_meta` read the name only).

    let scan_one = |name: &str| {
        scan_image(global, name, targs, &scan)
            .map(|r| filtered(r, &filter))
            .map_err(|e| bulkhead_engine::Error::classify(e.as_ref()))
    };
    let advice = advise::recommend(
        RecommendInput {
            current: &current,
            base,
            names,
            explicit,
            notes,
        },
        &sources,
        &scan_one,
    )?;
    crate::output::write_view(global, &advice, bulkhead_report::advise::advice_text)?;
    Ok(0)
}

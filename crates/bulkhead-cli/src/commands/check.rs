//! `bulkhead check`: flags → `bulkhead_engine::check::CheckRequest` →
//! the engine → `bulkhead_report::check` (filters, format, gates).

use super::image::TargetArgs;
use super::scan::ScanArgs;
use crate::args::GlobalArgs;
use crate::output;
use anyhow::Result;
use bulkhead_engine::Target;
use bulkhead_engine::check::{CheckRequest, Runtime};
use bulkhead_report::check as view;
use bulkhead_report::filter::Filter;
use clap::Args;
use std::path::PathBuf;

/// Flags of `bulkhead check`.
#[derive(Debug, Args)]
#[command(mut_arg("scanners", |a| a.default_value("vuln,secret,misconfig")))]
pub struct CheckArgs {
    /// The image: a name (daemon, then registry) or a file; default: the
    /// image the Compose service, run flags or container name.
    pub target: Option<String>,
    #[command(flatten)]
    pub target_args: TargetArgs,
    /// A Compose file; repeat to merge several in order, like `docker
    /// compose -f a.yml -f b.yml`.
    #[arg(long = "compose", value_name = "FILE")]
    pub compose: Vec<PathBuf>,
    /// The service of --compose (needed when it has several).
    #[arg(long, value_name = "NAME", requires = "compose")]
    pub service: Option<String>,
    /// A container (name or id), inspected through the Docker daemon.
    #[arg(long, value_name = "NAME|ID", conflicts_with_all = ["compose", "run"])]
    pub container: Option<String>,
    /// A `docker run …` command line (parsed, never executed).
    #[arg(long, value_name = "'docker run …'", conflicts_with = "compose")]
    pub run: Option<String>,
    /// The image's Dockerfile, linted with it.
    #[arg(long, value_name = "FILE")]
    pub dockerfile: Option<PathBuf>,
    /// Verify signatures against the `[policy]` of FILE (default: of
    /// bulkhead.toml when it has one; without a policy they are listed).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Exit 1 when any layer is `missing` (or `partial` or missing).
    #[arg(long, value_name = "missing|partial")]
    pub fail_on_layer: Option<String>,
    /// Candidate base images (comma-separated names or image files): each
    /// is scanned and ranked as `image --recommend` does, and the best one
    /// that fixes findings of this image becomes a step of the fix plan.
    #[arg(long, value_delimiter = ',', value_name = "IMAGE,...")]
    pub base_candidates: Vec<String>,
    /// Write the fix plan's files (Compose overrides, seccomp profile) into DIR.
    #[arg(long, value_name = "DIR")]
    pub write_fix: Option<PathBuf>,
    #[command(flatten)]
    pub scan: ScanArgs,
}

fn runtime(args: &CheckArgs) -> Runtime {
    match (&args.container, &args.run) {
        (Some(c), _) => Runtime::Container(c.clone()),
        (None, Some(r)) => Runtime::Run(r.clone()),
        (None, None) if !args.compose.is_empty() => Runtime::Compose {
            files: args.compose.clone(),
            service: args.service.clone(),
        },
        (None, None) => Runtime::Image,
    }
}

/// Run `bulkhead check`.
pub fn run(global: &GlobalArgs, args: CheckArgs) -> Result<i32> {
    let format = view::format(global.format.as_deref(), output::terminal(global))?;
    let gate = view::layer_gate(args.fail_on_layer.as_deref())?;
    let report_args = &args.scan.report;
    let (shown, policy) = (report_args.shown()?, report_args.policy()?);
    let given = args.target.is_some() || args.target_args.input.is_some();
    let target = match given {
        true => Target::resolve(args.target.as_deref(), args.target_args.input.as_deref())?,
        // The engine takes the runtime's image.
        false => Target::Name(String::new()),
    };
    let vex = super::vex::load(&args.scan.vex)?;
    let targs = (&args.target_args).into();
    let scan = super::request::for_target(global, Ok(target), targs, Some(&args.scan))?;
    let req = CheckRequest {
        image: given.then(|| scan.target.clone()),
        runtime: runtime(&args),
        dockerfile: args.dockerfile.clone(),
        policy: bulkhead_engine::trust::load_policy(
            global.config.as_deref(),
            args.policy.as_deref(),
        )?,
        scan,
        vex,
        base_candidates: args.base_candidates.clone(),
    };
    let secrets = global.settings()?.secret_scanner()?;
    let bars = crate::progress::Bars::new(global.quiet);
    let out = bulkhead_engine::check::check_with(&req, &secrets, &bars)?;
    if !global.quiet {
        out.warnings.iter().for_each(|w| tracing::warn!("{w}"));
    }
    let mut report = out.report;
    let filter = Filter {
        severities: shown,
        ignore_unfixed: args.scan.ignore_unfixed || args.scan.only_fixed,
        ignores: report_args.ignores(global)?,
        today: bulkhead_engine::settings::today_utc(),
    };
    let outcome = view::prepare(&mut report, &filter, args.scan.list_all_pkgs);
    if let Some(dir) = &args.write_fix {
        bulkhead_engine::check::write_fix(dir, &report)?;
    }
    let opts = bulkhead_report::WriteOptions {
        color: output::color(global),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        list_packages: false,
    };
    output::write_text(global, &view::render(&report, format, &opts)?)?;
    output::warn_blind_spots(&policy, &outcome);
    let code = policy.exit_code(&outcome);
    let failing = gate.map(|g| view::failing_layers(&report, g));
    match failing.filter(|f| code == 0 && !f.is_empty()) {
        Some(layers) => {
            if !global.quiet {
                let names: Vec<String> = layers.iter().map(ToString::to_string).collect();
                eprintln!(
                    "check: layers failing --fail-on-layer: {}",
                    names.join(", ")
                );
            }
            Ok(1)
        }
        None => Ok(code),
    }
}

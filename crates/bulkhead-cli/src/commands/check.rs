//! `bulkhead check`: flags → `bulkhead_engine::check::CheckRequest` →
//! the engine → `bulkhead_report::check` (filters, format, gates).

use super::image::TargetArgs;
use super::scan::ScanArgs;
use crate::args::GlobalArgs;
use crate::output;
use anyhow::{Context, Result, bail};
use bulkhead_engine::Target;
use bulkhead_engine::check::{CheckRequest, Runtime, SigningPolicy};
use bulkhead_report::check::{CHECK_FORMATS, CheckFormat};
use bulkhead_report::filter::Filter;
use bulkhead_types::check::{CheckReport, LayerState};
use clap::Args;
use std::io::IsTerminal;
use std::path::{Component, Path, PathBuf};

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
    /// Write the fix plan's files (Compose overrides, seccomp profile) into DIR.
    #[arg(long, value_name = "DIR")]
    pub write_fix: Option<PathBuf>,
    #[command(flatten)]
    pub scan: ScanArgs,
}

fn runtime(args: &CheckArgs) -> Runtime {
    if let Some(c) = &args.container {
        Runtime::Container(c.clone())
    } else if let Some(r) = &args.run {
        Runtime::Run(r.clone())
    } else if !args.compose.is_empty() {
        Runtime::Compose {
            files: args.compose.clone(),
            service: args.service.clone(),
        }
    } else {
        Runtime::Image
    }
}

/// Run `bulkhead check`.
pub fn run(global: &GlobalArgs, args: CheckArgs) -> Result<i32> {
    let format = choose_format(global)?;
    let fail_on_layer = match args.fail_on_layer.as_deref() {
        None => None,
        Some("missing") => Some(LayerState::Missing),
        Some("partial") => Some(LayerState::Partial),
        Some(other) => bail!("bad --fail-on-layer {other:?}: choose missing or partial"),
    };
    let (shown, _) = output::severities(&args.scan.report)?;
    let policy = output::exit_policy(&args.scan.report)?;
    let given = args.target.is_some() || args.target_args.input.is_some();
    let target = match given {
        true => Target::resolve(args.target.as_deref(), args.target_args.input.as_deref())?,
        // The engine takes the runtime's image.
        false => Target::Name(String::new()),
    };
    let scan = super::request::for_target(
        global,
        Ok(target),
        (&args.target_args).into(),
        Some(&args.scan),
    )?;
    let signing =
        super::verify::load_policy(global, args.policy.as_deref())?.map(|p| SigningPolicy {
            policy: p.policy,
            file: p.file,
        });
    let req = CheckRequest {
        image: given.then(|| scan.target.clone()),
        runtime: runtime(&args),
        dockerfile: args.dockerfile.clone(),
        policy: signing,
        scan,
    };
    let secrets = super::secret::load_scanner(global)?;
    let out = bulkhead_engine::check::check_with(
        &req,
        &secrets,
        &crate::progress::Bars::new(global.quiet),
    )?;
    if !global.quiet {
        for w in &out.warnings {
            tracing::warn!("{w}");
        }
    }
    let mut report = out.report;
    let filter = Filter {
        severities: shown,
        ignore_unfixed: args.scan.ignore_unfixed || args.scan.only_fixed,
        ignores: output::ignore_rules(global, &args.scan.report)?,
        today: output::today(),
    };
    let outcome = bulkhead_report::check::filter(&mut report, &filter);
    if !args.scan.list_all_pkgs {
        // As for `image`: the package lists only with --list-all-pkgs.
        for r in &mut report.report.results {
            r.packages.clear();
        }
    }
    if let Some(dir) = &args.write_fix {
        write_fix(dir, &report)?;
    }
    let color = !global.no_color
        && global.output.is_none()
        && std::env::var_os("NO_COLOR").is_none()
        && std::io::stdout().is_terminal();
    let opts = bulkhead_report::WriteOptions {
        color,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        list_packages: false,
    };
    let mut buf = Vec::new();
    bulkhead_report::check::write(&report, format, &opts, &mut buf)?;
    output::write_text(global, &String::from_utf8_lossy(&buf))?;
    output::warn_blind_spots(&policy, &outcome);
    let code = policy.exit_code(&outcome);
    if code != 0 {
        return Ok(code);
    }
    if let Some(threshold) = fail_on_layer {
        let failing = bulkhead_report::check::failing_layers(&report, threshold);
        if !failing.is_empty() {
            if !global.quiet {
                let names: Vec<String> = failing.iter().map(ToString::to_string).collect();
                eprintln!(
                    "check: layers {} or worse: {}",
                    threshold.words(),
                    names.join(", ")
                );
            }
            return Ok(1);
        }
    }
    Ok(0)
}

/// `--format` (default: table on a terminal, json otherwise).
fn choose_format(global: &GlobalArgs) -> Result<CheckFormat> {
    let name = match &global.format {
        Some(f) => f.as_str(),
        None if global.output.is_none() && std::io::stdout().is_terminal() => "table",
        None => "json",
    };
    CheckFormat::parse(name).with_context(|| {
        format!(
            "--format {name} is not available for check; choose one of: {}",
            CHECK_FORMATS.join(", ")
        )
    })
}

/// Write each step's file (`SaveAs`) and extra files into `dir`.
fn write_fix(dir: &Path, report: &CheckReport) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create --write-fix folder {}", dir.display()))?;
    let mut files: Vec<(&str, &str)> = Vec::new();
    for s in &report.fix_plan {
        if !s.save_as.is_empty() {
            files.push((&s.save_as, &s.snippet));
        }
        files.extend(
            s.files
                .iter()
                .map(|f| (f.path.as_str(), f.content.as_str())),
        );
    }
    for (name, content) in files {
        // Names come from the plan (service names among them): plain
        // relative names only, nothing that climbs out of `dir`.
        let rel = Path::new(name);
        if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
            bail!("refusing to write fix-plan file {name:?}: not a plain relative name");
        }
        let path = dir.join(rel);
        std::fs::write(&path, content)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

//! `bulkhead audit` (CIS Docker Benchmark live audit) and `bulkhead caps`
//! (capability masks and a container's capabilities).

use crate::args::{GlobalArgs, ReportArgs};
use anyhow::{Context, Result, bail};
use bulkhead_audit::capabilities::{self, ProcCaps};
use bulkhead_audit::checks::{self, Check};
use bulkhead_audit::engine::{self, CollectOptions};
use bulkhead_audit::report;
use bulkhead_types::text::{terminal_safe, terminal_safe_multiline};
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Flags of `bulkhead audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Audit only this running container (name or id): container checks
    /// (CIS 4.1 and section 5) only.
    #[arg(long, value_name = "NAME|ID")]
    pub container: Option<String>,
    /// Run only these checks: CIS ids or sections, comma-separated
    /// (e.g. `5`, `2.2,5.4`, `1.1`, `AUDIT-ENV-SECRETS`). Default: all.
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub checks: Vec<String>,
    /// Skip these checks (same syntax as --checks); adds to `[audit] skip`
    /// in bulkhead.toml.
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub skip: Vec<String>,
    /// Compare with an earlier `bulkhead audit --format json` report and
    /// show only what drifted (changed, new, or gone).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Do not list each container's processes (skips CIS 5.7, one API call
    /// per container).
    #[arg(long)]
    pub no_processes: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// `[audit] skip` of the settings file.
fn settings_skip(global: &GlobalArgs) -> Result<Vec<String>> {
    Ok(super::settings::load(global)?.settings.audit.skip)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            anyhow::Error::new(crate::Internal(format!(
                "cannot start the async runtime: {e}"
            )))
        })
}

/// Run `bulkhead audit`.
pub fn run(global: &GlobalArgs, args: AuditArgs) -> Result<i32> {
    // Validate the format before talking to the daemon.
    crate::output::choose_format(global, crate::output::FINDING_FORMATS)?;
    let mut skip = settings_skip(global)?;
    skip.extend(args.skip.iter().cloned());
    let selected: Vec<&'static Check> = checks::all()
        .filter(|c| args.checks.is_empty() || args.checks.iter().any(|s| c.selected_by(s)))
        .filter(|c| !skip.iter().any(|s| c.selected_by(s)))
        .collect();
    if selected.is_empty() {
        bail!(
            "--checks {} selects no check: give CIS ids or sections such as 5 or 2.2,5.4",
            args.checks.join(",")
        );
    }
    let baseline = match &args.baseline {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read baseline {}", p.display()))?;
            let r: bulkhead_types::Report = serde_json::from_str(&text).with_context(|| {
                format!(
                    "baseline {} is not a JSON report: produce it with `bulkhead audit --format json -o FILE`",
                    p.display()
                )
            })?;
            Some(r)
        }
        None => None,
    };
    let opts = CollectOptions {
        container: args.container.clone(),
        processes: !args.no_processes,
    };
    let snap = runtime()?.block_on(async {
        let docker = engine::connect().await?;
        engine::collect(&docker, &opts).await
    })?;
    let name = snap
        .daemon
        .info
        .name
        .clone()
        .unwrap_or_else(engine::daemon_address);
    let mut rep = report::build_report(&snap, selected, &name);
    if let Some(base) = &baseline {
        let drifts = report::apply_baseline(&mut rep, base);
        if !global.quiet {
            let since = args
                .baseline
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            eprintln!(
                "{} check result(s) drifted since {}",
                drifts.len(),
                terminal_safe(&since)
            );
        }
    }
    if !global.quiet {
        for w in &rep.warnings {
            eprintln!("warning: {}", terminal_safe(w));
        }
    }
    crate::output::emit(
        rep,
        global,
        &args.report,
        crate::output::FINDING_FORMATS,
        crate::output::EmitOptions::default(),
    )
}

/// Flags of `bulkhead caps`.
#[derive(Debug, Args)]
pub struct CapsArgs {
    #[command(subcommand)]
    pub command: CapsCommand,
}

/// `bulkhead caps` subcommands.
#[derive(Debug, Subcommand)]
pub enum CapsCommand {
    /// Decode a capability mask as `capsh --decode` does (hex, with or
    /// without 0x, e.g. 00000000a80425fb), with a table of bit, name and
    /// whether Docker grants it by default. `--format json` for JSON.
    Decode {
        /// The mask (up to 16 hex digits).
        hex: String,
    },
    /// Show a running container's capabilities: CapAdd/CapDrop/Privileged
    /// from inspect and the effective, permitted, bounding, inheritable and
    /// ambient sets of its init process (/proc/PID/status), marking those
    /// beyond Docker's default set.
    Inspect {
        /// Container name or id.
        container: String,
    },
}

fn mark(bit: &capabilities::CapBit) -> &'static str {
    match (bit.docker_default, bit.high_risk) {
        (true, _) => "yes",
        (false, true) => "no  (beyond default, high risk)",
        (false, false) => "no  (beyond default)",
    }
}

fn table(mask: u64) -> String {
    let mut out = format!("{:>4}  {:<24}  {}\n", "BIT", "NAME", "DOCKER DEFAULT");
    for b in capabilities::decode(mask) {
        out.push_str(&format!("{:>4}  {:<24}  {}\n", b.bit, b.name, mark(&b)));
    }
    out
}

fn json_format(global: &GlobalArgs) -> Result<bool> {
    match global.format.as_deref() {
        None | Some("table") => Ok(false),
        Some("json") => Ok(true),
        Some(f) => bail!("--format {f} is not available for caps; choose table or json"),
    }
}

/// Run `bulkhead caps`.
pub fn run_caps(global: &GlobalArgs, args: CapsArgs) -> Result<i32> {
    let json = json_format(global)?;
    match args.command {
        CapsCommand::Decode { hex } => {
            let mask = capabilities::parse_mask(&hex)?;
            let text = if json {
                let v = serde_json::json!({
                    "mask": format!("0x{mask:016x}"),
                    "capsh": capabilities::capsh_line(mask),
                    "capabilities": capabilities::decode(mask),
                    "beyond_docker_default": capabilities::names(mask & !capabilities::docker_default_mask()),
                });
                format!("{}\n", bulkhead_types::text::to_json_pretty(&v)?)
            } else {
                format!("{}\n\n{}", capabilities::capsh_line(mask), table(mask))
            };
            crate::output::write_text(global, &text)?;
            Ok(0)
        }
        CapsCommand::Inspect { container } => {
            let caps = runtime()?.block_on(async {
                let docker = engine::connect().await?;
                engine::container_caps(&docker, &container).await
            })?;
            let default = capabilities::docker_default_mask();
            let text = if json {
                let sets = caps.process.map(|p| {
                    let set = |m: u64| {
                        serde_json::json!({
                            "mask": format!("0x{m:016x}"),
                            "names": capabilities::names(m),
                            "beyond_docker_default": capabilities::names(m & !default),
                        })
                    };
                    serde_json::json!({
                        "effective": set(p.effective), "permitted": set(p.permitted),
                        "bounding": set(p.bounding), "inheritable": set(p.inheritable),
                        "ambient": set(p.ambient),
                    })
                });
                let v = serde_json::json!({
                    "container": caps.name, "id": caps.id, "pid": caps.pid,
                    "privileged": caps.privileged, "cap_add": caps.cap_add, "cap_drop": caps.cap_drop,
                    "expected_bounding": format!("0x{:016x}", caps.expected_bounding),
                    "process": sets, "note": caps.process_note,
                });
                format!("{}\n", bulkhead_types::text::to_json_pretty(&v)?)
            } else {
                // Names and the daemon's notes come from the daemon.
                terminal_safe_multiline(&inspect_text(&caps, default)).into_owned()
            };
            crate::output::write_text(global, &text)?;
            Ok(0)
        }
    }
}

fn inspect_text(caps: &engine::ContainerCaps, default: u64) -> String {
    let mut out = format!(
        "container {} (pid {})\nprivileged: {}\nCapAdd: {:?}\nCapDrop: {:?}\nexpected bounding set: {}\n",
        caps.name,
        caps.pid,
        caps.privileged,
        caps.cap_add,
        caps.cap_drop,
        capabilities::capsh_line(caps.expected_bounding)
    );
    match caps.process {
        Some(ProcCaps {
            inheritable,
            permitted,
            effective,
            bounding,
            ambient,
        }) => {
            for (label, m) in [
                ("CapEff", effective),
                ("CapPrm", permitted),
                ("CapBnd", bounding),
                ("CapInh", inheritable),
                ("CapAmb", ambient),
            ] {
                let beyond = capabilities::names(m & !default);
                out.push_str(&format!(
                    "{label}: {}\n{}",
                    capabilities::capsh_line(m),
                    if beyond.is_empty() {
                        String::new()
                    } else {
                        format!("  beyond Docker's default set: {}\n", beyond.join(", "))
                    }
                ));
            }
            out.push('\n');
            out.push_str("effective set:\n");
            out.push_str(&table(effective));
        }
        None => out.push_str(&format!(
            "process sets unavailable: {}\n",
            caps.process_note.clone().unwrap_or_default()
        )),
    }
    out
}

//! `bulkhead audit` (CIS Docker Benchmark live audit) and `bulkhead caps`
//! (capability masks and a container's capabilities).

use crate::args::{GlobalArgs, ReportArgs};
use anyhow::Result;
use bulkhead_audit::capabilities;
use bulkhead_engine::audit::{self, AuditRequest};
use bulkhead_types::text::terminal_safe;
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

/// Run `bulkhead audit` (`bulkhead_engine::audit`).
pub fn run(global: &GlobalArgs, args: AuditArgs) -> Result<i32> {
    // Validate the format before talking to the daemon.
    crate::output::choose_format(global, crate::output::FINDING_FORMATS)?;
    let mut skip = global.settings()?.settings.audit.skip;
    skip.extend(args.skip.iter().cloned());
    let plan = audit::plan(&AuditRequest {
        container: args.container.clone(),
        checks: args.checks.clone(),
        skip,
        baseline: args.baseline.clone(),
        processes: !args.no_processes,
    })?;
    let out = runtime()?.block_on(audit::run(plan))?;
    if !global.quiet {
        if let (Some(n), Some(since)) = (out.drifts, &args.baseline) {
            let since = since.display().to_string();
            eprintln!(
                "{n} check result(s) drifted since {}",
                terminal_safe(&since)
            );
        }
        for w in &out.report.warnings {
            eprintln!("warning: {}", terminal_safe(w));
        }
    }
    crate::output::emit_findings(out.report, global, &args.report)
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

/// Run `bulkhead caps`.
pub fn run_caps(global: &GlobalArgs, args: CapsArgs) -> Result<i32> {
    let json = bulkhead_report::flags::table_or_json(global.format.as_deref(), "caps")?;
    let text = match args.command {
        CapsCommand::Decode { hex } => {
            let mask = capabilities::parse_mask(&hex)?;
            bulkhead_report::caps::decode(&capabilities::view(mask), json)?
        }
        CapsCommand::Inspect { container } => {
            let caps = runtime()?.block_on(audit::container_caps(&container))?;
            bulkhead_report::caps::inspect(&capabilities::container_view(&caps), json)?
        }
    };
    crate::output::write_text(global, &text)?;
    Ok(0)
}

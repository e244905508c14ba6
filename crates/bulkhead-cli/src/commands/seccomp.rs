//! `bulkhead seccomp generate|lint|diff`: flags handed to `bulkhead-profile`
//! (`files` reads profiles and recordings), output written as given.

use crate::args::{GlobalArgs, ReportArgs};
use anyhow::{Context, Result, bail};
use bulkhead_profile::{diff, files, generate};
use bulkhead_report::flags;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Flags of `bulkhead seccomp`.
#[derive(Debug, Args)]
pub struct SeccompArgs {
    #[command(subcommand)]
    pub command: SeccompCommand,
}

/// Seccomp subcommands.
#[derive(Debug, Subcommand)]
pub enum SeccompCommand {
    /// Generate an allow-list profile (Docker/OCI JSON) from the syscalls a
    /// workload uses: strace output, audit log lines, or a list of names.
    /// Several inputs are merged.
    Generate(GenerateArgs),
    /// Check a profile for dangerous allowed syscalls and weak defaults.
    Lint(LintArgs),
    /// Compare two profiles (or one with Docker's default) syscall by syscall.
    Diff(DiffArgs),
}

/// Flags of `bulkhead seccomp generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// strace output: a raw trace (`strace -f -o FILE CMD`) or the whole
    /// summary table (`strace -c -f CMD`); detected from the content. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub strace: Vec<PathBuf>,
    /// Kernel audit or syslog lines (`type=SECCOMP` / `type=1326`) recorded
    /// under the `--log-all` profile; numbers are mapped per `arch=`. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub audit: Vec<PathBuf>,
    /// Syscall names, comma-separated (checked against the x86_64, x86,
    /// aarch64 and arm tables).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub syscalls: Vec<String>,
    /// Write the recording profile instead: every syscall allowed and logged
    /// (defaultAction SCMP_ACT_LOG), for a run whose audit lines feed `--audit`.
    #[arg(long, conflicts_with_all = ["strace", "audit", "syscalls"])]
    pub log_all: bool,
    /// Errno returned for denied syscalls (default 1 = EPERM).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub errno: u32,
    /// Do not add the syscalls the container runtime (runc) needs after the
    /// filter is installed; only for runtimes that install it right before exec.
    #[arg(long)]
    pub no_runtime_syscalls: bool,
}

/// Flags of `bulkhead seccomp lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Profile JSON file, `docker-default`, or `unconfined`.
    pub profile: String,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Flags of `bulkhead seccomp diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Profile A (JSON file or `docker-default`).
    pub a: String,
    /// Profile B (JSON file or `docker-default`); omit with --against.
    pub b: Option<String>,
    /// Compare A with a built-in profile instead of B: `docker-default`.
    #[arg(long, value_name = "NAME", conflicts_with = "b")]
    pub against: Option<String>,
}

pub fn run(global: &GlobalArgs, args: SeccompArgs) -> Result<i32> {
    match args.command {
        SeccompCommand::Generate(a) => run_generate(global, a),
        SeccompCommand::Lint(a) => run_lint(global, a),
        SeccompCommand::Diff(a) => run_diff(global, a),
    }
}

/// A profile or recording file error: the embedded profile failing to
/// parse is Bulkhead's fault (exit 3), the rest the input's.
fn file_error(e: files::FileError) -> anyhow::Error {
    match e {
        files::FileError::BuiltIn(e) => crate::Internal(e.to_string()).into(),
        e => e.into(),
    }
}

fn run_generate(global: &GlobalArgs, args: GenerateArgs) -> Result<i32> {
    if args.log_all {
        crate::output::write_text(global, &generate::log_all_profile().to_json())?;
        return Ok(0);
    }
    if args.strace.is_empty() && args.audit.is_empty() && args.syscalls.is_empty() {
        bail!(
            "nothing to generate from: pass --strace FILE, --audit FILE or --syscalls a,b,c (or --log-all for a recording profile)"
        );
    }
    let mut names = files::syscall_names(&args.strace, &args.audit).map_err(file_error)?;
    if !args.syscalls.is_empty() {
        names.extend(generate::parse_names(&args.syscalls.join(",")).context("--syscalls")?);
    }
    let opts = generate::GenerateOptions {
        errno_ret: args.errno,
        runtime_syscalls: !args.no_runtime_syscalls,
    };
    let generated = generate::generate(&names, &opts).context("cannot generate the profile")?;
    if !generated.beyond_default.is_empty() && !global.quiet {
        eprintln!(
            "warning: allowed although Docker's default profile blocks them: {} (check with `bulkhead seccomp lint`)",
            generated.beyond_default.join(", ")
        );
    }
    crate::output::write_text(global, &generated.profile.to_json())?;
    Ok(0)
}

fn run_lint(global: &GlobalArgs, args: LintArgs) -> Result<i32> {
    crate::output::emit_findings(
        files::lint_report(&args.profile).map_err(file_error)?,
        global,
        &args.report,
    )
}

fn run_diff(global: &GlobalArgs, args: DiffArgs) -> Result<i32> {
    let b_spec = match (&args.b, &args.against) {
        (Some(b), None) => b.clone(),
        (None, Some(name)) if name == files::DOCKER_DEFAULT => name.clone(),
        (None, Some(name)) => {
            bail!("--against {name}: the only built-in profile is `docker-default`")
        }
        _ => bail!("give profile B, or --against docker-default"),
    };
    let (a_name, a) = files::load(&args.a).map_err(file_error)?;
    let (b_name, b) = files::load(&b_spec).map_err(file_error)?;
    let d = diff::diff(&a_name, &a, &b_name, &b);
    let text = if flags::table_or_json(global.format.as_deref(), "seccomp diff")? {
        bulkhead_report::seccomp::diff_json(&d).map_err(|e| crate::Internal(e.to_string()))?
    } else {
        bulkhead_report::seccomp::diff_text(&d)
    };
    crate::output::write_text(global, &text)?;
    Ok(0)
}

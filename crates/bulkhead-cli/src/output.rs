//! Turning a report into output: the report flags handed to
//! `bulkhead-report` (`flags`), the settings' ignore rules, the output file
//! and the exit code. Every scanning command ends here.

use crate::args::{GlobalArgs, ReportArgs};
use anyhow::{Context, Result};
use bulkhead_report::filter::{Filter, IgnoreRule};
use bulkhead_report::{ExitPolicy, FilterOutcome, Format, SortBy, WriteOptions, flags};
use bulkhead_types::{Report, Severity};
use std::io::{IsTerminal, Write};

/// The formats each kind of command offers: `bulkhead-report` owns the
/// lists, so a new format is added there alone.
pub use bulkhead_report::{FINDING_FORMATS, SCAN_FORMATS};

/// Whether a person reads stdout: no `--output` and stdout is a terminal.
pub fn terminal(global: &GlobalArgs) -> bool {
    global.output.is_none() && std::io::stdout().is_terminal()
}

/// Whether to colour text output (a terminal, no `--no-color`, no `NO_COLOR`).
pub fn color(global: &GlobalArgs) -> bool {
    !global.no_color && std::env::var_os("NO_COLOR").is_none() && terminal(global)
}

/// Resolve `--format` against what the command supports.
pub fn choose_format(global: &GlobalArgs, allowed: &[&str]) -> Result<Format> {
    Ok(flags::format(
        global.format.as_deref(),
        terminal(global),
        allowed,
    )?)
}

impl ReportArgs {
    /// `--severity` (and `--fail-on`, checked with it).
    pub fn shown(&self) -> Result<Option<Vec<Severity>>> {
        let shown = flags::severities(&self.severity)?;
        flags::fail_on(self.fail_on.as_deref())?;
        Ok(shown)
    }

    /// The exit policy of `--exit-code`, `--fail-on`, `--fail-on-kev` and
    /// `--epss-threshold`.
    pub fn policy(&self) -> Result<ExitPolicy> {
        Ok(ExitPolicy::from_flags(
            self.exit_code,
            self.fail_on.as_deref(),
            self.fail_on_kev,
            self.epss_threshold,
        )?)
    }

    /// Ignore rules from `--config` (or ./bulkhead.toml) and `--ignorefile`
    /// (or ./.trivyignore).
    pub fn ignores(&self, global: &GlobalArgs) -> Result<Vec<IgnoreRule>> {
        Ok(global
            .settings()?
            .ignore_rules(self.ignorefile.as_deref())?)
    }
}

/// Warn on stderr when a gate could not see some findings.
pub fn warn_blind_spots(policy: &ExitPolicy, outcome: &FilterOutcome) {
    if let Some(w) = policy.blind_spot_warning(outcome) {
        tracing::warn!("{w}");
    }
}

/// Extra knobs for [`emit`].
#[derive(Debug, Clone, Copy, Default)]
pub struct EmitOptions {
    pub ignore_unfixed: bool,
    pub list_packages: bool,
}

/// Filter `report`, write it, and return the exit code.
pub fn emit(
    mut report: Report,
    global: &GlobalArgs,
    args: &ReportArgs,
    allowed_formats: &[&str],
    opts: EmitOptions,
) -> Result<i32> {
    let format = choose_format(global, allowed_formats)?;
    let shown = args.shown()?;
    let policy = args.policy()?;
    let order: Option<SortBy> = flags::sort_by(args.sort_by.as_deref())?;
    let filter = Filter {
        severities: shown,
        ignore_unfixed: opts.ignore_unfixed,
        ignores: args.ignores(global)?,
        today: bulkhead_engine::settings::today_utc(),
    };
    let outcome = bulkhead_report::prepare(&mut report, &filter, order, format);
    write(&report, global, format, opts.list_packages)?;
    warn_blind_spots(&policy, &outcome);
    Ok(policy.exit_code(&outcome))
}

/// [`emit`] for the commands that produce findings but no packages
/// (`config`, `audit`, `seccomp lint`).
pub fn emit_findings(report: Report, global: &GlobalArgs, args: &ReportArgs) -> Result<i32> {
    emit(
        report,
        global,
        args,
        FINDING_FORMATS,
        EmitOptions::default(),
    )
}

/// Write a report (already filtered) to `--output` or stdout.
pub fn write(
    report: &Report,
    global: &GlobalArgs,
    format: Format,
    list_packages: bool,
) -> Result<()> {
    let wopts = WriteOptions {
        color: color(global),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        list_packages,
    };
    match &global.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create output file {}", path.display()))?;
            let mut w = std::io::BufWriter::new(file);
            bulkhead_report::write_report(report, format, &wopts, &mut w)?;
            w.flush()
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            match bulkhead_report::write_report(report, format, &wopts, &mut w) {
                Ok(()) => {}
                // A closed pipe (`| head`) is not an error worth a message.
                Err(bulkhead_report::WriteError::Io(e))
                    if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(e) => return Err(e.into()),
            }
            let _ = w.flush();
        }
    }
    Ok(())
}

/// Write a view that is not a report (a summary, recommendations) as its
/// table text or JSON (`--format table|json`).
pub fn write_view<T: serde::Serialize>(
    global: &GlobalArgs,
    view: &T,
    text: impl FnOnce(&T) -> String,
) -> Result<()> {
    let format = choose_format(global, &["table", "json"])?;
    let out = bulkhead_report::view_text(view, format, text)
        .map_err(|e| crate::Internal(format!("cannot serialise the view: {e}")))?;
    write_text(global, &out)
}

/// Write raw text (profiles, override files) to `--output` or stdout.
pub fn write_text(global: &GlobalArgs, text: &str) -> Result<()> {
    match &global.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write output file {}", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            Ok(())
        }
    }
}

//! Turning a report into output: filters, ignore files, format choice, the
//! output file and the exit code. Every scanning command ends here.

use crate::args::{GlobalArgs, ReportArgs};
use crate::commands::settings::IgnoreEntry;
use anyhow::{Context, Result, bail};
use bulkhead_report::filter::{self, Filter, IgnoreRule};
use bulkhead_report::{ExitPolicy, FilterOutcome, Format, SortBy, WriteOptions};
use bulkhead_types::{Report, Severity};
use std::io::{IsTerminal, Write};

/// The formats each kind of command offers: `bulkhead-report` owns the
/// lists, so a new format is added there alone.
pub use bulkhead_report::{FINDING_FORMATS, SCAN_FORMATS};

/// Resolve `--format` against what the command supports.
pub fn choose_format(global: &GlobalArgs, allowed: &[&str]) -> Result<Format> {
    let name = match &global.format {
        Some(f) => f.as_str(),
        None if global.output.is_none() && std::io::stdout().is_terminal() => "table",
        None => "json",
    };
    if !allowed.contains(&name) {
        bail!(
            "--format {name} is not available here; choose one of: {}",
            allowed.join(", ")
        );
    }
    Format::parse(name).with_context(|| format!("unknown format {name}"))
}

/// Today's date (UTC) as YYYY-MM-DD, for ignore-rule expiry.
pub fn today() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}",
        now.year(),
        u8::from(now.month()),
        now.day()
    )
}

/// Ignore rules from `--config` (or ./bulkhead.toml) and `--ignorefile`.
pub fn ignore_rules(global: &GlobalArgs, args: &ReportArgs) -> Result<Vec<IgnoreRule>> {
    let mut rules = Vec::new();
    for entry in crate::commands::settings::load(global)?.settings.ignore.ids {
        rules.push(match entry {
            IgnoreEntry::Id(id) => IgnoreRule {
                id,
                paths: Vec::new(),
                expires: None,
            },
            IgnoreEntry::Full(t) => IgnoreRule {
                id: t.id,
                paths: t.paths,
                expires: t.expires,
            },
        });
    }
    if let Some(path) = &args.ignorefile {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read ignore file {}", path.display()))?;
        rules.extend(filter::parse_trivyignore(&text));
    } else if std::path::Path::new(".trivyignore").is_file() {
        let text = std::fs::read_to_string(".trivyignore").context("cannot read .trivyignore")?;
        rules.extend(filter::parse_trivyignore(&text));
    }
    Ok(rules)
}

/// Parse `--severity` and `--fail-on`.
pub fn severities(args: &ReportArgs) -> Result<(Option<Vec<Severity>>, Option<Severity>)> {
    let shown = if args.severity.is_empty() {
        None
    } else {
        Some(
            args.severity
                .iter()
                .map(|s| s.parse::<Severity>().map_err(anyhow::Error::from))
                .collect::<Result<Vec<_>>>()
                .context("bad --severity")?,
        )
    };
    let fail_on = match &args.fail_on {
        Some(s) => Some(s.parse::<Severity>().context("bad --fail-on")?),
        None => None,
    };
    Ok((shown, fail_on))
}

/// The exit policy of `--exit-code`, `--fail-on`, `--fail-on-kev` and
/// `--epss-threshold`.
pub fn exit_policy(args: &ReportArgs) -> Result<ExitPolicy> {
    let (_, fail_on) = severities(args)?;
    if let Some(p) = args.epss_threshold
        && !(p.is_finite() && (0.0..=1.0).contains(&p))
    {
        bail!("bad --epss-threshold {p}: give a probability between 0 and 1, e.g. 0.1");
    }
    Ok(ExitPolicy {
        exit_code: args.exit_code,
        fail_on,
        fail_on_kev: args.fail_on_kev,
        epss_threshold: args.epss_threshold,
    })
}

/// `--sort-by`, parsed.
pub fn sort_by(args: &ReportArgs) -> Result<Option<SortBy>> {
    args.sort_by
        .as_deref()
        .map(|s| {
            SortBy::parse(s)
                .with_context(|| format!("bad --sort-by {s:?}: choose one of {}", SortBy::NAMES))
        })
        .transpose()
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
    let (shown, _) = severities(args)?;
    let policy = exit_policy(args)?;
    let order = sort_by(args)?;
    let filter = Filter {
        severities: shown,
        ignore_unfixed: opts.ignore_unfixed,
        ignores: ignore_rules(global, args)?,
        today: today(),
    };
    let outcome = filter::apply(&mut report, &filter);
    // The table reads best most urgent first; JSON keeps its stable order
    // unless an order is asked for.
    match (order, format) {
        (Some(key), _) => bulkhead_report::sort::sort_report(&mut report, key),
        (None, Format::Table) => bulkhead_report::sort::sort_report(&mut report, SortBy::Risk),
        _ => {}
    }
    write(&report, global, format, opts.list_packages)?;
    warn_blind_spots(&policy, &outcome);
    Ok(policy.exit_code(&outcome))
}

/// Write a report (already filtered) to `--output` or stdout.
pub fn write(
    report: &Report,
    global: &GlobalArgs,
    format: Format,
    list_packages: bool,
) -> Result<()> {
    let color = !global.no_color
        && global.output.is_none()
        && std::env::var_os("NO_COLOR").is_none()
        && std::io::stdout().is_terminal();
    let wopts = WriteOptions {
        color,
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

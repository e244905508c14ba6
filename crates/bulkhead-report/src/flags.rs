//! The report flags as given on a command line, parsed: `--format` against
//! what a command offers, `--severity`, `--fail-on`, `--exit-code`,
//! `--fail-on-kev`, `--epss-threshold` and `--sort-by`. Callers pass the
//! strings in; the errors name the flag and say what to give instead.

use crate::diff::DiffFormat;
use crate::{ExitPolicy, FilterOutcome, Format, SortBy};
use bulkhead_types::{ParseSeverityError, Severity};

/// A report flag that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FlagError {
    /// A format this command does not offer.
    #[error("--format {name} is not available here; choose one of: {allowed}")]
    FormatNotHere { name: String, allowed: String },
    /// A format `bulkhead diff` does not offer.
    #[error("--format {name} is not available for diff; choose one of: {allowed}", allowed = DIFF_FORMATS.join(", "))]
    DiffFormat { name: String },
    /// A command with table or JSON output only was asked for another.
    #[error("--format {name} is not available for {command}; choose table or json")]
    TableOrJson { name: String, command: &'static str },
    /// A name in a command's format list that no writer knows.
    #[error("unknown format {0}")]
    UnknownFormat(String),
    #[error("bad --severity")]
    Severity(#[source] ParseSeverityError),
    #[error("bad --fail-on")]
    FailOn(#[source] ParseSeverityError),
    #[error("bad --epss-threshold {0}: give a probability between 0 and 1, e.g. 0.1")]
    Epss(f64),
    #[error("bad --sort-by {0:?}: choose one of {names}", names = SortBy::NAMES)]
    SortBy(String),
}

/// The format of `--format` (`requested`), checked against what the command
/// offers (`allowed`); without one, `table` when `terminal` (stdout is a
/// terminal and no output file is given), else `json`.
pub fn format(
    requested: Option<&str>,
    terminal: bool,
    allowed: &[&str],
) -> Result<Format, FlagError> {
    let name = match requested {
        Some(f) => f,
        None if terminal => "table",
        None => "json",
    };
    if !allowed.contains(&name) {
        return Err(FlagError::FormatNotHere {
            name: name.to_string(),
            allowed: allowed.join(", "),
        });
    }
    Format::parse(name).ok_or_else(|| FlagError::UnknownFormat(name.to_string()))
}

/// The formats of `bulkhead diff` (`md` is read as `markdown` too).
pub const DIFF_FORMATS: &[&str] = &["table", "json", "markdown"];

/// `bulkhead diff`'s `--format`; without one, `table` when `terminal`, else
/// `json`.
pub fn diff_format(requested: Option<&str>, terminal: bool) -> Result<DiffFormat, FlagError> {
    let name = requested.unwrap_or(if terminal { "table" } else { "json" });
    DiffFormat::parse(name).ok_or_else(|| FlagError::DiffFormat {
        name: name.to_string(),
    })
}

/// `--format` of a command that writes a table (the default, terminal or
/// not) or JSON (`seccomp diff`, `caps`, named `command` in the error):
/// whether JSON was asked for.
pub fn table_or_json(requested: Option<&str>, command: &'static str) -> Result<bool, FlagError> {
    match requested {
        None | Some("table") => Ok(false),
        Some("json") => Ok(true),
        Some(name) => Err(FlagError::TableOrJson {
            name: name.to_string(),
            command,
        }),
    }
}

/// `--severity` (None when not given: every severity is shown).
pub fn severities(names: &[String]) -> Result<Option<Vec<Severity>>, FlagError> {
    if names.is_empty() {
        return Ok(None);
    }
    names
        .iter()
        .map(|s| s.parse::<Severity>().map_err(FlagError::Severity))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// `--fail-on`.
pub fn fail_on(name: Option<&str>) -> Result<Option<Severity>, FlagError> {
    name.map(|s| s.parse::<Severity>().map_err(FlagError::FailOn))
        .transpose()
}

/// `--sort-by`.
pub fn sort_by(name: Option<&str>) -> Result<Option<SortBy>, FlagError> {
    name.map(|s| SortBy::parse(s).ok_or_else(|| FlagError::SortBy(s.to_string())))
        .transpose()
}

impl ExitPolicy {
    /// The policy of `--exit-code`, `--fail-on`, `--fail-on-kev` and
    /// `--epss-threshold` (checked in that order).
    pub fn from_flags(
        exit_code: Option<i32>,
        fail_on: Option<&str>,
        fail_on_kev: bool,
        epss_threshold: Option<f64>,
    ) -> Result<ExitPolicy, FlagError> {
        let fail_on = self::fail_on(fail_on)?;
        if let Some(p) = epss_threshold
            && !(p.is_finite() && (0.0..=1.0).contains(&p))
        {
            return Err(FlagError::Epss(p));
        }
        Ok(ExitPolicy {
            exit_code,
            fail_on,
            fail_on_kev,
            epss_threshold,
        })
    }

    /// `bulkhead diff`'s exit code: `--fail-on`, `--fail-on-kev` and
    /// `--epss-threshold` look at every introduced finding (`outcome`),
    /// shown or not; `--exit-code` applies when `introduced` (the introduced
    /// findings `--severity` shows) is not zero.
    pub fn diff_exit_code(&self, outcome: &FilterOutcome, introduced: usize) -> i32 {
        let gates = ExitPolicy {
            exit_code: None,
            ..*self
        };
        if gates.exit_code(outcome) != 0 {
            return 1;
        }
        match self.exit_code {
            Some(code) if introduced > 0 => code,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let all = crate::SCAN_FORMATS;
        assert_eq!(format(None, true, all).unwrap(), Format::Table);
        assert_eq!(format(None, false, all).unwrap(), Format::Json);
        assert_eq!(format(Some("sarif"), true, all).unwrap(), Format::Sarif);
        let e = format(Some("cyclonedx"), true, crate::FINDING_FORMATS).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--format cyclonedx is not available here; choose one of: table, json, sarif"
        );
        let e = format(Some("x"), true, &["x"]).unwrap_err();
        assert_eq!(e.to_string(), "unknown format x");
    }

    #[test]
    fn diff_and_table_or_json_formats() {
        assert_eq!(diff_format(None, true).unwrap(), DiffFormat::Table);
        assert_eq!(diff_format(None, false).unwrap(), DiffFormat::Json);
        assert_eq!(
            diff_format(Some("md"), false).unwrap(),
            DiffFormat::Markdown
        );
        let e = diff_format(Some("sarif"), true).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--format sarif is not available for diff; choose one of: table, json, markdown"
        );
        assert!(!table_or_json(None, "caps").unwrap());
        assert!(table_or_json(Some("json"), "caps").unwrap());
        let e = table_or_json(Some("sarif"), "seccomp diff").unwrap_err();
        assert_eq!(
            e.to_string(),
            "--format sarif is not available for seccomp diff; choose table or json"
        );
    }

    #[test]
    fn severities_and_gates() {
        assert_eq!(severities(&[]).unwrap(), None);
        let s = severities(&["high".into(), "CRITICAL".into()]).unwrap();
        assert_eq!(s, Some(vec![Severity::High, Severity::Critical]));
        let e = severities(&["HIGH".into(), "urgent".into()]).unwrap_err();
        assert!(e.to_string() == "bad --severity" && std::error::Error::source(&e).is_some());
        assert!(matches!(fail_on(Some("nope")), Err(FlagError::FailOn(_))));
        assert_eq!(fail_on(Some("low")).unwrap(), Some(Severity::Low));
        let p = ExitPolicy::from_flags(Some(3), Some("high"), true, Some(0.5)).unwrap();
        assert_eq!(
            (p.exit_code, p.fail_on, p.fail_on_kev),
            (Some(3), Some(Severity::High), true)
        );
        for bad in [7.0, -0.1, f64::NAN, f64::INFINITY] {
            let e = ExitPolicy::from_flags(None, None, false, Some(bad)).unwrap_err();
            assert!(e.to_string().starts_with("bad --epss-threshold"), "{e}");
        }
        // --fail-on is checked before --epss-threshold.
        let e = ExitPolicy::from_flags(None, Some("x"), false, Some(9.0)).unwrap_err();
        assert!(matches!(e, FlagError::FailOn(_)));
    }

    #[test]
    fn sort_keys() {
        assert_eq!(sort_by(None).unwrap(), None);
        assert_eq!(sort_by(Some("EPSS")).unwrap(), Some(SortBy::Epss));
        let e = sort_by(Some("nope")).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("bad --sort-by \"nope\": choose one of {}", SortBy::NAMES)
        );
    }

    #[test]
    fn diff_exit_codes() {
        let introduced = FilterOutcome {
            shown: 0,
            max_after_ignores: Some(Severity::High),
            ..FilterOutcome::default()
        };
        let p = ExitPolicy::from_flags(Some(5), Some("critical"), false, None).unwrap();
        // One introduced finding shown: --exit-code applies.
        assert_eq!(p.diff_exit_code(&introduced, 1), 5);
        assert_eq!(p.diff_exit_code(&FilterOutcome::default(), 0), 0);
        let p = ExitPolicy::from_flags(Some(5), Some("high"), false, None).unwrap();
        assert_eq!(p.diff_exit_code(&introduced, 1), 1);
    }
}

//! Report filters and every output format.
//!
//! A scanner builds a [`bulkhead_types::Report`]; the CLI applies the user's
//! filters with [`filter::apply`] and hands the result to [`write_report`] in
//! the chosen [`Format`]. Adding an output format = one new module here plus
//! one arm in [`write_report`].
//!
//! The other commands' views live here too, each over the plain model its
//! library returns: [`diff`] (`bulkhead_diff::ImageDiff`: table, JSON,
//! Markdown), [`advise`] (`bulkhead_advise` summary and recommendations),
//! [`signing`] (`verify`, `sign`, `key generate`), [`harbor`] (Harbor's
//! scanner-adapter vulnerability and SBOM reports). Severities are coloured
//! by [`palette`] only; strings from an image, a registry or a daemon pass
//! `bulkhead_types::text` (`terminal_safe*`, `to_json_pretty`).
//!
//! **Invariant**: only this crate knows output formats; it does no I/O
//! beyond the writer it is given, and depends on no I/O crate.

pub mod advise;
pub mod cache;
pub mod caps;
pub mod db;
pub mod diff;
pub mod filter;
#[doc(hidden)]
pub mod fuzzing;
pub mod harbor;
mod json;
pub mod palette;
mod sarif;
mod sbom;
pub mod seccomp;
pub mod signing;
pub mod sort;
mod table;

pub use filter::{ExitPolicy, Filter, FilterOutcome};
pub use sbom::{cyclonedx, spdx};
pub use sort::SortBy;

use bulkhead_types::Report;
use std::io::Write;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Sarif,
    CycloneDx,
    SpdxJson,
}

/// Formats of a scan report (packages and findings): `image`, `fs`,
/// `sbom`. Adding a format to this crate and to this list is all a new
/// format needs.
pub const SCAN_FORMATS: &[&str] = &["table", "json", "sarif", "cyclonedx", "spdx-json"];
/// Formats of an inventory without findings (`sbom`).
pub const SBOM_FORMATS: &[&str] = &["table", "json", "cyclonedx", "spdx-json"];
/// Formats of commands that produce findings but no packages (`config`,
/// `audit`, `seccomp lint`).
pub const FINDING_FORMATS: &[&str] = &["table", "json", "sarif"];

impl Format {
    /// Parse a `--format` value.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "table" => Some(Format::Table),
            "json" => Some(Format::Json),
            "sarif" => Some(Format::Sarif),
            "cyclonedx" => Some(Format::CycloneDx),
            "spdx-json" | "spdx" => Some(Format::SpdxJson),
            _ => None,
        }
    }
}

/// Options for rendering.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Use ANSI colours (table only).
    pub color: bool,
    /// Name and version of the tool, for SARIF/SBOM metadata.
    pub tool_version: String,
    /// Table: list packages too (`--list-all-pkgs`).
    pub list_packages: bool,
}

/// Errors while writing a report.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot write the report: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot serialise the report: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the {0} format is not available for this command")]
    Unsupported(&'static str),
}

/// Write `report` to `out` in `format`.
pub fn write_report(
    report: &Report,
    format: Format,
    opts: &WriteOptions,
    out: &mut dyn Write,
) -> Result<(), WriteError> {
    match format {
        Format::Table => table::write(report, opts, out)?,
        Format::Json => json::write(report, out)?,
        Format::Sarif => sarif::write(report, opts, out)?,
        Format::CycloneDx => sbom::write_cyclonedx(report, opts, out)?,
        Format::SpdxJson => sbom::write_spdx(report, opts, out)?,
    }
    Ok(())
}

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
//! [`signing`] (`verify`, `sign`, `key generate`), [`harden`]
//! (`bulkhead_types::harden::Proposal`: Compose override, `docker run`
//! flags, JSON), [`check`] (`bulkhead check`: table, JSON, SARIF,
//! Markdown), [`harbor`] (Harbor's scanner-adapter vulnerability and SBOM
//! reports). [`html`] holds the HTML page and its reusable blocks.
//! [`flags`] parses the report flags (`--format`, `--severity`, the exit
//! gates, `--sort-by`) from the strings a caller was given. Severities are
//! coloured
//! by [`palette`] only; strings from an image, a registry or a daemon pass
//! `bulkhead_types::text` (`terminal_safe*`, `to_json_pretty`).
//!
//! **Invariant**: only this crate knows output formats; it does no I/O
//! beyond the writer it is given, and depends on no I/O crate.

pub mod advise;
pub mod cache;
pub mod caps;
pub mod check;
pub mod db;
pub mod diff;
pub mod filter;
pub mod flags;
pub mod fleet;
#[doc(hidden)]
pub mod fuzzing;
pub mod harbor;
pub mod harden;
pub mod html;
mod json;
pub mod palette;
mod sarif;
mod sbom;
pub mod seccomp;
pub mod signing;
pub mod sort;
mod table;
pub mod vex;

pub use filter::{ExitPolicy, Filter, FilterOutcome};
pub use flags::FlagError;
pub use sbom::{cyclonedx, spdx};
pub use sort::SortBy;
pub use vex::{VexOutcome, apply_vex};

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
    /// One self-contained HTML page ([`html`]).
    Html,
}

/// Formats of a scan report (packages and findings): `image`, `fs`,
/// `sbom`. Adding a format to this crate and to this list is all a new
/// format needs.
pub const SCAN_FORMATS: &[&str] = &["table", "json", "sarif", "cyclonedx", "spdx-json", "html"];
/// Formats of an inventory without findings (`sbom`).
pub const SBOM_FORMATS: &[&str] = &["table", "json", "cyclonedx", "spdx-json"];
/// Formats of commands that produce findings but no packages (`config`,
/// `audit`, `seccomp lint`).
pub const FINDING_FORMATS: &[&str] = &["table", "json", "sarif", "html"];
/// The help text of the global `--format` flag: every format name (each
/// command says which it offers when given another).
pub const FORMAT_HELP: &str = "Output format: table, json, sarif, cyclonedx, spdx-json, html (default: table on a terminal, json otherwise; a command names the ones it offers)";

impl Format {
    /// Parse a `--format` value.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "table" => Some(Format::Table),
            "json" => Some(Format::Json),
            "sarif" => Some(Format::Sarif),
            "cyclonedx" => Some(Format::CycloneDx),
            "spdx-json" | "spdx" => Some(Format::SpdxJson),
            "html" => Some(Format::Html),
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
        Format::Html => html::write(report, opts, out)?,
    }
    Ok(())
}

/// Filter `report` in place and put it in the order `format` reads best:
/// `order` when given, else most urgent first in the table, while JSON and
/// the other formats keep their stable order. Returns what the filter did,
/// for the exit policy.
pub fn prepare(
    report: &mut Report,
    filter: &Filter,
    order: Option<SortBy>,
    format: Format,
) -> FilterOutcome {
    let outcome = filter::apply(report, filter);
    match (order, format) {
        (Some(key), _) => sort::sort_report(report, key),
        (None, Format::Table) => sort::sort_report(report, SortBy::Risk),
        _ => {}
    }
    outcome
}

/// A view that is not a [`Report`] (a summary, recommendations, a signing
/// result) as text: `text` renders the table, every other format is the
/// view's JSON (pretty, terminal-safe, with a final newline).
pub fn view_text<T: serde::Serialize>(
    view: &T,
    format: Format,
    text: impl FnOnce(&T) -> String,
) -> serde_json::Result<String> {
    match format {
        Format::Table => Ok(text(view)),
        _ => Ok(bulkhead_types::text::to_json_pretty(view)? + "\n"),
    }
}

//! Secret scanning glue shared by `image`, `fs` and `config` (not a command
//! of its own): builds the scanner from `[secrets]` in the settings file and
//! redacts reports (`bulkhead_engine` runs the scanner).

use crate::args::GlobalArgs;
use anyhow::{Context, Result};
use bulkhead_secrets::{Scanner, sources};
use bulkhead_types::Report;
use std::path::PathBuf;

/// The scanner with the built-in rules plus `[secrets]` from `--config` (or
/// ./bulkhead.toml when present).
pub fn load_scanner(global: &GlobalArgs) -> Result<Scanner> {
    let loaded = super::settings::load(global)?;
    Scanner::new(&loaded.settings.secrets).with_context(|| match &loaded.path {
        Some(p) => format!(
            "settings file {}: fix the [secrets] section or pass another --config",
            p.display()
        ),
        None => "the built-in secret rules".to_string(),
    })
}

/// Hide secrets that the report would otherwise repeat from image data
/// (config `Env`, history, layer `created_by`).
pub fn redact_report(report: &mut Report, scanner: &Scanner) {
    sources::redact_report(report, scanner);
}

/// `bulkhead config`: add secret results for the linted Dockerfiles and
/// Compose files and for dotenv files (`.env`, `.env.*`, `*.env`) under
/// `roots`.
pub fn add_config_secrets(
    global: &GlobalArgs,
    report: &mut Report,
    linted: &[PathBuf],
    roots: &[PathBuf],
) -> Result<()> {
    let scanner = load_scanner(global)?;
    let mut files: Vec<PathBuf> = linted
        .iter()
        .filter(|p| !p.ends_with(".dockerignore"))
        .cloned()
        .collect();
    files.extend(sources::find_env_files(roots));
    let (results, warnings) = sources::file_results(&files, &scanner);
    report.results.extend(results);
    report.warnings.extend(warnings);
    Ok(())
}

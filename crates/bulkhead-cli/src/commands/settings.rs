//! `bulkhead.toml`: the one loader for the whole settings file.
//!
//! Every section is declared here, so a misspelt section or key is an error
//! that names it, whichever command reads the file:
//!
//! ```toml
//! [ignore]          # findings to hide (output.rs)
//! ids = ["CVE-2023-1234", { id = "CVE-2024-1", paths = ["usr/lib/x"], expires = "2026-12-31" }]
//!
//! [secrets]         # extra rules and allowlists (bulkhead-secrets)
//! [audit]           # checks to skip (commands/audit.rs)
//! skip = ["5.4"]
//! [policy]          # signing rules (bulkhead-sign::policy, docs/signing.md)
//! ```
//!
//! The file is `--config FILE` when given (then it must exist), else
//! `./bulkhead.toml` when present, else the defaults.

use crate::args::GlobalArgs;
use anyhow::{Context, Result};
use bulkhead_secrets::SecretsConfig;
use bulkhead_sign::policy::Policy;
use std::path::{Path, PathBuf};

/// The default settings file, looked for in the current folder.
pub const DEFAULT_FILE: &str = "bulkhead.toml";

/// The whole settings file.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub ignore: IgnoreSection,
    #[serde(default)]
    pub secrets: SecretsConfig,
    #[serde(default)]
    pub audit: AuditSection,
    #[serde(default)]
    pub policy: Option<Policy>,
}

/// `[ignore]`: finding ids to hide, optionally only under some paths and
/// until a date.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreSection {
    #[serde(default)]
    pub ids: Vec<IgnoreEntry>,
}

/// One `[ignore] ids` entry: a bare id or a table.
#[derive(Debug, serde::Deserialize)]
#[serde(untagged)]
pub enum IgnoreEntry {
    Id(String),
    Full(IgnoreTable),
}

/// The table form of an `[ignore] ids` entry.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreTable {
    pub id: String,
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub expires: Option<String>,
    /// Why the finding does not matter, as an OpenVEX justification label
    /// (`vulnerable_code_not_in_execute_path`, …): `bulkhead vex create
    /// --from-config` writes it into the statement.
    #[serde(default)]
    pub justification: Option<String>,
}

/// `[audit]`: CIS checks to skip.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSection {
    #[serde(default)]
    pub skip: Vec<String>,
}

/// Settings and the file they came from (None: no file, defaults).
#[derive(Debug, Default)]
pub struct Loaded {
    pub path: Option<PathBuf>,
    pub settings: Settings,
}

/// Which settings file applies: `--config` (must exist), else
/// `./bulkhead.toml` when present.
pub fn settings_path(global: &GlobalArgs) -> Option<PathBuf> {
    match &global.config {
        Some(p) => Some(p.clone()),
        None => {
            let p = PathBuf::from(DEFAULT_FILE);
            p.is_file().then_some(p)
        }
    }
}

/// Load the settings of this run (see [`settings_path`]).
pub fn load(global: &GlobalArgs) -> Result<Loaded> {
    match settings_path(global) {
        Some(path) => Ok(Loaded {
            settings: load_file(&path)?,
            path: Some(path),
        }),
        None => Ok(Loaded::default()),
    }
}

/// Read and check one settings file (also used for `--policy FILE`).
pub fn load_file(path: &Path) -> Result<Settings> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read settings file {}: check the path given to --config or --policy",
            path.display()
        )
    })?;
    parse(&text).map_err(|why| {
        anyhow::anyhow!(
            "settings file {} is not valid: {why}: fix it or pass another --config",
            path.display()
        )
    })
}

/// Parse settings text; the error is one line with the line number.
pub fn parse(text: &str) -> Result<Settings, String> {
    toml::from_str::<Settings>(text).map_err(|e| {
        // toml's own Display spans several lines (a snippet); keep one.
        let line = e
            .span()
            .map(|s| text.get(..s.start).unwrap_or(text).matches('\n').count() + 1);
        let msg = e.message().trim().replace('\n', " ");
        match line {
            Some(n) => format!("line {n}: {msg}"),
            None => msg,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_section() {
        let s = parse(
            "[ignore]\nids = [\"CVE-1\", { id = \"CVE-2\", paths = [\"a\"], expires = \"2030-01-01\" }]\n\
             [secrets]\nallow_paths = ['^a/']\n[audit]\nskip = [\"5.4\"]\n\
             [policy]\ndefault = \"allow\"\n[[policy.rules]]\nname = \"t\"\nmatch = \"r/*\"\nkeys = [\"k.pub\"]\n",
        )
        .unwrap();
        assert_eq!(s.ignore.ids.len(), 2);
        assert_eq!(s.secrets.allow_paths, vec!["^a/"]);
        assert_eq!(s.audit.skip, vec!["5.4"]);
        assert!(s.policy.is_some());
        let empty = parse("").unwrap();
        assert!(empty.policy.is_none() && empty.ignore.ids.is_empty());
    }

    #[test]
    fn unknown_sections_and_keys_are_named() {
        let e = parse("[ignore]\nids = []\n[polcy]\nx = 1\n").unwrap_err();
        assert!(e.contains("polcy") && e.starts_with("line 3"), "{e}");
        let e = parse("[audit]\nskip = []\nskipp = [\"1.1\"]\n").unwrap_err();
        assert!(e.contains("skipp") && e.starts_with("line 3"), "{e}");
        let e = parse("[secrets]\nbogus = 1\n").unwrap_err();
        assert!(e.contains("bogus"), "{e}");
        let e = parse("[policy]\ndefault = \"maybe\"\n").unwrap_err();
        assert!(e.contains("maybe") || e.contains("variant"), "{e}");
        assert!(parse("[ignore\n").is_err());
    }
}

//! `bulkhead.toml`: the one loader for the whole settings file, for the CLI
//! and any other program that reads it.
//!
//! Every section is declared here, so a misspelt section or key is an error
//! that names it, whichever command reads the file:
//!
//! ```toml
//! [ignore]          # findings to hide (bulkhead-report's filters)
//! ids = ["CVE-2023-1234", { id = "CVE-2024-1", paths = ["usr/lib/x"], expires = "2026-12-31" }]
//!
//! [secrets]         # extra rules and allowlists (bulkhead-secrets)
//! [audit]           # checks to skip (`bulkhead audit`)
//! skip = ["5.4"]
//! [policy]          # signing rules (bulkhead-sign::policy, docs/signing.md)
//! ```
//!
//! The file is the one given explicitly (`--config FILE`: then it must
//! exist), else `./bulkhead.toml` when present, else the defaults.

use crate::error::{Context, Result};
use bulkhead_report::filter::{self, IgnoreRule};
use bulkhead_secrets::{Scanner, SecretsConfig};
use bulkhead_sign::policy::Policy;
use std::path::{Path, PathBuf};

/// The default settings file, looked for in the current folder.
pub const DEFAULT_FILE: &str = "bulkhead.toml";

/// Trivy's ignore file, read from the current folder when no ignore file is
/// given.
pub const DEFAULT_IGNOREFILE: &str = ".trivyignore";

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

/// Which settings file applies: `explicit` (it must exist), else
/// `./bulkhead.toml` when present.
pub fn settings_path(explicit: Option<&Path>) -> Option<PathBuf> {
    match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => {
            let p = PathBuf::from(DEFAULT_FILE);
            p.is_file().then_some(p)
        }
    }
}

/// Load the settings of this run (see [`settings_path`]).
pub fn load(explicit: Option<&Path>) -> Result<Loaded> {
    match settings_path(explicit) {
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
        crate::Error::Input(format!(
            "settings file {} is not valid: {why}: fix it or pass another --config",
            path.display()
        ))
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

impl Loaded {
    /// The secret scanner: the built-in rules plus `[secrets]`.
    pub fn secret_scanner(&self) -> Result<Scanner> {
        Scanner::new(&self.settings.secrets).with_context(|| match &self.path {
            Some(p) => format!(
                "settings file {}: fix the [secrets] section or pass another --config",
                p.display()
            ),
            None => "the built-in secret rules".to_string(),
        })
    }

    /// The ignore rules of `[ignore]`, then those of `ignorefile` (Trivy's
    /// `.trivyignore` format), else of `./.trivyignore` when present.
    pub fn ignore_rules(self, ignorefile: Option<&Path>) -> Result<Vec<IgnoreRule>> {
        let mut rules: Vec<IgnoreRule> = self
            .settings
            .ignore
            .ids
            .into_iter()
            .map(|entry| match entry {
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
            })
            .collect();
        if let Some(path) = ignorefile {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read ignore file {}", path.display()))?;
            rules.extend(filter::parse_trivyignore(&text));
        } else if Path::new(DEFAULT_IGNOREFILE).is_file() {
            let text = std::fs::read_to_string(DEFAULT_IGNOREFILE)
                .with_context(|| format!("cannot read {DEFAULT_IGNOREFILE}"))?;
            rules.extend(filter::parse_trivyignore(&text));
        }
        Ok(rules)
    }
}

/// Today's date (UTC) as YYYY-MM-DD, for ignore-rule expiry.
pub fn today_utc() -> String {
    bulkhead_advise::eol::iso(time::OffsetDateTime::now_utc().date())
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

    #[test]
    fn ignore_rules_from_the_section_and_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ignore");
        std::fs::write(&file, "CVE-3\n# note\nCVE-4 exp:2031-01-01\n").unwrap();
        let loaded = Loaded {
            path: None,
            settings: parse(
                "[ignore]\nids = [\"CVE-1\", { id = \"CVE-2\", paths = [\"a\"], expires = \"2030-01-01\" }]\n",
            )
            .unwrap(),
        };
        let rules = loaded.ignore_rules(Some(&file)).unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["CVE-1", "CVE-2", "CVE-3", "CVE-4"]);
        assert_eq!(rules[1].paths, ["a"]);
        assert_eq!(rules[1].expires.as_deref(), Some("2030-01-01"));
        let missing = Loaded::default().ignore_rules(Some(&dir.path().join("nope")));
        assert!(format!("{:#}", missing.unwrap_err()).contains("cannot read ignore file"));
        assert_eq!(today_utc().len(), 10);
    }
}

//! The `[secrets]` section of `bulkhead.toml`: extra rules and allowlists.
//!
//! ```toml
//! [secrets]
//! max_file_size = 10485760            # bytes; larger files are skipped
//! disable_rules = ["generic-password"] # rule ids
//! allow_paths = ['^tests/fixtures/']   # regexes on paths (no leading /)
//! allow_values = ['^AKIA0000']         # regexes on the secret value
//!
//! [[secrets.rules]]
//! id = "acme-api-key"
//! title = "Acme API key"
//! severity = "HIGH"
//! keywords = ["acme_"]
//! regex = 'acme_(?P<secret>[a-z0-9]{32})'
//! min_entropy = 3.0
//! ```

use bulkhead_types::Severity;
use serde::Deserialize;

/// Default size cap: larger files are not scanned.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// The `[secrets]` settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    /// Files larger than this many bytes are skipped (default 10 MiB).
    #[serde(default)]
    pub max_file_size: Option<u64>,
    /// Built-in or user rule ids to turn off.
    #[serde(default)]
    pub disable_rules: Vec<String>,
    /// Regexes: paths (relative, no leading `/`) that are never scanned.
    #[serde(default)]
    pub allow_paths: Vec<String>,
    /// Regexes: secret values that are never reported.
    #[serde(default)]
    pub allow_values: Vec<String>,
    /// Extra rules.
    #[serde(default)]
    pub rules: Vec<UserRule>,
}

/// A rule from the settings file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRule {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub severity: Option<Severity>,
    /// Literals that must occur (case-insensitively) near a match; empty =
    /// the regex runs on the whole file.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// A `regex`-crate pattern; a group named `secret` marks the secret.
    pub regex: String,
    /// Reject matches whose secret has a lower Shannon entropy (bits/byte).
    #[serde(default)]
    pub min_entropy: Option<f64>,
    /// Regexes on paths: the rule runs only on matching files.
    #[serde(default)]
    pub paths: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
struct SettingsFile {
    #[serde(default)]
    secrets: Option<toml::Value>,
}

/// Errors in the settings.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the settings file is not valid TOML: {0}")]
    Toml(String),
    #[error("[secrets] is not valid: {0}; see the [secrets] section in the docs")]
    Section(String),
    #[error("[secrets] {what} regex {pattern:?} does not compile: {reason}")]
    Regex {
        what: String,
        pattern: String,
        reason: String,
    },
    #[error(
        "[[secrets.rules]] id {0:?} is used twice (or clashes with a built-in rule): pick another id"
    )]
    DuplicateId(String),
}

impl SecretsConfig {
    /// Read the `[secrets]` section of a whole `bulkhead.toml` (other
    /// sections are ignored; a missing section gives the defaults).
    pub fn from_settings_toml(text: &str) -> Result<SecretsConfig, ConfigError> {
        let file: SettingsFile =
            toml::from_str(text).map_err(|e| ConfigError::Toml(e.message().to_string()))?;
        match file.secrets {
            None => Ok(SecretsConfig::default()),
            Some(v) => v
                .try_into()
                .map_err(|e: toml::de::Error| ConfigError::Section(e.message().to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_section() {
        let c = SecretsConfig::from_settings_toml(
            "[ignore]\nids=[\"X\"]\n[secrets]\nallow_paths=['^a/']\n[[secrets.rules]]\nid='acme'\nregex='acme_[0-9]{8}'\nkeywords=['acme_']\nseverity='HIGH'\n",
        )
        .unwrap();
        assert_eq!(c.allow_paths, vec!["^a/"]);
        assert_eq!(c.rules[0].severity, Some(Severity::High));
        assert!(
            SecretsConfig::from_settings_toml("")
                .unwrap()
                .rules
                .is_empty()
        );
        assert!(SecretsConfig::from_settings_toml("[secrets]\nbogus=1\n").is_err());
    }
}

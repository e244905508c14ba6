//! Secret scanning for Bulkhead.
//!
//! - [`Scanner`]: built-in rules ([`rules::BUILTIN`], stable ids) plus user
//!   rules and allowlists from `bulkhead.toml` `[secrets]`
//!   ([`SecretsConfig`]). One Aho-Corasick pass over every rule keyword
//!   finds candidate regions; each rule's regex (the `regex` crate: linear
//!   time, so no input can make a rule slow) runs only on its regions; then
//!   validation (checksums, entropy, structure, placeholder rejection).
//! - Redaction: a finding's `Match` shows at most a 4-character prefix of
//!   the secret followed by `*****`; raw secrets never leave the scanner.
//! - [`sources`]: where secrets are looked for — every regular file of every
//!   image layer (through the [`bulkhead_scan::ContentScanner`] hook of the
//!   streaming pass, so deleted and replaced files are scanned too and get
//!   `RemovedIn`), the image config `Env` and history, root filesystems and
//!   project folders, Dockerfiles, Compose and `.env` files.

pub mod config;
mod redact;
pub mod rule;
pub mod rules;
mod scanner;
#[cfg(feature = "sources")]
pub mod sources;
pub mod validate;

pub use config::{ConfigError, SecretsConfig, UserRule};
pub use redact::{MASK, redact_assignments, redact_secret};
pub use scanner::{SNIFF_LEN, Scanner, is_binary};

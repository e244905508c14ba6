//! Live audit of a Docker host and its containers against the CIS Docker
//! Benchmark 1.6.0, and Linux capability tools.
//!
//! - [`engine`]: connect to the Engine API (bollard) and gather a
//!   [`snapshot::Snapshot`] (daemon info, daemon.json, dockerd command line,
//!   host files, images, running containers).
//! - [`checks`]: every check, registered in one static list
//!   ([`checks::CHECKS`]); each reads the snapshot only.
//! - [`runtime::RuntimeSettings`]: the typed security view of one container's
//!   inspect data (shared with `bulkhead harden`).
//! - [`capabilities`]: capability masks (names and bits from the `caps` crate).
//! - [`report`]: outcomes → the shared report model; baseline drift.

pub mod capabilities;
pub mod checks;
pub mod daemon;
pub mod engine;
pub mod host;
pub mod report;
pub mod runtime;
pub mod snapshot;

pub use engine::{CollectOptions, EngineError};
pub use runtime::RuntimeSettings;
pub use snapshot::Snapshot;

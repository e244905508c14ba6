//! OpenVEX v0.2.0 for Bulkhead: read documents ([`parse`]), decide which
//! statement applies to a finding ([`matching`]), and build a document
//! about an image ([`create`]). The matching and precedence rules are in
//! `docs/vex.md`; `bulkhead_report::vex::apply_vex` applies the decisions to
//! a report and the report's formats list what was suppressed.
//!
//! **Invariant**: no network and no other workspace crate but
//! `bulkhead-types`; the only I/O is reading the local files and folders
//! given to [`load_paths`], within [`Limits`].

pub mod create;
#[doc(hidden)]
pub mod fuzzing;
pub mod matching;
pub mod model;
pub mod parse;

pub use create::{Assertion, CreateRequest, FindingRef, ImageProduct, create};
pub use matching::{ArtifactIds, Decision, VexIndex, normalize_digest, parse_purl, purl_matches};
pub use model::{
    CONTEXT_V020, Component, Justification, Statement, Status, VexDocument, VulnerabilityRef,
};
pub use parse::{Limits, Loaded, Parsed, VexError, load_paths, parse_document};

#[cfg(test)]
mod tests;

//! Quick view and base-image advice: what `bulkhead image --summary` and
//! `bulkhead image --recommend` show.
//!
//! - [`summary`]: counts by severity × fixability, the five most urgent
//!   findings (KEV first, then severity, then fixable before not, then CVSS
//!   score), the OS and its end-of-life state ([`eol`], a hand-kept table).
//! - [`base`]: the base image, from the OCI base labels or by matching the
//!   image's first layers against images the user names.
//! - [`rank`]: candidate base images ranked by their findings, size and
//!   closeness to the current base, with what each would fix and introduce
//!   (the delta comes from `bulkhead_diff::vuln_delta`).
//!
//! The text views are `bulkhead_report::advise`.
//!
//! Pure data in, data out: the CLI scans images and passes reports here;
//! "today" is a parameter so results are reproducible.

pub mod base;
pub mod eol;
pub mod fuzzing;
pub mod rank;
pub mod summary;
#[cfg(test)]
mod testutil;

pub use base::{BaseImage, BaseSource};
pub use eol::{EolState, EolStatus};
pub use rank::{Advice, BaseFindingsSource, Candidate, Current, Recommendation};
pub use summary::{Summary, summarize};

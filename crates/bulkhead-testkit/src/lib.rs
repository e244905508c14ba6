//! Test-only helpers shared by every crate's tests (a dev-dependency,
//! never shipped).
//!
//! - [`require`]: what a test needs from outside the repository (the shared
//!   test data in `<repo>/../shared`, the Docker daemon, Debian tools, the
//!   debootstrap'ed Debian image) and [`require::skip_or_fail`], the one loud
//!   skip, which fails the test under `CI=true`.
//! - [`honest`]: the scanner behind `tests/honest_skips.rs`, which fails when
//!   a test prints its own skip or reads `CI` instead of going through
//!   [`require`].

pub mod honest;
pub mod require;

//! Test-only helpers shared by every crate's tests (a dev-dependency,
//! never shipped).
//!
//! - [`require`]: what a test needs from outside the repository (the shared
//!   test data in `<repo>/../shared`, the Docker daemon, Debian tools, the
//!   debootstrap'ed Debian image) and [`require::skip_or_fail`], the one loud
//!   skip, which fails the test under `CI=true`.
//! - [`postgres`]: a private PostgreSQL cluster for one test (temp dir, free
//!   127.0.0.1 port, stopped on drop).
//! - [`honest`]: the scanner behind `tests/honest_skips.rs`, which fails when
//!   a test prints its own skip or reads `CI` instead of going through
//!   [`require`].

pub mod honest;
pub mod postgres;
pub mod require;

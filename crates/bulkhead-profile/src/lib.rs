//! Seccomp and AppArmor profiles for containers.
//!
//! - [`strace`] and [`audit`] turn recordings into syscall name sets;
//!   [`generate::generate`] turns a set into a Docker/OCI seccomp profile
//!   (this is the entry point `bulkhead harden` uses with whatever syscall set
//!   it has); [`generate::log_all_profile`] is the recording profile.
//! - [`lint::lint`] checks a profile; [`diff::diff`] compares two, and
//!   [`docker_default`] embeds Docker's default for comparisons.
//! - [`files`] reads profiles and recordings from files: a profile by path
//!   or built-in name, its lint as a report, the syscall names of strace
//!   output and audit logs.
//! - [`apparmor`] renders an AppArmor profile from a TOML policy.
//! - [`table`] maps syscall names and numbers per architecture.

pub mod apparmor;
pub mod audit;
pub mod diff;
pub mod docker_default;
pub mod files;
pub mod generate;
pub mod lint;
pub mod model;
pub mod strace;
pub mod table;

pub use generate::{GenerateOptions, Generated, generate, log_all_profile};
pub use model::{Profile, ProfileError};

//! `bulkhead harden`: propose hardened runtime settings for a container.
//!
//! Inputs are normalised into one [`Workload`] (see [`workload`] for how it
//! relates to the Compose model and the audit's container model):
//! [`Workload::from_compose`], [`Workload::from_runtime`],
//! [`Workload::from_image_config`], completed by
//! [`Workload::apply_image_config`] and, for a running container, by
//! [`observe::observe_container`] (docker diff, /proc sockets and users,
//! stats). [`propose::propose`] turns it into a [`Proposal`] where every
//! setting carries the reason it is proposed (the plain model of
//! `bulkhead_types::harden`); `bulkhead_report::harden` writes it as a
//! Compose override, `docker run` flags or JSON.

pub mod observe;
pub mod propose;
pub mod workload;

pub use propose::{Explained, Proposal, ProposeOptions, propose};
pub use workload::{Observed, SourceKind, Workload};

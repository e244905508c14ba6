//! Shared plain data for Bulkhead.
//!
//! Everything here is data: packages, layer references, severities and the
//! report model that every scanner fills and every output format reads. The
//! JSON field names follow Trivy's report (`SchemaVersion`, `Results`, …) so
//! existing tooling can read Bulkhead's JSON unchanged.
//!
//! **Invariant**: this crate does no I/O and knows no output format beyond the
//! serde field names.

pub mod caps;
pub mod check;
pub mod db;
pub mod fleet;
pub mod harden;
mod image;
pub mod layer;
mod package;
pub mod rating;
mod report;
pub mod sensitive;
mod severity;
pub mod signature;
mod spec;
pub mod text;

pub use image::{ImageFile, PasswdEntry};
pub use package::{
    Ecosystem, EcosystemFacts, LayerRef, OsInfo, Package, PkgIdentifier, VersionScheme,
};
pub use rating::{Epss, KevDetail, PreferredCvss};
pub use report::{
    ArtifactType, CauseMetadata, Class, Cvss, IMAGE_CONFIG_TYPE, IMAGE_ENV_TARGET,
    IMAGE_HISTORY_TARGET, ImageMetadata, Mappings, MisconfStatus, Misconfiguration,
    ModifiedFinding, Report, ReportSummary, ScanResult, Secret, VexApplied, VulnStatus,
    Vulnerability,
};
pub use severity::{ParseSeverityError, Severity};
pub use spec::{
    ContainerSpec, MountKind, SecurityOpt, SpecCpu, SpecEnv, SpecHealthcheck, SpecMount,
    SpecNamespaces, SpecPort, SpecRestart, SpecSource, SpecTmpfs, cap_name, human_bytes,
    parse_go_bool,
};

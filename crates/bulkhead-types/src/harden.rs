//! The plain model of a `harden` proposal: hardened runtime settings for
//! one container, each with the reason it is proposed. `bulkhead-harden`
//! builds it (`propose`), `bulkhead_report::harden` writes it (a Compose
//! override, `docker run` flags, JSON).

use serde::Serialize;

/// Where a workload's settings came from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A running container (inspect + observation).
    Container,
    /// A Compose service.
    Compose,
    /// An image's config only.
    #[default]
    Image,
}

/// How a port came to be known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PortOrigin {
    /// A socket the container's processes listen on (observed in /proc).
    Listening,
    /// Published to the host (`-p`, Compose `ports`).
    Published,
    /// `EXPOSE` in the image config.
    Exposed,
}

/// A port the workload uses, inside the container.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PortUse {
    pub port: u16,
    /// `tcp` or `udp`.
    pub protocol: String,
    pub origin: PortOrigin,
}

impl PortOrigin {
    /// `listening`, `published`, `exposed`.
    pub fn as_str(self) -> &'static str {
        match self {
            PortOrigin::Listening => "listening",
            PortOrigin::Published => "published",
            PortOrigin::Exposed => "exposed",
        }
    }
}

/// `listening 80/tcp`: how proposals name a port in their reasons.
impl std::fmt::Display for PortUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}/{}",
            self.origin.as_str(),
            self.port,
            self.protocol
        )
    }
}

/// A tmpfs mount: target and options (`rw`, `noexec`, `nosuid`, `size=…`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TmpfsSpec {
    pub target: String,
    pub options: Vec<String>,
}

/// A proposed value and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explained<T> {
    pub value: T,
    pub why: String,
}

/// A proposed tmpfs mount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProposedTmpfs {
    pub mount: TmpfsSpec,
    pub why: String,
    /// Configured already in the input (a Compose override leaves it to the
    /// base file; `docker run` flags repeat it).
    pub existing: bool,
}

/// Hardened settings for one workload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proposal {
    /// Service key of the Compose override.
    pub service: String,
    pub source: SourceKind,
    /// What the proposal was made from.
    pub origin: String,
    /// `privileged: false`, when the input was privileged.
    pub privileged: Option<Explained<bool>>,
    pub read_only: Explained<bool>,
    pub tmpfs: Vec<ProposedTmpfs>,
    pub cap_drop: Explained<Vec<String>>,
    pub cap_add: Vec<Explained<String>>,
    pub no_new_privileges: Explained<bool>,
    /// `seccomp=PROFILE`, when a profile was generated or one is kept.
    pub seccomp: Option<Explained<String>>,
    /// Numeric `uid:gid`.
    pub user: Explained<String>,
    pub pids_limit: Explained<i64>,
    /// Memory limit in bytes.
    pub memory: Explained<u64>,
    /// Ports the workload uses, and how each was learnt.
    pub ports: Vec<PortUse>,
    /// Things to fix by hand.
    pub warnings: Vec<String>,
    /// What could not be observed and was therefore not taken into account.
    pub unobserved: Vec<String>,
}

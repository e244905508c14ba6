//! Everything one audit looks at, gathered once, then read by every check.
//! Built live by [`crate::engine::collect`] or by hand / from recorded API
//! responses in tests.

use crate::daemon::DaemonConfig;
use crate::host::HostFacts;
use crate::runtime::RuntimeSettings;

/// One running container.
#[derive(Debug, Clone, Default)]
pub struct ContainerFacts {
    /// Settings from inspect.
    pub settings: RuntimeSettings,
    /// Command lines of its processes (`GET /containers/{id}/top`, run by
    /// the daemon on the host: works without `ps` inside the container).
    /// `None` when the daemon could not list them.
    pub processes: Option<Vec<String>>,
}

/// One image.
#[derive(Debug, Clone, Default)]
pub struct ImageFacts {
    /// Image id (`sha256:…`).
    pub id: String,
    /// First repo tag, else the short id: the result's target.
    pub name: String,
    /// `Config.Healthcheck.Test`, `None` when unset.
    pub healthcheck: Option<Vec<String>>,
    /// `Config.User`.
    pub user: String,
    /// `CreatedBy` of each history entry, newest first (API order).
    pub history: Vec<String>,
}

/// A network (for 5.30 and 7.3).
#[derive(Debug, Clone, Default)]
pub struct NetworkFacts {
    pub name: String,
    pub driver: String,
    pub options: std::collections::HashMap<String, String>,
}

/// What was gathered.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Daemon configuration.
    pub daemon: DaemonConfig,
    /// Host facts (sections 1 and 3); `None` for a remote daemon or when
    /// auditing one container.
    pub host: Option<HostFacts>,
    /// Images (section 4); empty when auditing one container.
    pub images: Vec<ImageFacts>,
    /// Running containers (section 5).
    pub containers: Vec<ContainerFacts>,
    /// Networks.
    pub networks: Vec<NetworkFacts>,
    /// Ids of the images any container (running or not) uses (6.1).
    pub images_in_use: Vec<String>,
    /// Containers in any state (6.2).
    pub containers_total: usize,
    /// Only container-scoped checks run (`--container`).
    pub single_container: bool,
    /// Notes on what could not be gathered (shown as report warnings).
    pub warnings: Vec<String>,
}

//! Talking to the Docker Engine API (bollard): connecting, negotiating the API
//! version, and gathering a [`Snapshot`].

use crate::capabilities::ProcCaps;
use crate::daemon::{self, DaemonConfig};
use crate::host::HostFacts;
use crate::runtime::RuntimeSettings;
use crate::snapshot::{ContainerFacts, ImageFacts, NetworkFacts, Snapshot};
use bollard::Docker;
use bollard::query_parameters::{
    InspectContainerOptions, ListContainersOptionsBuilder, ListImagesOptionsBuilder,
    ListNetworksOptions,
};
use futures_util::StreamExt;
use std::collections::BTreeSet;
use std::path::Path;

/// How many API calls run at once when inspecting many containers/images.
const PARALLEL: usize = 8;

/// Errors talking to the daemon. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(
        "permission denied on the Docker socket {0}: run as root or as a member of the `docker` group"
    )]
    PermissionDenied(String),
    #[error(
        "cannot reach the Docker daemon at {0}: start it, or point DOCKER_HOST at a running daemon"
    )]
    Unreachable(String, #[source] bollard::errors::Error),
    #[error("no such container `{0}`: check the name or id with `docker ps`")]
    NoSuchContainer(String),
    #[error("container `{0}` is not running: start it or pick a running container")]
    NotRunning(String),
    #[error("the Docker daemon refused {what}: {message} (status {status})")]
    Refused {
        what: String,
        status: u16,
        message: String,
    },
    #[error("Docker API call {what} failed")]
    Api {
        what: String,
        #[source]
        source: bollard::errors::Error,
    },
}

/// The daemon address in use (for messages).
pub fn daemon_address() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".to_string())
}

/// Whether the daemon address is on this machine.
pub fn daemon_is_local(address: &str) -> bool {
    if address.starts_with("unix://") || !address.contains("://") {
        return true;
    }
    let rest = address.split("://").nth(1).unwrap_or_default();
    let host = rest.rsplit_once(':').map_or(rest, |(h, _)| h);
    matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "::1")
}

fn io_kind(err: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        cur = e.source();
    }
    None
}

fn classify(err: bollard::errors::Error, address: &str) -> EngineError {
    if io_kind(&err) == Some(std::io::ErrorKind::PermissionDenied) {
        let path = address.trim_start_matches("unix://").to_string();
        return EngineError::PermissionDenied(path);
    }
    EngineError::Unreachable(address.to_string(), err)
}

fn api(what: impl Into<String>) -> impl FnOnce(bollard::errors::Error) -> EngineError {
    let what = what.into();
    move |source| match source {
        bollard::errors::Error::DockerResponseServerError {
            status_code,
            message,
        } => EngineError::Refused {
            what,
            status: status_code,
            message,
        },
        source => EngineError::Api { what, source },
    }
}

/// Connect (unix socket or `DOCKER_HOST`, tcp with TLS when
/// `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH` are set) and negotiate the API
/// version with the daemon (Docker 20.10 speaks 1.41).
pub async fn connect() -> Result<Docker, EngineError> {
    let address = daemon_address();
    let docker = Docker::connect_with_defaults().map_err(|e| classify(e, &address))?;
    docker
        .negotiate_version()
        .await
        .map_err(|e| classify(e, &address))
}

/// What to gather.
#[derive(Debug, Clone, Default)]
pub struct CollectOptions {
    /// Only this container (name or id): container-scoped checks only.
    pub container: Option<String>,
    /// List processes of each container (5.7); one API call per container.
    pub processes: bool,
}

async fn inspect_one(
    docker: &Docker,
    id: &str,
    processes: bool,
) -> Result<ContainerFacts, EngineError> {
    let inspect = docker
        .inspect_container(id, None::<InspectContainerOptions>)
        .await
        .map_err(|e| match e {
            bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            } => EngineError::NoSuchContainer(id.to_string()),
            e => api(format!("inspect container {id}"))(e),
        })?;
    let settings = RuntimeSettings::from_inspect(&inspect);
    let processes = if processes && settings.running {
        docker
            .top_processes(id, None::<bollard::query_parameters::TopOptions>)
            .await
            .ok()
            .map(|top| {
                let col = top
                    .titles
                    .as_ref()
                    .and_then(|t| t.iter().position(|c| c == "CMD" || c == "COMMAND"));
                top.processes
                    .unwrap_or_default()
                    .into_iter()
                    .map(|row| match col.and_then(|c| row.get(c)) {
                        Some(cmd) => cmd.clone(),
                        None => row.join(" "),
                    })
                    .collect()
            })
    } else {
        None
    };
    Ok(ContainerFacts {
        settings,
        processes,
    })
}

/// The runtime settings of one container (name or id), running or not
/// (`bulkhead check --container`).
pub async fn container_settings(
    docker: &Docker,
    name: &str,
) -> Result<RuntimeSettings, EngineError> {
    Ok(inspect_one(docker, name, false).await?.settings)
}

/// Gather a snapshot of the daemon, the host (when local), images and running
/// containers.
pub async fn collect(docker: &Docker, opts: &CollectOptions) -> Result<Snapshot, EngineError> {
    let address = daemon_address();
    let local = daemon_is_local(&address);
    let info = docker.info().await.map_err(|e| classify(e, &address))?;
    let version = docker.version().await.map_err(api("version"))?;
    let mut snap = Snapshot::default();
    let cmdline = if local {
        daemon::find_dockerd_cmdline(Path::new("/proc"))
    } else {
        None
    };
    let json_path = daemon::daemon_json_path(cmdline.as_deref());
    let json = if local {
        match std::fs::read_to_string(&json_path) {
            Ok(text) => match serde_json::from_str(&text) {
                Ok(v) => Some(v),
                Err(e) => {
                    snap.warnings.push(format!(
                        "{} is not valid JSON ({e}); daemon.json keys were not read",
                        json_path.display()
                    ));
                    None
                }
            },
            Err(_) => None,
        }
    } else {
        None
    };
    if local && cmdline.is_none() {
        snap.warnings.push(
            "no dockerd process visible in /proc: section 2 relies on `docker info` and daemon.json only"
                .to_string(),
        );
    }
    if !local {
        snap.warnings.push(format!(
            "daemon {address} is remote: host checks (sections 1 and 3), daemon.json and the dockerd command line were not read"
        ));
    }
    let bridge_options = docker
        .inspect_network(
            "bridge",
            None::<bollard::query_parameters::InspectNetworkOptions>,
        )
        .await
        .ok()
        .and_then(|n| n.options)
        .unwrap_or_default();
    snap.daemon = DaemonConfig {
        server_version: version
            .version
            .clone()
            .or_else(|| info.server_version.clone())
            .unwrap_or_default(),
        info,
        json,
        json_path: Some(json_path),
        cmdline,
        bridge_options,
        local,
    };

    if let Some(name) = &opts.container {
        snap.single_container = true;
        let facts = inspect_one(docker, name, opts.processes).await?;
        if !facts.settings.running {
            return Err(EngineError::NotRunning(name.clone()));
        }
        snap.containers.push(facts);
        return Ok(snap);
    }

    if local {
        snap.host = Some(HostFacts::gather(&snap.daemon));
    }

    let all = docker
        .list_containers(Some(ListContainersOptionsBuilder::new().all(true).build()))
        .await
        .map_err(api("list containers"))?;
    snap.containers_total = all.len();
    let mut in_use: BTreeSet<String> = BTreeSet::new();
    let mut running = Vec::new();
    for c in &all {
        if let Some(img) = &c.image_id {
            in_use.insert(img.clone());
        }
        if c.state == Some(bollard::models::ContainerSummaryStateEnum::RUNNING)
            && let Some(id) = &c.id
        {
            running.push(id.clone());
        }
    }
    snap.images_in_use = in_use.into_iter().collect();

    let processes = opts.processes;
    let results: Vec<Result<ContainerFacts, EngineError>> = futures_util::stream::iter(running)
        .map(|id| async move { inspect_one(docker, &id, processes).await })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    for r in results {
        match r {
            Ok(f) => snap.containers.push(f),
            // A container that vanished between list and inspect.
            Err(EngineError::NoSuchContainer(id)) => snap
                .warnings
                .push(format!("container {id} disappeared during the audit")),
            Err(e) => return Err(e),
        }
    }
    snap.containers
        .sort_by(|a, b| a.settings.name.cmp(&b.settings.name));

    let images = docker
        .list_images(Some(ListImagesOptionsBuilder::new().all(false).build()))
        .await
        .map_err(api("list images"))?;
    let results: Vec<Result<ImageFacts, EngineError>> = futures_util::stream::iter(images)
        .map(|summary| async move {
            let id = summary.id.clone();
            let inspect = docker
                .inspect_image(&id)
                .await
                .map_err(api(format!("inspect image {id}")))?;
            let history = docker
                .image_history(&id)
                .await
                .map(|h| h.into_iter().map(|e| e.created_by).collect())
                .unwrap_or_default();
            let cfg = inspect.config.unwrap_or_default();
            let name = summary
                .repo_tags
                .iter()
                .find(|t| t.as_str() != "<none>:<none>")
                .cloned()
                .unwrap_or_else(|| short_id(&id));
            Ok(ImageFacts {
                id,
                name,
                healthcheck: cfg.healthcheck.and_then(|h| h.test),
                user: cfg.user.unwrap_or_default(),
                history,
            })
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    for r in results {
        match r {
            Ok(i) => snap.images.push(i),
            Err(e) => snap.warnings.push(format!("{e}")),
        }
    }
    snap.images.sort_by(|a, b| a.name.cmp(&b.name));

    snap.networks = docker
        .list_networks(None::<ListNetworksOptions>)
        .await
        .map_err(api("list networks"))?
        .into_iter()
        .map(|n| NetworkFacts {
            name: n.name.unwrap_or_default(),
            driver: n.driver.unwrap_or_default(),
            options: n.options.unwrap_or_default(),
        })
        .collect();
    Ok(snap)
}

/// `sha256:0123456789ab…` → `0123456789ab`.
pub fn short_id(id: &str) -> String {
    id.trim_start_matches("sha256:").chars().take(12).collect()
}

/// Capabilities of a running container: what inspect declares and what its
/// init process holds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ContainerCaps {
    pub name: String,
    pub id: String,
    pub pid: i64,
    pub privileged: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    /// Bounding set Docker should have applied, from the settings alone.
    pub expected_bounding: u64,
    /// The process's sets from `/proc/PID/status`, when readable here.
    pub process: Option<ProcCaps>,
    /// Why `process` is missing.
    pub process_note: Option<String>,
}

/// Inspect one container's capabilities.
pub async fn container_caps(docker: &Docker, name: &str) -> Result<ContainerCaps, EngineError> {
    let facts = inspect_one(docker, name, false).await?;
    let s = facts.settings;
    if !s.running {
        return Err(EngineError::NotRunning(name.to_string()));
    }
    let local = daemon_is_local(&daemon_address());
    let (process, process_note) = if !local {
        (
            None,
            Some("daemon is remote: /proc of its host is not visible".to_string()),
        )
    } else {
        let path = format!("/proc/{}/status", s.pid);
        match std::fs::read_to_string(&path) {
            Ok(text) => match ProcCaps::parse_status(&text) {
                Ok(c) => (Some(c), None),
                Err(e) => (None, Some(format!("{path}: {e}"))),
            },
            Err(e) => (
                None,
                Some(format!(
                    "cannot read {path} ({e}): the daemon may run in another pid namespace"
                )),
            ),
        }
    };
    let show = |set: &BTreeSet<crate::capabilities::CapName>| -> Vec<String> {
        set.iter()
            .map(|c| match c {
                crate::capabilities::CapName::All => "ALL".to_string(),
                crate::capabilities::CapName::Cap(c) => c.to_string(),
            })
            .collect()
    };
    Ok(ContainerCaps {
        name: s.name.clone(),
        id: s.id.clone(),
        pid: s.pid,
        privileged: s.privileged,
        cap_add: show(&s.cap_add),
        cap_drop: show(&s.cap_drop),
        expected_bounding: s.expected_bounding(),
        process,
        process_note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_addresses() {
        assert!(daemon_is_local("unix:///var/run/docker.sock"));
        assert!(daemon_is_local("tcp://127.0.0.1:2376"));
        assert!(daemon_is_local("tcp://localhost:2375"));
        assert!(!daemon_is_local("tcp://10.0.0.5:2376"));
        assert!(!daemon_is_local("ssh://me@box"));
    }

    #[test]
    fn short_ids() {
        assert_eq!(short_id("sha256:0123456789abcdef"), "0123456789ab");
    }
}

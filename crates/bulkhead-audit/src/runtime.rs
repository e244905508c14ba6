//! The security-relevant runtime settings of one container, read from
//! `docker inspect` (Engine API `GET /containers/{id}/json`).
//!
//! [`RuntimeSettings`] is the typed view every section-5 check reads, and the
//! one `bulkhead harden` reuses to suggest tighter flags. It normalises what
//! Docker stores verbatim: capability names (`sys_admin` / `CAP_SYS_ADMIN`),
//! `security_opt` in both `key=value` and `key:value` forms, unlimited
//! sentinels (`PidsLimit` null/0/-1), container names with their leading `/`.

use crate::capabilities::{self, CapName};
use bollard::models::{ContainerInspectResponse, HealthStatusEnum, MountPointTypeEnum};
use bulkhead_types::{
    ContainerSpec, MountKind, SecurityOpt, SpecCpu, SpecEnv, SpecHealthcheck, SpecMount,
    SpecNamespaces, SpecPort, SpecRestart, SpecSource, SpecTmpfs, cap_name,
};
use caps::Capability;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What the seccomp setting of a container is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum Seccomp {
    #[default]
    /// No `seccomp=` option: the daemon's default profile applies (unless
    /// the container is privileged, see [`RuntimeSettings::seccomp_disabled`]).
    DaemonDefault,
    /// `seccomp=unconfined`.
    Unconfined,
    /// A custom profile (the CLI sends its JSON text inline; kept as-is).
    Custom(String),
}

/// One entry of `.Mounts[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MountInfo {
    /// `bind`, `volume`, `tmpfs`, `npipe`, `cluster` (empty when unknown).
    pub kind: String,
    /// Host path (bind) or volume path on the host.
    pub source: String,
    /// Path inside the container.
    pub destination: String,
    /// Mounted read-write.
    pub rw: bool,
    /// Bind propagation (`rprivate`, `shared`, `rshared`, …), empty if none.
    pub propagation: String,
}

/// A published port: container port → host address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedPort {
    /// `80/tcp`.
    pub container_port: String,
    /// Host IP as reported; empty, `0.0.0.0` and `::` mean every interface.
    pub host_ip: String,
    /// Host port number (0 when Docker reported none or garbage).
    pub host_port: u16,
}

impl PublishedPort {
    /// Bound on every interface (`0.0.0.0`, `::` or empty).
    pub fn all_interfaces(&self) -> bool {
        matches!(self.host_ip.as_str(), "" | "0.0.0.0" | "::" | "[::]")
    }
}

/// The namespace modes (`HostConfig.*Mode`); `"host"` means shared with the
/// host. Empty strings mean Docker's default (private).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Namespaces {
    pub network: String,
    pub pid: String,
    pub ipc: String,
    pub uts: String,
    pub userns: String,
    pub cgroupns: String,
}

/// A ulimit (`--ulimit name=soft:hard`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

/// Resource limits (`HostConfig`, embedded `Resources`). `None` = unlimited.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// `Memory` in bytes (0 → `None`).
    pub memory: Option<i64>,
    /// `MemorySwap` in bytes (-1 = unlimited swap; 0 → `None`).
    pub memory_swap: Option<i64>,
    /// `CpuShares` (0 → `None`).
    pub cpu_shares: Option<i64>,
    /// `NanoCpus` (`--cpus` × 1e9; 0 → `None`).
    pub nano_cpus: Option<i64>,
    /// `CpuQuota` µs per `CpuPeriod` (0 → `None`).
    pub cpu_quota: Option<i64>,
    /// `CpusetCpus` (empty → `None`).
    pub cpuset_cpus: Option<String>,
    /// `PidsLimit` (null, 0 and -1 → `None`).
    pub pids: Option<i64>,
    /// `Ulimits`.
    pub ulimits: Vec<Ulimit>,
    /// `OomKillDisable`.
    pub oom_kill_disable: bool,
}

/// Restart policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Restart {
    /// `no`, `always`, `on-failure`, `unless-stopped` (empty = `no`).
    pub name: String,
    pub max_retries: i64,
}

/// Health check configuration and runtime state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Health {
    /// `Config.Healthcheck.Test` when set (`["NONE"]` = disabled).
    pub test: Vec<String>,
    /// `State.Health.Status` (`starting`, `healthy`, `unhealthy`) when the
    /// container runs a health check.
    pub status: Option<String>,
}

impl Health {
    /// A health check is configured and not disabled with `NONE`.
    pub fn configured(&self) -> bool {
        !self.test.is_empty() && self.test.first().is_none_or(|t| t != "NONE")
    }
}

/// Security-relevant runtime settings of one container.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RuntimeSettings {
    /// Full container id.
    pub id: String,
    /// Name without the leading `/`.
    pub name: String,
    /// Image reference as given (`Config.Image`).
    pub image: String,
    /// Resolved image id (`Image`).
    pub image_id: String,
    /// Running (`State.Running`).
    pub running: bool,
    /// Host pid of the container's init process (`State.Pid`; 0 if stopped).
    pub pid: i64,
    /// `Config.User` as given (`""` = image default, usually root).
    pub user: String,
    /// `HostConfig.Privileged`.
    pub privileged: bool,
    /// `HostConfig.CapAdd`, normalised; unknown names kept in `unknown_caps`.
    pub cap_add: BTreeSet<CapName>,
    /// `HostConfig.CapDrop`, normalised.
    pub cap_drop: BTreeSet<CapName>,
    /// Raw cap names Docker accepted but this build does not know.
    pub unknown_caps: Vec<String>,
    /// `HostConfig.SecurityOpt` verbatim.
    pub security_opt: Vec<String>,
    /// Seccomp setting, from `SecurityOpt`.
    pub seccomp: Seccomp,
    /// `no-new-privileges` requested in `SecurityOpt` (`=true`, `:true`, bare).
    pub no_new_privileges: bool,
    /// Effective AppArmor profile (`AppArmorProfile`); empty on hosts without
    /// AppArmor.
    pub apparmor_profile: String,
    /// SELinux `label=`/`label:` options from `SecurityOpt` (value part).
    pub selinux_labels: Vec<String>,
    /// SELinux process label (`ProcessLabel`), empty without SELinux.
    pub process_label: String,
    /// `.Mounts[]`.
    pub mounts: Vec<MountInfo>,
    /// `HostConfig.Tmpfs` mount points.
    pub tmpfs: Vec<String>,
    /// `HostConfig.Tmpfs`: mount point → options (`rw,noexec,size=64m`).
    pub tmpfs_options: BTreeMap<String, String>,
    /// Namespace modes.
    pub namespaces: Namespaces,
    /// Resource limits.
    pub limits: Limits,
    /// `HostConfig.ReadonlyRootfs`.
    pub read_only_rootfs: bool,
    /// Published ports (`NetworkSettings.Ports`, falling back to
    /// `HostConfig.PortBindings` for stopped containers).
    pub ports: Vec<PublishedPort>,
    /// `HostConfig.PublishAllPorts` (`-P`).
    pub publish_all: bool,
    /// Restart policy.
    pub restart: Restart,
    /// Health check.
    pub health: Health,
    /// `HostConfig.Devices[].PathOnHost`.
    pub devices: Vec<String>,
    /// `HostConfig.DeviceCgroupRules` (`c 1:3 rwm`, `a *:* rwm`, …).
    pub device_cgroup_rules: Vec<String>,
    /// `HostConfig.CgroupParent`.
    pub cgroup_parent: String,
    /// Names (left of `=`) of `Config.Env`; values are never kept.
    pub env_names: Vec<String>,
    /// Networks the container is attached to (`NetworkSettings.Networks`).
    pub networks: Vec<String>,
    /// `HostConfig.MaskedPaths` (empty when privileged or `systempaths=unconfined`).
    pub masked_paths: Vec<String>,
    /// `HostConfig.Runtime` (`runc` by default).
    pub runtime: String,
}

fn opt_positive(v: Option<i64>) -> Option<i64> {
    v.filter(|n| *n > 0)
}

/// Split a `security_opt` entry into key and value; Docker accepts both
/// `key=value` and the older `key:value`. Bare keys get an empty value.
pub fn split_security_opt(entry: &str) -> (&str, &str) {
    match entry.find(['=', ':']) {
        Some(i) => (&entry[..i], &entry[i + 1..]),
        None => (entry, ""),
    }
}

impl RuntimeSettings {
    /// Build the settings from an inspect response. Missing fields read as
    /// Docker's defaults; nothing here fails.
    pub fn from_inspect(c: &ContainerInspectResponse) -> RuntimeSettings {
        let hc = c.host_config.clone().unwrap_or_default();
        let cfg = c.config.clone().unwrap_or_default();
        let state = c.state.clone().unwrap_or_default();
        let mut unknown_caps = Vec::new();
        let mut norm = |list: &Option<Vec<String>>| -> BTreeSet<CapName> {
            let mut out = BTreeSet::new();
            for raw in list.iter().flatten() {
                match CapName::parse(raw) {
                    Some(n) => {
                        out.insert(n);
                    }
                    None => unknown_caps.push(raw.clone()),
                }
            }
            out
        };
        let cap_add = norm(&hc.cap_add);
        let cap_drop = norm(&hc.cap_drop);

        let security_opt = hc.security_opt.clone().unwrap_or_default();
        let mut seccomp = Seccomp::DaemonDefault;
        let mut no_new_privileges = false;
        let mut selinux_labels = Vec::new();
        for entry in &security_opt {
            let (key, value) = split_security_opt(entry);
            match key {
                "seccomp" if value == "unconfined" => seccomp = Seccomp::Unconfined,
                "seccomp" => seccomp = Seccomp::Custom(value.to_string()),
                "no-new-privileges" => {
                    no_new_privileges = value.is_empty() || value.eq_ignore_ascii_case("true")
                }
                "label" => selinux_labels.push(value.to_string()),
                _ => {}
            }
        }

        let mounts = c
            .mounts
            .iter()
            .flatten()
            .map(|m| MountInfo {
                kind: match m.typ {
                    Some(MountPointTypeEnum::BIND) => "bind",
                    Some(MountPointTypeEnum::VOLUME) => "volume",
                    Some(MountPointTypeEnum::TMPFS) => "tmpfs",
                    Some(MountPointTypeEnum::NPIPE) => "npipe",
                    Some(MountPointTypeEnum::CLUSTER) => "cluster",
                    Some(MountPointTypeEnum::IMAGE) => "image",
                    _ => "",
                }
                .to_string(),
                source: m.source.clone().unwrap_or_default(),
                destination: m.destination.clone().unwrap_or_default(),
                rw: m.rw.unwrap_or(false),
                propagation: m.propagation.clone().unwrap_or_default(),
            })
            .collect();

        let mut ports = Vec::new();
        let port_map = c
            .network_settings
            .as_ref()
            .and_then(|n| n.ports.clone())
            .filter(|p| !p.is_empty())
            .or_else(|| hc.port_bindings.clone())
            .unwrap_or_default();
        for (container_port, bindings) in port_map {
            for b in bindings.into_iter().flatten() {
                ports.push(PublishedPort {
                    container_port: container_port.clone(),
                    host_ip: b.host_ip.unwrap_or_default(),
                    host_port: b.host_port.and_then(|p| p.parse().ok()).unwrap_or(0),
                });
            }
        }
        ports.sort_by(|a, b| {
            (&a.container_port, &a.host_ip, a.host_port).cmp(&(
                &b.container_port,
                &b.host_ip,
                b.host_port,
            ))
        });

        let restart = hc
            .restart_policy
            .as_ref()
            .map(|r| Restart {
                name: r.name.map(|n| n.to_string()).unwrap_or_default(),
                max_retries: r.maximum_retry_count.unwrap_or(0),
            })
            .unwrap_or_default();

        let health = Health {
            test: cfg
                .healthcheck
                .as_ref()
                .and_then(|h| h.test.clone())
                .unwrap_or_default(),
            status: state
                .health
                .as_ref()
                .and_then(|h| h.status)
                .filter(|s| *s != HealthStatusEnum::EMPTY && *s != HealthStatusEnum::NONE)
                .map(|s| s.to_string()),
        };

        let mut networks: Vec<String> = c
            .network_settings
            .as_ref()
            .and_then(|n| n.networks.as_ref())
            .map(|n| n.keys().cloned().collect())
            .unwrap_or_default();
        networks.sort();

        let mut tmpfs: Vec<String> = hc
            .tmpfs
            .as_ref()
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        tmpfs.sort();
        let tmpfs_options: BTreeMap<String, String> = hc
            .tmpfs
            .as_ref()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();

        RuntimeSettings {
            id: c.id.clone().unwrap_or_default(),
            name: c
                .name
                .clone()
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_string(),
            image: cfg.image.clone().unwrap_or_default(),
            image_id: c.image.clone().unwrap_or_default(),
            running: state.running.unwrap_or(false),
            pid: state.pid.unwrap_or(0),
            user: cfg.user.clone().unwrap_or_default(),
            privileged: hc.privileged.unwrap_or(false),
            cap_add,
            cap_drop,
            unknown_caps,
            security_opt,
            seccomp,
            no_new_privileges,
            apparmor_profile: c.app_armor_profile.clone().unwrap_or_default(),
            selinux_labels,
            process_label: c.process_label.clone().unwrap_or_default(),
            mounts,
            tmpfs,
            tmpfs_options,
            namespaces: Namespaces {
                network: hc.network_mode.clone().unwrap_or_default(),
                pid: hc.pid_mode.clone().unwrap_or_default(),
                ipc: hc.ipc_mode.clone().unwrap_or_default(),
                uts: hc.uts_mode.clone().unwrap_or_default(),
                userns: hc.userns_mode.clone().unwrap_or_default(),
                cgroupns: hc.cgroupns_mode.map(|m| m.to_string()).unwrap_or_default(),
            },
            limits: Limits {
                memory: opt_positive(hc.memory),
                memory_swap: hc.memory_swap.filter(|n| *n != 0),
                cpu_shares: opt_positive(hc.cpu_shares),
                nano_cpus: opt_positive(hc.nano_cpus),
                cpu_quota: opt_positive(hc.cpu_quota),
                cpuset_cpus: hc.cpuset_cpus.clone().filter(|s| !s.is_empty()),
                pids: opt_positive(hc.pids_limit),
                ulimits: hc
                    .ulimits
                    .iter()
                    .flatten()
                    .map(|u| Ulimit {
                        name: u.name.clone().unwrap_or_default(),
                        soft: u.soft.unwrap_or(0),
                        hard: u.hard.unwrap_or(0),
                    })
                    .collect(),
                oom_kill_disable: hc.oom_kill_disable.unwrap_or(false),
            },
            read_only_rootfs: hc.readonly_rootfs.unwrap_or(false),
            ports,
            publish_all: hc.publish_all_ports.unwrap_or(false),
            restart,
            health,
            devices: hc
                .devices
                .iter()
                .flatten()
                .filter_map(|d| d.path_on_host.clone())
                .collect(),
            device_cgroup_rules: hc.device_cgroup_rules.clone().unwrap_or_default(),
            cgroup_parent: hc.cgroup_parent.clone().unwrap_or_default(),
            // An entry without `=` sets nothing: Docker keeps a bare name
            // given with no value (`-e NAME`, Compose `NAME:`) in
            // `Config.Env`, and it masks the image's own NAME.
            env_names: cfg
                .env
                .iter()
                .flatten()
                .filter_map(|e| e.split_once('=').map(|(k, _)| k.to_string()))
                .collect(),
            networks,
            masked_paths: hc.masked_paths.clone().unwrap_or_default(),
            runtime: hc.runtime.clone().unwrap_or_default(),
        }
    }

    /// The settings as the [`ContainerSpec`] the container controls of
    /// `bulkhead-policy` read. Environment values are not kept (names only),
    /// and `Config.User` already holds the image's USER when `--user` was
    /// not given.
    pub fn to_spec(&self) -> ContainerSpec {
        let some = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        let cap = |c: &CapName| match c {
            CapName::All => "ALL".to_string(),
            CapName::Cap(c) => cap_name(&c.to_string()),
        };
        let ns = &self.namespaces;
        let l = &self.limits;
        // The typed fields are the authority (settings built by hand may
        // set them without `security_opt`); the raw entries come first.
        let mut security_opt: Vec<SecurityOpt> = self
            .security_opt
            .iter()
            .map(|o| SecurityOpt::parse(o))
            .collect();
        let seccomp = match &self.seccomp {
            Seccomp::DaemonDefault => None,
            Seccomp::Unconfined => Some("unconfined"),
            Seccomp::Custom(p) => Some(p.as_str()),
        };
        let last_seccomp = security_opt
            .iter()
            .rev()
            .find(|o| o.key == "seccomp")
            .map(|o| o.value.as_str());
        if let Some(v) = seccomp
            && last_seccomp != Some(v)
        {
            security_opt.push(SecurityOpt {
                key: "seccomp".into(),
                value: v.to_string(),
            });
        }
        let spec_nnp = ContainerSpec {
            security_opt: security_opt.clone(),
            ..ContainerSpec::default()
        }
        .no_new_privileges();
        if spec_nnp != self.no_new_privileges {
            security_opt.push(SecurityOpt {
                key: "no-new-privileges".into(),
                value: self.no_new_privileges.to_string(),
            });
        }
        ContainerSpec {
            name: self.name.clone(),
            source: SpecSource::Inspect,
            image: some(&self.image),
            user: some(&self.user),
            privileged: self.privileged,
            read_only: self.read_only_rootfs,
            cap_add: self
                .cap_add
                .iter()
                .map(cap)
                .chain(self.unknown_caps.iter().map(|c| cap_name(c)))
                .collect(),
            cap_drop: self.cap_drop.iter().map(cap).collect(),
            security_opt,
            apparmor_profile: some(&self.apparmor_profile),
            namespaces: SpecNamespaces {
                network: some(&ns.network),
                pid: some(&ns.pid),
                ipc: some(&ns.ipc),
                uts: some(&ns.uts),
                userns: some(&ns.userns),
                cgroup: some(&ns.cgroupns),
            },
            memory: l.memory.and_then(|m| u64::try_from(m).ok()),
            cpu: SpecCpu {
                nano_cpus: l.nano_cpus,
                shares: l.cpu_shares,
                quota: l.cpu_quota,
                cpuset: l.cpuset_cpus.clone(),
            },
            pids_limit: l.pids,
            tmpfs: self
                .tmpfs
                .iter()
                .map(|t| SpecTmpfs {
                    target: t.clone(),
                    options: self
                        .tmpfs_options
                        .get(t)
                        .map(|o| {
                            o.split(',')
                                .map(str::trim)
                                .filter(|x| !x.is_empty())
                                .map(String::from)
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect(),
            mounts: self
                .mounts
                .iter()
                .map(|m| SpecMount {
                    kind: match m.kind.as_str() {
                        "bind" => MountKind::Bind,
                        "volume" => MountKind::Volume,
                        "tmpfs" => MountKind::Tmpfs,
                        _ => MountKind::Other,
                    },
                    source: m.source.clone(),
                    target: m.destination.clone(),
                    read_only: !m.rw,
                    propagation: some(&m.propagation),
                    line: 0,
                })
                .collect(),
            ports: self
                .ports
                .iter()
                .map(|p| {
                    let (target, protocol) = p
                        .container_port
                        .split_once('/')
                        .unwrap_or((p.container_port.as_str(), "tcp"));
                    SpecPort {
                        host_ip: p.host_ip.clone(),
                        published: if p.host_port == 0 {
                            String::new()
                        } else {
                            p.host_port.to_string()
                        },
                        target: target.to_string(),
                        protocol: protocol.to_ascii_lowercase(),
                        line: 0,
                    }
                })
                .collect(),
            publish_all: self.publish_all,
            devices: self.devices.clone(),
            device_cgroup_rules: self.device_cgroup_rules.clone(),
            env: self
                .env_names
                .iter()
                .map(|n| SpecEnv {
                    name: n.clone(),
                    value: None,
                    line: 0,
                    from_host: false,
                })
                .collect(),
            healthcheck: (!self.health.test.is_empty()).then(|| SpecHealthcheck {
                test: self.health.test.clone(),
                disabled: self.health.test.first().is_some_and(|t| t == "NONE"),
            }),
            restart: (!self.restart.name.is_empty()).then(|| SpecRestart {
                name: self.restart.name.clone(),
                max_retries: self.restart.max_retries,
            }),
            cgroup_parent: some(&self.cgroup_parent),
            ..ContainerSpec::default()
        }
    }

    /// The uid part of `Config.User` (`"1001:1001"` → `"1001"`), empty when
    /// the image default applies.
    pub fn user_uid(&self) -> &str {
        self.user.split(':').next().unwrap_or_default()
    }

    /// Runs as root: user empty (image default; the image config is not
    /// consulted here), `root` or uid `0`, whatever the group.
    pub fn runs_as_root(&self) -> bool {
        matches!(self.user_uid(), "" | "0" | "root")
    }

    /// The bounding set Docker gives the container, from the settings alone:
    /// every capability when privileged, else the default set minus
    /// `CapDrop` plus `CapAdd` (`ALL` honoured on both sides; moby applies
    /// drops first, then adds).
    pub fn expected_bounding(&self) -> u64 {
        if self.privileged {
            return capabilities::all_known_mask();
        }
        let mut mask = if self.cap_drop.contains(&CapName::All) {
            0
        } else {
            let dropped: Vec<Capability> = self
                .cap_drop
                .iter()
                .filter_map(|c| match c {
                    CapName::Cap(c) => Some(*c),
                    CapName::All => None,
                })
                .collect();
            capabilities::docker_default_mask() & !capabilities::mask_of(&dropped)
        };
        for c in &self.cap_add {
            mask |= match c {
                CapName::All => capabilities::all_known_mask(),
                CapName::Cap(c) => c.bitmask(),
            };
        }
        mask
    }

    /// Capabilities added beyond Docker's default set (what CIS 5.4 flags),
    /// as `CAP_…` names; `ALL` when `CapAdd` has it.
    pub fn caps_beyond_default(&self) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.cap_add {
            match c {
                CapName::All => out.push("ALL".to_string()),
                CapName::Cap(c) if !capabilities::DOCKER_DEFAULT.contains(c) => {
                    out.push(c.to_string())
                }
                CapName::Cap(_) => {}
            }
        }
        out
    }

    /// Seccomp is off: `seccomp=unconfined`, or privileged (Docker skips the
    /// profile for privileged containers).
    pub fn seccomp_disabled(&self) -> bool {
        self.privileged || self.seccomp == Seccomp::Unconfined
    }

    /// SELinux labelling disabled with `label=disable`.
    pub fn selinux_disabled(&self) -> bool {
        self.selinux_labels.iter().any(|l| l == "disable")
    }

    /// The container shares the host's network namespace.
    pub fn host_network(&self) -> bool {
        self.namespaces.network == "host"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_opt_forms() {
        assert_eq!(
            split_security_opt("seccomp=unconfined"),
            ("seccomp", "unconfined")
        );
        assert_eq!(
            split_security_opt("seccomp:unconfined"),
            ("seccomp", "unconfined")
        );
        assert_eq!(
            split_security_opt("no-new-privileges"),
            ("no-new-privileges", "")
        );
        assert_eq!(
            split_security_opt("label=type:svirt_t"),
            ("label", "type:svirt_t")
        );
    }

    /// `-e NAME` with nothing exported (Compose `NAME:`) leaves a bare name
    /// in `Config.Env`: it sets nothing, so it is not a variable.
    #[test]
    fn bare_env_names_set_nothing() {
        let c = ContainerInspectResponse {
            config: Some(bollard::models::ContainerConfig {
                env: Some(vec![
                    "A=1".into(),
                    "DB_PASSWORD".into(),
                    "DB_PASSWORD_FILE=/run/secrets/db_password".into(),
                ]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let s = RuntimeSettings::from_inspect(&c);
        assert_eq!(s.env_names, ["A", "DB_PASSWORD_FILE"]);
    }

    #[test]
    fn empty_inspect_is_defaults() {
        let s = RuntimeSettings::from_inspect(&ContainerInspectResponse::default());
        assert!(s.runs_as_root());
        assert_eq!(s.expected_bounding(), capabilities::docker_default_mask());
        assert_eq!(s.seccomp, Seccomp::DaemonDefault);
    }

    #[test]
    fn root_user_forms() {
        for (user, root) in [
            ("", true),
            ("0", true),
            ("0:0", true),
            ("root:root", true),
            ("1001:1001", false),
            ("app", false),
        ] {
            let s = RuntimeSettings {
                user: user.into(),
                ..Default::default()
            };
            assert_eq!(s.runs_as_root(), root, "{user}");
        }
    }
}

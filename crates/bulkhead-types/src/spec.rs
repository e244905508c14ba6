//! [`ContainerSpec`]: the runtime settings of one container, whatever they
//! were read from (a Compose service, `docker inspect`, `docker run` flags,
//! an image config). Plain data: the adapters that fill it live next to
//! their sources (`bulkhead-lint` for Compose, `bulkhead-audit` for inspect,
//! `bulkhead-policy` for run flags and image configs), and the one rule per
//! control that reads it lives in `bulkhead-policy::controls`.
//!
//! Values are normalised once here so every control reads the same thing:
//! capability names upper case without `CAP_`, `security_opt` split into
//! key and value (both `key=value` and `key:value`), "unlimited" sentinels
//! kept raw but read through [`ContainerSpec::pids_limited`] and friends.

use serde::Serialize;
use std::collections::BTreeMap;

/// What a spec was built from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpecSource {
    /// A Compose service: lines are Compose file lines.
    Compose,
    /// `docker inspect` of a container.
    Inspect,
    /// `docker run` flags.
    RunFlags,
    /// An image config alone.
    #[default]
    Image,
}

/// The kind of a mount.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MountKind {
    Bind,
    #[default]
    Volume,
    Tmpfs,
    Other,
}

/// A mount (bind, volume, tmpfs given as a mount).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SpecMount {
    pub kind: MountKind,
    /// Host path (bind) or volume name; empty for anonymous volumes/tmpfs.
    pub source: String,
    /// Path inside the container.
    pub target: String,
    pub read_only: bool,
    /// Bind propagation (`shared`, `rslave`, …), when given.
    pub propagation: Option<String>,
    /// Origin line (Compose), 0 when unknown.
    pub line: usize,
}

/// A tmpfs mount and its options (`rw`, `noexec`, `nosuid`, `size=…`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SpecTmpfs {
    pub target: String,
    pub options: Vec<String>,
}

impl SpecTmpfs {
    /// Whether an option (`noexec`, `nosuid`, `nodev`) is set.
    pub fn has(&self, opt: &str) -> bool {
        self.options.iter().any(|o| o == opt)
    }
    /// The `size=` option, if any.
    pub fn size(&self) -> Option<&str> {
        self.options.iter().find_map(|o| o.strip_prefix("size="))
    }
}

/// A published port.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SpecPort {
    /// Host address; empty = all interfaces.
    pub host_ip: String,
    /// Host port (or range); empty = ephemeral.
    pub published: String,
    /// Container port (or range), without the protocol.
    pub target: String,
    /// `tcp`, `udp`, `sctp`.
    pub protocol: String,
    /// Origin line (Compose), 0 when unknown.
    pub line: usize,
}

impl SpecPort {
    /// Bound on every interface (`0.0.0.0`, `::` or empty).
    pub fn all_interfaces(&self) -> bool {
        matches!(self.host_ip.trim(), "" | "0.0.0.0" | "::" | "[::]")
    }
    /// The host port as a number (first of a range), when there is one.
    pub fn host_port(&self) -> Option<u16> {
        self.published.split('-').next()?.trim().parse().ok()
    }
}

/// An environment variable. `value` is `None` when passed through from the
/// host (`from_host`: Compose `- NAME`, `docker run -e NAME`) or when the
/// value exists but is not read (inspect: values are never kept).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SpecEnv {
    pub name: String,
    pub value: Option<String>,
    pub line: usize,
    /// Taken from the environment of the host that starts the container:
    /// the definition itself holds no value.
    pub from_host: bool,
}

/// A `security_opt` entry, normalised from `key:value` or `key=value`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SecurityOpt {
    /// Lower case.
    pub key: String,
    pub value: String,
}

impl SecurityOpt {
    /// Split an entry (`seccomp=unconfined`, `seccomp:unconfined`, bare
    /// `no-new-privileges`) at the first `=` or `:`.
    pub fn parse(entry: &str) -> SecurityOpt {
        let (k, v) = entry.split_once(['=', ':']).unwrap_or((entry, ""));
        SecurityOpt {
            key: k.trim().to_ascii_lowercase(),
            value: v.trim().to_string(),
        }
    }
}

/// The health check configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SpecHealthcheck {
    /// `["CMD", …]`, `["CMD-SHELL", …]`, `["NONE"]`.
    pub test: Vec<String>,
    /// Disabled (`disable: true`, `--no-healthcheck`, test `NONE`).
    pub disabled: bool,
}

/// Namespace modes; `None` = Docker's default (private). `Some("host")`
/// shares the host's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SpecNamespaces {
    pub network: Option<String>,
    pub pid: Option<String>,
    pub ipc: Option<String>,
    pub uts: Option<String>,
    pub userns: Option<String>,
    pub cgroup: Option<String>,
}

/// CPU controls; `None` = unset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SpecCpu {
    /// `--cpus` × 1e9 (`NanoCpus`).
    pub nano_cpus: Option<i64>,
    pub shares: Option<i64>,
    pub quota: Option<i64>,
    pub cpuset: Option<String>,
}

/// Restart policy (`no`, `always`, `on-failure`, `unless-stopped`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SpecRestart {
    pub name: String,
    pub max_retries: i64,
}

/// The runtime settings of one container.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContainerSpec {
    /// Service or container name.
    pub name: String,
    pub source: SpecSource,
    /// Origin line of the whole container (Compose: the service key), 0
    /// when unknown.
    pub line: usize,
    /// Origin of each setting: Compose key → line. Empty for other sources.
    pub key_lines: BTreeMap<String, usize>,
    pub image: Option<String>,
    /// User asked for (`--user`, `user:`); `None` = the image's applies.
    /// For inspect, `Config.User` already holds the image's USER.
    pub user: Option<String>,
    /// `USER` of the image config, when known.
    pub image_user: Option<String>,
    pub privileged: bool,
    pub read_only: bool,
    /// Upper case, without `CAP_` (`ALL` kept).
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub security_opt: Vec<SecurityOpt>,
    /// Effective AppArmor profile (inspect only), `None` when unknown.
    pub apparmor_profile: Option<String>,
    pub namespaces: SpecNamespaces,
    /// Memory limit in bytes as given (0 = unlimited).
    pub memory: Option<u64>,
    pub cpu: SpecCpu,
    /// PIDs limit as given (0 and negative = unlimited, as for Docker).
    pub pids_limit: Option<i64>,
    pub tmpfs: Vec<SpecTmpfs>,
    pub mounts: Vec<SpecMount>,
    pub ports: Vec<SpecPort>,
    /// `-P` / `PublishAllPorts`.
    pub publish_all: bool,
    /// `EXPOSE`d ports of the image (`80/tcp`).
    pub exposed_ports: Vec<String>,
    /// `VOLUME`s of the image.
    pub image_volumes: Vec<String>,
    /// Host device paths.
    pub devices: Vec<String>,
    pub device_cgroup_rules: Vec<String>,
    pub env: Vec<SpecEnv>,
    /// Secrets mounted (Compose `secrets:`).
    pub secrets: Vec<String>,
    /// Configured health check (container or image), `None` when unset.
    pub healthcheck: Option<SpecHealthcheck>,
    pub restart: Option<SpecRestart>,
    /// Compose `use_api_socket: true`.
    pub use_api_socket: bool,
    pub cgroup_parent: Option<String>,
}

/// `cap_sys_admin`, `CAP_SYS_ADMIN`, `sys_admin` → `SYS_ADMIN`.
pub fn cap_name(raw: &str) -> String {
    let up = raw.trim().to_ascii_uppercase();
    match up.strip_prefix("CAP_") {
        Some(rest) => rest.to_string(),
        None => up,
    }
}

/// A byte count as Docker's size flags take it (`--memory`, `mem_limit`):
/// `268435456` → `256m`; `1073741824` → `1g`; otherwise `k` or bytes.
pub fn human_bytes(n: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    const GIB: u64 = 1024 * MIB;
    if n != 0 && n.is_multiple_of(GIB) {
        format!("{}g", n / GIB)
    } else if n != 0 && n.is_multiple_of(MIB) {
        format!("{}m", n / MIB)
    } else if n != 0 && n.is_multiple_of(1024) {
        format!("{}k", n / 1024)
    } else {
        n.to_string()
    }
}

/// Docker's reading of a boolean option value (Go `strconv.ParseBool`).
pub fn parse_go_bool(s: &str) -> Option<bool> {
    match s.trim() {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

impl ContainerSpec {
    /// The origin line of `key` (Compose), or the container's own line.
    pub fn line_of(&self, key: &str) -> usize {
        self.key_lines.get(key).copied().unwrap_or(self.line)
    }
    /// Whether `security_opt` has `key` (and, when given, that value).
    pub fn has_security_opt(&self, key: &str, value: Option<&str>) -> bool {
        self.security_opt
            .iter()
            .any(|o| o.key == key && value.is_none_or(|v| o.value == v))
    }
    /// no-new-privileges requested (bare, `:true`, `=true`; the last entry
    /// wins, as in Docker).
    pub fn no_new_privileges(&self) -> bool {
        self.security_opt
            .iter()
            .rev()
            .find(|o| o.key == "no-new-privileges")
            .is_some_and(|o| o.value.is_empty() || parse_go_bool(&o.value) == Some(true))
    }
    /// The `seccomp=` value (last one wins), `None` = daemon default.
    pub fn seccomp(&self) -> Option<&str> {
        self.security_opt
            .iter()
            .rev()
            .find(|o| o.key == "seccomp")
            .map(|o| o.value.as_str())
    }
    /// The user the process runs as: the configured one, else the image's
    /// (`""` = root, Docker's default).
    pub fn effective_user(&self) -> &str {
        self.user
            .as_deref()
            .filter(|u| !u.is_empty())
            .or(self.image_user.as_deref())
            .unwrap_or("")
    }
    /// A PIDs limit is in force: Docker reads 0 and -1 (any value ≤ 0) as
    /// unlimited.
    pub fn pids_limited(&self) -> Option<i64> {
        self.pids_limit.filter(|n| *n > 0)
    }
    /// A memory limit is in force (0 = unlimited).
    pub fn memory_limited(&self) -> Option<u64> {
        self.memory.filter(|n| *n > 0)
    }
    /// Some CPU control is set.
    pub fn cpu_limited(&self) -> bool {
        let c = &self.cpu;
        c.nano_cpus.is_some_and(|n| n > 0)
            || c.shares.is_some_and(|n| n > 0)
            || c.quota.is_some_and(|n| n > 0)
            || c.cpuset.as_deref().is_some_and(|s| !s.is_empty())
    }
    /// The namespace mode of `ns` (`network`, `pid`, `ipc`, `uts`,
    /// `userns`, `cgroup`).
    pub fn namespace(&self, ns: &str) -> Option<&str> {
        let n = &self.namespaces;
        match ns {
            "network" => n.network.as_deref(),
            "pid" => n.pid.as_deref(),
            "ipc" => n.ipc.as_deref(),
            "uts" => n.uts.as_deref(),
            "userns" => n.userns.as_deref(),
            "cgroup" => n.cgroup.as_deref(),
            _ => None,
        }
    }
    /// Namespaces shared with the host, in the order above.
    pub fn host_namespaces(&self) -> Vec<&'static str> {
        ["network", "pid", "ipc", "uts", "userns", "cgroup"]
            .into_iter()
            .filter(|ns| self.namespace(ns) == Some("host"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_opt_forms() {
        assert_eq!(SecurityOpt::parse("seccomp=unconfined").value, "unconfined");
        assert_eq!(SecurityOpt::parse("seccomp:unconfined").key, "seccomp");
        assert_eq!(SecurityOpt::parse("no-new-privileges").value, "");
        assert_eq!(
            SecurityOpt::parse("label=type:svirt_t").value,
            "type:svirt_t"
        );
    }

    #[test]
    fn byte_counts_in_docker_units() {
        assert_eq!(human_bytes(256 << 20), "256m");
        assert_eq!(human_bytes(1 << 30), "1g");
        assert_eq!(human_bytes(3 << 10), "3k");
        assert_eq!(human_bytes(1000), "1000");
        assert_eq!(human_bytes(0), "0");
    }

    #[test]
    fn unlimited_sentinels() {
        for (v, want) in [
            (None, None),
            (Some(0), None),
            (Some(-1), None),
            (Some(100), Some(100)),
        ] {
            let s = ContainerSpec {
                pids_limit: v,
                ..ContainerSpec::default()
            };
            assert_eq!(s.pids_limited(), want, "{v:?}");
        }
    }

    #[test]
    fn no_new_privileges_last_wins() {
        let mut s = ContainerSpec {
            security_opt: vec![SecurityOpt::parse("no-new-privileges=true")],
            ..ContainerSpec::default()
        };
        assert!(s.no_new_privileges());
        s.security_opt
            .push(SecurityOpt::parse("no-new-privileges=false"));
        assert!(!s.no_new_privileges());
        s.security_opt = vec![SecurityOpt::parse("no-new-privileges:TRUE")];
        assert!(s.no_new_privileges());
    }
}

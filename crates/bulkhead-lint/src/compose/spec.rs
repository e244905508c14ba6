//! A Compose [`Service`] → [`ContainerSpec`], the model the container
//! controls of `bulkhead-policy` read. Lines of keys and list entries are
//! kept so lint findings point at the Compose line.

use super::{MountKind, Service};
use bulkhead_types::{
    ContainerSpec, MountKind as SpecMountKind, SecurityOpt, SpecCpu, SpecEnv, SpecHealthcheck,
    SpecMount, SpecNamespaces, SpecPort, SpecRestart, SpecSource, SpecTmpfs, cap_name,
};

impl Service {
    /// The runtime settings this service asks for.
    pub fn to_spec(&self) -> ContainerSpec {
        let l = &self.limits;
        ContainerSpec {
            name: self.name.clone(),
            source: SpecSource::Compose,
            line: self.line,
            key_lines: self.key_lines.clone(),
            image: self.image.clone(),
            user: self.user.clone(),
            image_user: None,
            privileged: self.privileged,
            read_only: self.read_only,
            cap_add: self.cap_add.iter().map(|c| cap_name(c)).collect(),
            cap_drop: self.cap_drop.iter().map(|c| cap_name(c)).collect(),
            security_opt: self
                .security_opt
                .iter()
                .map(|o| SecurityOpt {
                    key: o.key.clone(),
                    value: o.value.clone(),
                })
                .collect(),
            apparmor_profile: None,
            namespaces: SpecNamespaces {
                network: self.network_mode.clone(),
                pid: self.pid.clone(),
                ipc: self.ipc.clone(),
                uts: self.uts.clone(),
                userns: self.userns_mode.clone(),
                cgroup: self.cgroup.clone(),
            },
            memory: l.memory,
            cpu: SpecCpu {
                nano_cpus: l
                    .cpus
                    .filter(|c| c.is_finite() && *c >= 0.0 && *c < 1e9)
                    .map(|c| (c * 1e9) as i64),
                shares: l.cpu_shares,
                quota: l.cpu_quota,
                cpuset: l.cpuset.clone(),
            },
            pids_limit: l.pids,
            tmpfs: self
                .tmpfs
                .iter()
                .map(|t| SpecTmpfs {
                    target: t.target.clone(),
                    options: t.options.clone(),
                })
                .collect(),
            mounts: self
                .mounts
                .iter()
                .map(|m| SpecMount {
                    kind: match m.kind {
                        MountKind::Bind => SpecMountKind::Bind,
                        MountKind::Volume => SpecMountKind::Volume,
                        MountKind::Tmpfs => SpecMountKind::Tmpfs,
                        MountKind::Other => SpecMountKind::Other,
                    },
                    source: m.source.clone(),
                    target: m.target.clone(),
                    read_only: m.read_only,
                    propagation: m.propagation.clone(),
                    line: m.line,
                })
                .collect(),
            ports: self
                .ports
                .iter()
                .map(|p| SpecPort {
                    host_ip: p.host_ip.clone(),
                    published: p.published.clone(),
                    target: p.target.clone(),
                    protocol: if p.protocol.is_empty() {
                        "tcp".to_string()
                    } else {
                        p.protocol.to_ascii_lowercase()
                    },
                    line: p.line,
                })
                .collect(),
            publish_all: false,
            exposed_ports: Vec::new(),
            image_volumes: Vec::new(),
            devices: self
                .devices
                .iter()
                .map(|d| d.split(':').next().unwrap_or(d).to_string())
                .collect(),
            device_cgroup_rules: self.device_cgroup_rules.clone(),
            env: self
                .env
                .iter()
                .map(|e| SpecEnv {
                    name: e.name.clone(),
                    value: e.value.clone(),
                    line: e.line,
                    from_host: e.value.is_none(),
                })
                .collect(),
            secrets: self.secrets.clone(),
            healthcheck: self.healthcheck.as_ref().map(|h| SpecHealthcheck {
                test: h.test.clone(),
                disabled: h.disabled,
            }),
            restart: self.restart.as_deref().map(|r| {
                let (name, max) = r.split_once(':').unwrap_or((r, "0"));
                SpecRestart {
                    name: name.trim().to_string(),
                    max_retries: max.trim().parse().unwrap_or(0),
                }
            }),
            use_api_socket: self.use_api_socket,
            cgroup_parent: None,
        }
    }
}

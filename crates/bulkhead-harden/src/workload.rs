//! The input model of `harden`: what is known about one workload, whichever
//! source it came from.
//!
//! Every source becomes a [`bulkhead_types::ContainerSpec`] first (the
//! Compose adapter in `bulkhead-lint`, the inspect adapter in
//! `bulkhead-audit`, the image-config adapter in `bulkhead-policy`), the
//! model the container controls read; [`Workload`] is the part of it
//! `harden` proposes from ([`Workload::from_spec`]), completed by an
//! image's config ([`Workload::apply_image_config`]) and, for a running
//! container, by what was observed ([`Observed`]).

use bulkhead_analyzers::passwd::PasswdEntry;
use bulkhead_audit::RuntimeSettings;
use bulkhead_lint::compose::Service;
use bulkhead_policy::controls::device_cgroup_rules;
use bulkhead_types::{ContainerSpec, MountKind};
use serde::Serialize;
use std::collections::BTreeSet;

pub use bulkhead_types::harden::{PortOrigin, PortUse, SourceKind, TmpfsSpec};

/// What a `docker diff` entry says happened to a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    Modified,
    Added,
    Deleted,
}

/// A path the container changed in its writable layer since it started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Written {
    pub path: String,
    pub kind: ChangeKind,
}

/// What was observed on a running container (absent for Compose and image
/// inputs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Observed {
    /// `GET /containers/{id}/changes` (docker diff).
    pub written: Vec<Written>,
    /// Memory in use now (bytes), from the stats endpoint.
    pub memory_usage: Option<u64>,
    /// Number of processes/threads in the container's cgroup now.
    pub pids: Option<u64>,
    /// Real uids of the container's processes (init and descendants).
    pub uids: BTreeSet<u32>,
    /// What could not be observed, and why.
    pub notes: Vec<String>,
}

/// The runtime settings `harden` reads, from any source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Workload {
    /// Service or container name (the Compose override's service key).
    pub name: String,
    pub source: SourceKind,
    /// Where exactly (file and service, container id, image file).
    pub origin: String,
    pub image: Option<String>,
    /// User set for the container/service (`None`: the image's applies).
    pub user: Option<String>,
    /// `USER` of the image config, when known.
    pub image_user: Option<String>,
    /// Entries of the image's `/etc/passwd`, when it could be read.
    pub passwd: Option<Vec<PasswdEntry>>,
    pub read_only: bool,
    pub privileged: bool,
    /// tmpfs mounts already configured.
    pub tmpfs: Vec<TmpfsSpec>,
    /// Targets of read-write bind mounts and volumes (writes there are fine).
    pub writable_mounts: Vec<String>,
    /// `VOLUME`s of the image (Docker mounts an anonymous volume there).
    pub image_volumes: Vec<String>,
    /// Capabilities added, upper case without `CAP_` (`ALL` kept).
    pub cap_add: BTreeSet<String>,
    pub cap_drop: BTreeSet<String>,
    pub no_new_privileges: bool,
    /// `seccomp=` value: `unconfined` or a profile; `None` = daemon default.
    pub seccomp: Option<String>,
    /// Memory limit in bytes.
    pub memory: Option<u64>,
    pub pids_limit: Option<i64>,
    pub ports: Vec<PortUse>,
    /// Namespaces shared with the host (`network`, `pid`, `ipc`, `uts`, `userns`).
    pub host_namespaces: Vec<String>,
    /// Device cgroup rules that reach every device of a kind (the
    /// `device-cgroup-rules` control's hits).
    pub broad_device_rules: Vec<String>,
    /// Live observation (running containers only).
    pub observed: Option<Observed>,
}

pub use bulkhead_types::cap_name;

/// The first port number of a port spec (`8080`, `8080/tcp`, `8000-8010`).
fn port_number(spec: &str) -> Option<(u16, String)> {
    let (num, proto) = match spec.split_once('/') {
        Some((n, p)) => (n, p.to_ascii_lowercase()),
        None => (spec, "tcp".to_string()),
    };
    let first = num.split('-').next().unwrap_or(num).trim();
    first.parse().ok().map(|p| (p, proto))
}

impl Workload {
    /// From a container spec (the model the `bulkhead-policy` controls
    /// read): what `harden` needs of it. `from_compose` and `from_runtime`
    /// go through here, so a setting is derived once for every source.
    pub fn from_spec(s: &ContainerSpec, source: SourceKind, origin: String) -> Workload {
        let mut tmpfs: Vec<TmpfsSpec> = s
            .tmpfs
            .iter()
            .map(|t| TmpfsSpec {
                target: t.target.clone(),
                options: t.options.clone(),
            })
            .collect();
        let mut writable_mounts = Vec::new();
        for m in &s.mounts {
            match m.kind {
                MountKind::Tmpfs if !tmpfs.iter().any(|t| t.target == m.target) => {
                    tmpfs.push(TmpfsSpec {
                        target: m.target.clone(),
                        options: Vec::new(),
                    })
                }
                MountKind::Bind | MountKind::Volume if !m.read_only => {
                    writable_mounts.push(m.target.clone())
                }
                _ => {}
            }
        }
        let mut ports: Vec<PortUse> = s
            .ports
            .iter()
            .filter_map(|p| {
                let (port, _) = port_number(&p.target)?;
                Some(PortUse {
                    port,
                    protocol: if p.protocol.is_empty() {
                        "tcp".to_string()
                    } else {
                        p.protocol.to_ascii_lowercase()
                    },
                    origin: PortOrigin::Published,
                })
            })
            .collect();
        ports.sort();
        ports.dedup();
        Workload {
            name: s.name.clone(),
            source,
            origin,
            image: s.image.clone().filter(|i| !i.is_empty()),
            user: s.user.clone().filter(|u| !u.is_empty()),
            image_user: s.image_user.clone(),
            read_only: s.read_only,
            privileged: s.privileged,
            tmpfs,
            writable_mounts,
            cap_add: s.cap_add.iter().map(|c| cap_name(c)).collect(),
            cap_drop: s.cap_drop.iter().map(|c| cap_name(c)).collect(),
            no_new_privileges: s.no_new_privileges(),
            seccomp: s.seccomp().map(str::to_string),
            memory: s.memory_limited(),
            pids_limit: s.pids_limited(),
            ports,
            // The cgroup namespace is left out: on cgroup v1 hosts `host` is
            // Docker's default, so inspect cannot tell it was asked for.
            host_namespaces: s
                .host_namespaces()
                .into_iter()
                .filter(|ns| *ns != "cgroup")
                .map(str::to_string)
                .collect(),
            broad_device_rules: device_cgroup_rules::check(s)
                .into_iter()
                .flat_map(|f| f.hits)
                .map(|h| h.value)
                .collect(),
            ..Workload::default()
        }
    }

    /// From a Compose service (after interpolation and `extends`).
    pub fn from_compose(s: &Service, file: &str) -> Workload {
        Workload::from_spec(
            &s.to_spec(),
            SourceKind::Compose,
            format!("service {} of {file}", s.name),
        )
    }

    /// From a container's inspect view. `Config.User` there already holds
    /// the image's `USER` when `--user` was not given.
    pub fn from_runtime(r: &RuntimeSettings) -> Workload {
        Workload::from_spec(
            &r.to_spec(),
            SourceKind::Container,
            format!(
                "container {} ({})",
                r.name,
                r.id.chars().take(12).collect::<String>()
            ),
        )
    }

    /// From an image config alone (`name`: the service name to propose for).
    pub fn from_image_config(name: &str, origin: &str, config: &serde_json::Value) -> Workload {
        let mut w = Workload {
            name: name.to_string(),
            source: SourceKind::Image,
            origin: origin.to_string(),
            ..Workload::default()
        };
        w.apply_image_config(config);
        w
    }

    /// Complete the workload with an image config: `USER`, `EXPOSE`d ports,
    /// `VOLUME`s. Accepts the whole config blob (with its `config` object)
    /// or the inner object itself (`docker image inspect`'s `.Config`).
    pub fn apply_image_config(&mut self, config: &serde_json::Value) {
        let img = bulkhead_policy::image_config::spec(&self.name, config);
        if img.image_user.is_some() {
            self.image_user = img.image_user;
        }
        if !img.exposed_ports.is_empty() {
            for spec in &img.exposed_ports {
                if let Some((port, protocol)) = port_number(spec) {
                    self.ports.push(PortUse {
                        port,
                        protocol,
                        origin: PortOrigin::Exposed,
                    });
                }
            }
            self.ports.sort();
            self.ports.dedup();
        }
        if !img.image_volumes.is_empty() {
            for v in img.image_volumes {
                if !self.image_volumes.contains(&v) {
                    self.image_volumes.push(v);
                }
            }
            self.image_volumes.sort();
        }
    }

    /// Complete a Compose service with what its image says (`img`, from
    /// [`Workload::from_image_config`] plus the image's passwd): the image's
    /// USER, passwd entries and VOLUMEs, and its EXPOSEd ports besides the
    /// published ones. The service's own settings win.
    pub fn complete_with_image(&mut self, img: Workload) {
        self.image_user = img.image_user;
        self.passwd = img.passwd;
        self.image_volumes = img.image_volumes;
        self.ports.extend(img.ports);
        self.ports.sort();
        self.ports.dedup();
    }

    /// The user the process runs as: the configured one, else the image's
    /// (`""` = root, Docker's default).
    pub fn effective_user(&self) -> &str {
        self.user
            .as_deref()
            .or(self.image_user.as_deref())
            .unwrap_or("")
    }
}

/// A user spec resolved to numbers, or why it could not be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolvedUser {
    /// Numeric uid and gid. `how` says where the numbers came from.
    Numeric { uid: u32, gid: u32, how: String },
    /// A name not found (or no passwd file to look in).
    Unresolved { name: String, why: String },
}

/// Resolve `user[:group]` with the image's passwd entries.
///
/// Without a group, Docker takes the passwd entry's primary group, or gid 0
/// when the uid has no entry; a proposal spells the gid out so it never falls
/// back to the root group silently.
pub fn resolve_user(spec: &str, passwd: Option<&[PasswdEntry]>) -> ResolvedUser {
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u.trim(), Some(g.trim()).filter(|g| !g.is_empty())),
        None => (spec.trim(), None),
    };
    let user = if user.is_empty() { "0" } else { user };
    let by_name = |name: &str| passwd.and_then(|p| p.iter().find(|e| e.name == name));
    let (uid, primary, how) = match user.parse::<u32>() {
        Ok(uid) => {
            let primary = passwd.and_then(|p| p.iter().find(|e| e.uid == uid).map(|e| e.gid));
            (uid, primary, format!("uid {uid}"))
        }
        Err(_) => match by_name(user) {
            Some(e) => (
                e.uid,
                Some(e.gid),
                format!("user {user} resolved via the image's /etc/passwd"),
            ),
            None => {
                let why = if passwd.is_some() {
                    format!("user {user} is not in the image's /etc/passwd")
                } else {
                    format!("user {user} is a name and the image's /etc/passwd could not be read")
                };
                return ResolvedUser::Unresolved {
                    name: user.to_string(),
                    why,
                };
            }
        },
    };
    let gid = match group {
        Some(g) => match g.parse::<u32>() {
            Ok(gid) => gid,
            // Group names need /etc/group, which is not read: fall back to
            // the primary group, and to the uid when there is none.
            Err(_) => primary.unwrap_or(uid),
        },
        None => primary.unwrap_or(uid),
    };
    ResolvedUser::Numeric { uid, gid, how }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulkhead_audit::runtime::Seccomp;
    use bulkhead_lint::compose::{LoadOptions, load_str};
    use std::collections::BTreeMap;
    use std::path::Path;

    fn pw(name: &str, uid: u32, gid: u32) -> PasswdEntry {
        PasswdEntry {
            name: name.into(),
            uid,
            gid,
            home: "/".into(),
            shell: "/bin/sh".into(),
        }
    }

    #[test]
    fn cap_names_normalise() {
        assert_eq!(cap_name("cap_net_bind_service"), "NET_BIND_SERVICE");
        assert_eq!(cap_name("SYS_ADMIN"), "SYS_ADMIN");
        assert_eq!(cap_name(" all "), "ALL");
    }

    #[test]
    fn ports_parse() {
        assert_eq!(port_number("80/tcp"), Some((80, "tcp".into())));
        assert_eq!(port_number("53/UDP"), Some((53, "udp".into())));
        assert_eq!(port_number("8000-8010"), Some((8000, "tcp".into())));
        assert_eq!(port_number("http"), None);
    }

    #[test]
    fn compose_service_converts() {
        let text = r#"
services:
  web:
    image: nginx:1.27
    user: www-data
    privileged: true
    cap_add: [cap_net_admin, SYS_TIME]
    security_opt: ["seccomp:unconfined"]
    network_mode: host
    tmpfs: ["/run:size=1m"]
    volumes:
      - data:/var/lib/app
      - ./conf:/etc/app:ro
      - type: tmpfs
        target: /cache
    ports: ["127.0.0.1:8443:443/tcp", "53:53/udp"]
    mem_limit: 512m
    pids_limit: 50
volumes: {data: {}}
"#;
        let p = load_str(
            text,
            Path::new("compose.yaml"),
            &BTreeMap::new(),
            &LoadOptions::default(),
        )
        .unwrap();
        let w = Workload::from_compose(&p.services[0], "compose.yaml");
        assert_eq!(w.source, SourceKind::Compose);
        assert_eq!(w.user.as_deref(), Some("www-data"));
        assert!(w.privileged);
        assert_eq!(
            w.cap_add,
            ["NET_ADMIN", "SYS_TIME"].map(String::from).into()
        );
        assert_eq!(w.seccomp.as_deref(), Some("unconfined"));
        assert_eq!(w.host_namespaces, vec!["network".to_string()]);
        let targets: Vec<&str> = w.tmpfs.iter().map(|t| t.target.as_str()).collect();
        assert_eq!(targets, ["/run", "/cache"]);
        assert_eq!(w.writable_mounts, vec!["/var/lib/app".to_string()]);
        assert_eq!(w.memory, Some(512 * 1024 * 1024));
        assert_eq!(w.pids_limit, Some(50));
        let ports: Vec<(u16, &str)> = w
            .ports
            .iter()
            .map(|p| (p.port, p.protocol.as_str()))
            .collect();
        assert_eq!(ports, [(53, "udp"), (443, "tcp")]);
    }

    #[test]
    fn runtime_settings_convert() {
        use bulkhead_audit::capabilities::CapName;
        use bulkhead_audit::runtime::{Limits, MountInfo, Namespaces, PublishedPort};
        let r = RuntimeSettings {
            id: "0123456789abcdef0123".into(),
            name: "web".into(),
            image: "busybox:local".into(),
            user: "1001".into(),
            cap_add: [CapName::parse("NET_ADMIN").unwrap()].into(),
            cap_drop: [CapName::All].into(),
            seccomp: Seccomp::Custom("{...}".into()),
            no_new_privileges: true,
            tmpfs: vec!["/run".into()],
            mounts: vec![
                MountInfo {
                    kind: "volume".into(),
                    source: "/var/lib/docker/volumes/x".into(),
                    destination: "/data".into(),
                    rw: true,
                    propagation: String::new(),
                },
                MountInfo {
                    kind: "bind".into(),
                    source: "/etc/x".into(),
                    destination: "/etc/x".into(),
                    rw: false,
                    propagation: String::new(),
                },
            ],
            ports: vec![PublishedPort {
                container_port: "80/tcp".into(),
                host_ip: "127.0.0.1".into(),
                host_port: 8080,
            }],
            namespaces: Namespaces {
                pid: "host".into(),
                ..Namespaces::default()
            },
            limits: Limits {
                memory: Some(1 << 28),
                pids: Some(64),
                ..Limits::default()
            },
            read_only_rootfs: true,
            ..RuntimeSettings::default()
        };
        let w = Workload::from_runtime(&r);
        assert_eq!(w.source, SourceKind::Container);
        assert_eq!(w.origin, "container web (0123456789ab)");
        assert_eq!(w.user.as_deref(), Some("1001"));
        assert_eq!(w.cap_add, ["NET_ADMIN".to_string()].into());
        assert_eq!(w.cap_drop, ["ALL".to_string()].into());
        assert_eq!(w.seccomp.as_deref(), Some("{...}"));
        assert!(w.no_new_privileges && w.read_only);
        assert_eq!(w.writable_mounts, vec!["/data".to_string()]);
        assert_eq!(w.tmpfs.len(), 1);
        assert_eq!(w.memory, Some(1 << 28));
        assert_eq!(w.pids_limit, Some(64));
        assert_eq!(w.host_namespaces, vec!["pid".to_string()]);
        assert_eq!(w.ports.len(), 1);
        assert_eq!(w.ports[0].port, 80);
        assert_eq!(w.ports[0].origin, PortOrigin::Published);
    }

    #[test]
    fn default_runtime_settings_are_root_and_unlimited() {
        let w = Workload::from_runtime(&RuntimeSettings::default());
        assert_eq!(w.effective_user(), "");
        assert_eq!(w.memory, None);
        assert!(w.host_namespaces.is_empty());
    }

    #[test]
    fn image_config_blob_and_inner_object() {
        let blob = serde_json::json!({
            "architecture": "amd64",
            "config": {
                "User": "app",
                "ExposedPorts": {"80/tcp": {}, "9090/tcp": {}},
                "Volumes": {"/data": {}},
            }
        });
        let w = Workload::from_image_config("app", "image.tar", &blob);
        assert_eq!(w.image_user.as_deref(), Some("app"));
        assert_eq!(w.effective_user(), "app");
        assert_eq!(w.ports.len(), 2);
        assert_eq!(w.ports[0].origin, PortOrigin::Exposed);
        assert_eq!(w.image_volumes, vec!["/data".to_string()]);
        let inner = blob.get("config").unwrap();
        assert_eq!(
            Workload::from_image_config("app", "x", inner),
            w.clone_with_origin("x")
        );
    }

    impl Workload {
        fn clone_with_origin(&self, origin: &str) -> Workload {
            Workload {
                origin: origin.into(),
                ..self.clone()
            }
        }
    }

    #[test]
    fn configured_user_wins_over_image_user() {
        let mut w = Workload {
            user: Some("1001".into()),
            ..Workload::default()
        };
        w.apply_image_config(&serde_json::json!({"User": "app"}));
        assert_eq!(w.effective_user(), "1001");
    }

    #[test]
    fn users_resolve() {
        let pw = vec![
            pw("root", 0, 0),
            pw("app", 1001, 1002),
            pw("nobody", 65534, 65534),
        ];
        let num = |s: &str, p: Option<&[PasswdEntry]>| match resolve_user(s, p) {
            ResolvedUser::Numeric { uid, gid, .. } => Some((uid, gid)),
            ResolvedUser::Unresolved { .. } => None,
        };
        assert_eq!(num("app", Some(&pw)), Some((1001, 1002)));
        assert_eq!(num("app:5", Some(&pw)), Some((1001, 5)));
        assert_eq!(num("app:staff", Some(&pw)), Some((1001, 1002)));
        assert_eq!(num("1001", Some(&pw)), Some((1001, 1002)));
        assert_eq!(num("1001", None), Some((1001, 1001)));
        assert_eq!(num("2000:3000", None), Some((2000, 3000)));
        assert_eq!(num("", None), Some((0, 0)));
        assert_eq!(num("root", Some(&pw)), Some((0, 0)));
        assert_eq!(num("ghost", Some(&pw)), None);
        assert!(matches!(
            resolve_user("app", None),
            ResolvedUser::Unresolved { why, .. } if why.contains("could not be read")
        ));
    }
}

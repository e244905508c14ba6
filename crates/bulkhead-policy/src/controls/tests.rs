#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use super::*;
use bulkhead_types::{
    ContainerSpec, MountKind, SecurityOpt, SpecHealthcheck, SpecMount, SpecPort, SpecTmpfs,
};

fn spec() -> ContainerSpec {
    ContainerSpec::default()
}

fn hits(f: Option<crate::Finding>) -> Vec<String> {
    f.map(|f| f.hits.into_iter().map(|h| h.value).collect())
        .unwrap_or_default()
}

#[test]
fn every_control_listed_once() {
    let mut names: Vec<&str> = ALL.iter().map(|c| c.name).collect();
    let n = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), n);
    for c in ALL {
        assert!(
            c.lint.iter().all(|id| id.starts_with("BH-CO-")),
            "{}",
            c.name
        );
    }
}

#[test]
fn user_root_unset_and_image() {
    let mut s = spec();
    assert_eq!(hits(user::check(&s)), [user::UNSET]);
    s.image_user = Some("app".into());
    assert!(user::check(&s).is_none());
    s.user = Some("0:0".into());
    assert_eq!(hits(user::check(&s)), ["0:0"]);
    s.user = Some("root".into());
    assert!(user::check(&s).is_some());
    s.user = Some("1000".into());
    assert!(user::check(&s).is_none());
    s.user = None;
    s.image_user = Some("root".into());
    assert_eq!(hits(user::check(&s)), ["root"]);
}

#[test]
fn flags_and_booleans() {
    let mut s = spec();
    assert!(read_only::check(&s).is_some());
    assert!(privileged::check(&s).is_none());
    assert!(no_new_privileges::check(&s).is_some());
    assert!(cap_drop_all::check(&s).is_some());
    s.read_only = true;
    s.privileged = true;
    s.cap_drop = vec!["ALL".into()];
    s.security_opt = vec![SecurityOpt::parse("no-new-privileges")];
    assert!(read_only::check(&s).is_none());
    assert!(privileged::check(&s).is_some());
    assert!(no_new_privileges::check(&s).is_none());
    assert!(cap_drop_all::check(&s).is_none());
}

#[test]
fn capabilities() {
    let mut s = spec();
    s.cap_add = vec!["SYS_ADMIN".into(), "NET_BIND_SERVICE".into(), "ALL".into()];
    assert_eq!(hits(cap_add::check(&s)), ["SYS_ADMIN", "ALL"]);
    assert_eq!(cap_add::beyond_default(&s), ["SYS_ADMIN", "ALL"]);
    s.cap_add = vec!["CHOWN".into()];
    assert!(cap_add::check(&s).is_none());
    assert!(cap_add::beyond_default(&s).is_empty());
}

#[test]
fn security_options() {
    let mut s = spec();
    assert!(seccomp::check(&s).is_none());
    s.security_opt = vec![
        SecurityOpt::parse("seccomp=unconfined"),
        SecurityOpt::parse("apparmor:unconfined"),
        SecurityOpt::parse("label=disable"),
    ];
    assert!(seccomp::check(&s).is_some());
    assert_eq!(hits(mac::check(&s)), [mac::APPARMOR, mac::SELINUX]);
    // The last seccomp option wins, as in Docker.
    s.security_opt.push(SecurityOpt::parse("seccomp=/p.json"));
    assert!(seccomp::check(&s).is_none());
    let s = ContainerSpec {
        apparmor_profile: Some("unconfined".into()),
        ..spec()
    };
    assert_eq!(hits(mac::check(&s)), [mac::APPARMOR]);
}

#[test]
fn namespaces() {
    let mut s = spec();
    for f in [
        host_network::check,
        host_pid::check,
        host_ipc::check,
        host_other_ns::check,
    ] {
        assert!(f(&s).is_none());
    }
    s.namespaces.network = Some("host".into());
    s.namespaces.pid = Some("host".into());
    s.namespaces.ipc = Some("shareable".into());
    s.namespaces.uts = Some("host".into());
    s.namespaces.cgroup = Some("host".into());
    assert!(host_network::check(&s).is_some());
    assert!(host_pid::check(&s).is_some());
    assert!(host_ipc::check(&s).is_none());
    assert_eq!(hits(host_other_ns::check(&s)), ["uts", "cgroup"]);
}

fn bind(src: &str, dst: &str, ro: bool) -> SpecMount {
    SpecMount {
        kind: MountKind::Bind,
        source: src.into(),
        target: dst.into(),
        read_only: ro,
        ..SpecMount::default()
    }
}

#[test]
fn mounts() {
    let mut s = spec();
    s.mounts = vec![
        bind("/var/run/docker.sock", "/var/run/docker.sock", false),
        bind("/etc", "/host/etc", true),
        bind("/etc/ssl/", "/ssl", false),
        bind("/", "/host", false),
        bind("./app", "/app", false),
        bind("/srv/data", "/data", false),
        SpecMount {
            kind: MountKind::Volume,
            source: "etc".into(),
            target: "/etc".into(),
            ..SpecMount::default()
        },
    ];
    assert_eq!(
        hits(docker_socket::check(&s)),
        ["/var/run/docker.sock:/var/run/docker.sock"]
    );
    assert_eq!(
        hits(sensitive_mount::check(&s)),
        ["/etc:/host/etc", "/etc/ssl/:/ssl", "/:/host"]
    );
    s.use_api_socket = true;
    assert_eq!(hits(docker_socket::check(&s)).len(), 2);
    s.mounts = vec![SpecMount {
        propagation: Some("rshared".into()),
        ..bind("/mnt", "/mnt", false)
    }];
    assert_eq!(hits(propagation::check(&s)), ["/mnt:/mnt:rshared"]);
}

#[test]
fn limits() {
    let mut s = spec();
    assert!(memory_limit::check(&s).is_some());
    assert!(cpu_limit::check(&s).is_some());
    assert_eq!(hits(pids_limit::check(&s)), ["unlimited"]);
    for unlimited in [0, -1, -5] {
        s.pids_limit = Some(unlimited);
        assert!(pids_limit::check(&s).is_some(), "{unlimited}");
    }
    s.pids_limit = Some(100);
    s.memory = Some(0);
    assert!(pids_limit::check(&s).is_none());
    assert!(memory_limit::check(&s).is_some());
    s.memory = Some(1 << 20);
    s.cpu.cpuset = Some("0-1".into());
    assert!(memory_limit::check(&s).is_none());
    assert!(cpu_limit::check(&s).is_none());
}

#[test]
fn limit_proposals() {
    let s = spec();
    let obs = crate::Observations {
        memory_usage: Some(300 << 20),
        pids: Some(10),
    };
    assert_eq!(
        memory_limit::propose(&s, &obs, 256 << 20, "x").value,
        640 << 20
    );
    assert_eq!(pids_limit::propose(&s, &obs, 128, "x").value, 128);
    let none = crate::Observations::default();
    assert_eq!(pids_limit::propose(&s, &none, 128, "x").value, 128);
    let set = ContainerSpec {
        pids_limit: Some(-1),
        ..spec()
    };
    // -1 is unlimited: not "kept".
    assert!(
        pids_limit::propose(&set, &none, 128, "x")
            .why
            .starts_with("no limit")
    );
}

#[test]
fn healthcheck_and_tmpfs_and_ports() {
    let mut s = spec();
    assert_eq!(hits(healthcheck::check(&s)), [healthcheck::UNSET]);
    s.healthcheck = Some(SpecHealthcheck {
        test: vec!["NONE".into()],
        disabled: false,
    });
    assert_eq!(hits(healthcheck::check(&s)), [healthcheck::DISABLED]);
    s.healthcheck = Some(SpecHealthcheck {
        test: vec!["CMD".into(), "true".into()],
        disabled: false,
    });
    assert!(healthcheck::check(&s).is_none());
    s.tmpfs = vec![
        SpecTmpfs {
            target: "/tmp".into(),
            options: vec!["noexec".into(), "nosuid".into(), "size=1m".into()],
        },
        SpecTmpfs {
            target: "/run".into(),
            options: vec![],
        },
    ];
    assert_eq!(hits(tmpfs_options::check(&s)), ["/run"]);
    s.ports = vec![
        SpecPort {
            host_ip: "127.0.0.1".into(),
            published: "80".into(),
            target: "80".into(),
            protocol: "tcp".into(),
            line: 0,
        },
        SpecPort {
            host_ip: "::".into(),
            published: "443".into(),
            target: "443".into(),
            protocol: "tcp".into(),
            line: 0,
        },
    ];
    assert_eq!(hits(port_all_interfaces::check(&s)), [":::443:443/tcp"]);
}

#[test]
fn env_image_restart() {
    use bulkhead_types::{SpecEnv, SpecRestart};
    let env = |name: &str, value: Option<&str>, from_host: bool| SpecEnv {
        name: name.into(),
        value: value.map(String::from),
        line: 0,
        from_host,
    };
    let s = ContainerSpec {
        env: vec![
            env("DB_PASSWORD", Some("hunter2"), false),
            env("DB_PASSWORD_FILE", Some("/run/secrets/db"), false),
            env("API_TOKEN", Some("${API_TOKEN}"), false),
            env("GITHUB_TOKEN", None, false),
            env("AWS_SECRET_ACCESS_KEY", None, true),
            env("PATH", None, false),
        ],
        ..spec()
    };
    assert_eq!(
        hits(env_secrets::check(&s)),
        ["DB_PASSWORD", "GITHUB_TOKEN"]
    );
    for (img, want) in [
        ("nginx", Some(image_pinning::UNPINNED)),
        ("nginx:latest", Some(image_pinning::UNPINNED)),
        ("registry:5000/app", Some(image_pinning::UNPINNED)),
        ("nginx:1.27", Some(image_pinning::TAG_ONLY)),
        ("nginx:1.27@sha256:abc", None),
        ("", None),
    ] {
        let s = ContainerSpec {
            image: Some(img.into()),
            ..spec()
        };
        let got = image_pinning::check(&s).map(|f| f.hits[0].value.clone());
        assert_eq!(got.as_deref(), want, "{img}");
    }
    for (name, max, bad) in [
        ("always", 0, true),
        ("unless-stopped", 0, true),
        ("on-failure", 0, true),
        ("on-failure", 5, false),
        ("on-failure", 6, true),
        ("no", 0, false),
    ] {
        let s = ContainerSpec {
            restart: Some(SpecRestart {
                name: name.into(),
                max_retries: max,
            }),
            ..spec()
        };
        assert_eq!(restart_policy::check(&s).is_some(), bad, "{name}:{max}");
    }
    assert!(restart_policy::check(&spec()).is_none());
}

#[test]
fn read_only_needs_a_writable_tmp() {
    let mut s = spec();
    // A writable root needs no /tmp of its own.
    assert!(read_only_tmp::check(&s).is_none());
    s.read_only = true;
    assert_eq!(hits(read_only_tmp::check(&s)), ["/tmp"]);
    // A tmpfs, a writable mount or an image VOLUME there will do...
    for writable in [
        ContainerSpec {
            tmpfs: vec![SpecTmpfs {
                target: "/tmp/".into(),
                options: vec![],
            }],
            ..s.clone()
        },
        ContainerSpec {
            mounts: vec![bind("/srv/scratch", "/tmp", false)],
            ..s.clone()
        },
        ContainerSpec {
            mounts: vec![SpecMount {
                kind: MountKind::Tmpfs,
                target: "/tmp".into(),
                ..SpecMount::default()
            }],
            ..s.clone()
        },
        ContainerSpec {
            image_volumes: vec!["/tmp".into()],
            ..s.clone()
        },
    ] {
        assert!(read_only_tmp::check(&writable).is_none(), "{writable:?}");
    }
    // ...a read-only mount or a folder elsewhere does not.
    for not_scratch in [
        bind("/srv/scratch", "/tmp", true),
        bind("/srv/scratch", "/tmpdir", false),
        bind("/srv/scratch", "/tmp/cache", false),
    ] {
        let t = ContainerSpec {
            mounts: vec![not_scratch],
            ..s.clone()
        };
        assert!(read_only_tmp::check(&t).is_some(), "{:?}", t.mounts);
    }
    // harden adds /tmp unless it is covered already.
    let p = read_only_tmp::propose_from(["/run", "/var/cache"], "why").unwrap();
    assert_eq!((p.value.as_str(), p.why.as_str()), ("/tmp", "why"));
    assert!(read_only_tmp::propose_from(["/tmp"], "why").is_none());
}

#[test]
fn device_cgroup_rules_broad_ones() {
    for broad in ["a *:* rwm", "a", "b *:* rw", "c *:1 r", ""] {
        assert!(device_cgroup_rules::is_broad(broad), "{broad:?}");
    }
    for narrow in ["c 1:3 rwm", "c 189:* rw"] {
        assert!(!device_cgroup_rules::is_broad(narrow), "{narrow:?}");
    }
    let s = ContainerSpec {
        device_cgroup_rules: vec!["c 1:3 rwm".into(), "a *:* rwm".into(), "b *:* rw".into()],
        ..spec()
    };
    let f = device_cgroup_rules::check(&s).unwrap();
    assert_eq!(f.values(), "a *:* rwm, b *:* rw");
    let idx: Vec<usize> = f.hits.iter().map(|h| h.index).collect();
    assert_eq!(idx, [1, 2]);
    assert!(device_cgroup_rules::check(&spec()).is_none());
}

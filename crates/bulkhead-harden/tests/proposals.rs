//! Golden tests: proposals from a Compose service, an image config and a
//! recorded container observation, rendered as a Compose override, `docker
//! run` flags and JSON. The override is read back through Bulkhead's Compose
//! loader and, when Debian's `docker-compose` package is installed, merged
//! over its base file by `docker-compose config`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bulkhead_analyzers::passwd::PasswdEntry;
use bulkhead_harden::observe::writable_dirs;
use bulkhead_harden::workload::{ChangeKind, PortOrigin, PortUse, Written};
use bulkhead_harden::{Observed, ProposeOptions, SourceKind, Workload, propose};
use bulkhead_lint::compose::{LoadOptions, load_str};
use bulkhead_report::harden::{compose_text, json_text, run_flags, run_text};
use std::collections::BTreeMap;
use std::path::Path;

const COMPOSE: &str = r#"
services:
  web:
    image: nginx:1.27
    cap_add: [SYS_ADMIN, CHOWN]
    security_opt: ["seccomp:unconfined"]
    ports: ["127.0.0.1:8080:80"]
    tmpfs: ["/run:size=1m"]
    volumes: ["cache:/var/cache/nginx"]
  worker:
    image: registry.example/worker:2
    user: "1001:1001"
    read_only: true
    mem_limit: 512m
    pids_limit: 64
    security_opt: ["no-new-privileges:true"]
volumes:
  cache: {}
"#;

fn service(name: &str) -> Workload {
    let project = load_str(
        COMPOSE,
        Path::new("compose.yaml"),
        &BTreeMap::new(),
        &LoadOptions::default(),
    )
    .unwrap();
    let s = project.services.iter().find(|s| s.name == name).unwrap();
    Workload::from_compose(s, "compose.yaml")
}

fn reload(override_text: &str) -> bulkhead_lint::compose::Service {
    let p = load_str(
        override_text,
        Path::new("override.yaml"),
        &BTreeMap::new(),
        &LoadOptions::default(),
    )
    .unwrap_or_else(|e| panic!("override does not load: {e}\n{override_text}"));
    assert_eq!(p.services.len(), 1);
    p.services.into_iter().next().unwrap()
}

#[test]
fn compose_service_root_with_risky_settings() {
    let w = service("web");
    let p = propose(&w, &ProposeOptions::default());
    let text = compose_text(&p);
    insta::assert_snapshot!("compose_web_override", text);
    insta::assert_snapshot!("compose_web_run", run_text(&p));

    let s = reload(&text);
    assert_eq!(s.name, "web");
    assert!(s.read_only);
    assert_eq!(s.user.as_deref(), Some("65532:65532"));
    assert_eq!(s.cap_drop, vec!["ALL".to_string()]);
    // NET_BIND_SERVICE for port 80, CHOWN carried over, SYS_ADMIN not.
    assert_eq!(
        s.cap_add,
        vec!["CHOWN".to_string(), "NET_BIND_SERVICE".to_string()]
    );
    assert!(s.no_new_privileges());
    // /run is in the base file: only /tmp is added.
    let t: Vec<&str> = s.tmpfs.iter().map(|t| t.target.as_str()).collect();
    assert_eq!(t, ["/tmp"]);
    assert!(s.tmpfs[0].has("noexec") && s.tmpfs[0].has("nosuid"));
    assert_eq!(s.tmpfs[0].size(), Some("64m"));
    assert_eq!(s.limits.memory, Some(256 * 1024 * 1024));
    assert_eq!(s.limits.pids, Some(128));
    assert!(p.warnings.iter().any(|w| w.contains("SYS_ADMIN")));
    assert!(p.warnings.iter().any(|w| w.contains("unconfined")));
}

#[test]
fn compose_service_already_hardened_keeps_its_values() {
    let w = service("worker");
    let opts = ProposeOptions {
        seccomp_profile: Some("worker-seccomp.json".into()),
        seccomp_why: Some("allow-list generated from trace.txt (57 syscalls)".into()),
        ..ProposeOptions::default()
    };
    let p = propose(&w, &opts);
    let text = compose_text(&p);
    insta::assert_snapshot!("compose_worker_override", text);
    let s = reload(&text);
    assert_eq!(s.user.as_deref(), Some("1001:1001"));
    assert_eq!(s.limits.memory, Some(512 * 1024 * 1024));
    assert_eq!(s.limits.pids, Some(64));
    assert!(s.has_security_opt("seccomp", Some("worker-seccomp.json")));
    assert!(s.cap_add.is_empty());
    assert_eq!(
        run_flags(&p),
        [
            "--read-only",
            "--tmpfs",
            "/tmp:rw,noexec,nosuid,size=64m,uid=1001,gid=1001",
            "--cap-drop",
            "ALL",
            "--security-opt",
            "no-new-privileges",
            "--security-opt",
            "seccomp=worker-seccomp.json",
            "--user",
            "1001:1001",
            "--pids-limit",
            "64",
            "--memory",
            "512m",
        ]
    );
}

#[test]
fn image_config_with_named_user() {
    let config = serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "User": "app",
            "ExposedPorts": {"8080/tcp": {}, "443/tcp": {}},
            "Volumes": {"/data": {}},
            "Healthcheck": {"Test": ["CMD", "/healthz"]}
        }
    });
    let mut w = Workload::from_image_config("app", "image app.tar", &config);
    w.passwd = Some(vec![
        PasswdEntry {
            name: "root".into(),
            uid: 0,
            gid: 0,
            home: "/root".into(),
            shell: "/bin/sh".into(),
        },
        PasswdEntry {
            name: "app".into(),
            uid: 10001,
            gid: 10001,
            home: "/home/app".into(),
            shell: "/sbin/nologin".into(),
        },
    ]);
    let p = propose(&w, &ProposeOptions::default());
    insta::assert_snapshot!("image_app_override", compose_text(&p));
    insta::assert_snapshot!("image_app_run", run_text(&p));
    insta::assert_json_snapshot!(
        "image_app_json",
        serde_json::from_str::<serde_json::Value>(&json_text(&p).unwrap()).unwrap()
    );
    assert_eq!(p.user.value, "10001:10001");
    assert_eq!(p.source, SourceKind::Image);
}

#[test]
fn image_config_without_passwd_and_named_user() {
    let config = serde_json::json!({"config": {"User": "www"}});
    let w = Workload::from_image_config("svc", "image x.tar", &config);
    let p = propose(&w, &ProposeOptions::default());
    assert_eq!(p.user.value, "65532:65532");
    assert!(
        p.warnings.iter().any(|w| w.contains("numeric id of www")),
        "{:?}",
        p.warnings
    );
}

fn observed_container() -> Workload {
    Workload {
        name: "web-1".into(),
        source: SourceKind::Container,
        origin: "container web-1 (0123456789ab)".into(),
        image: Some("busybox-www:local".into()),
        passwd: Some(Vec::new()),
        ports: vec![PortUse {
            port: 8080,
            protocol: "tcp".into(),
            origin: PortOrigin::Listening,
        }],
        observed: Some(Observed {
            written: vec![
                Written {
                    path: "/tmp".into(),
                    kind: ChangeKind::Modified,
                },
                Written {
                    path: "/tmp/started".into(),
                    kind: ChangeKind::Added,
                },
                Written {
                    path: "/var".into(),
                    kind: ChangeKind::Added,
                },
                Written {
                    path: "/var/run".into(),
                    kind: ChangeKind::Added,
                },
                Written {
                    path: "/var/run/httpd.pid".into(),
                    kind: ChangeKind::Added,
                },
                Written {
                    path: "/etc".into(),
                    kind: ChangeKind::Modified,
                },
                Written {
                    path: "/etc/motd".into(),
                    kind: ChangeKind::Added,
                },
            ],
            memory_usage: Some(3 * 1024 * 1024),
            pids: Some(2),
            uids: [0].into(),
            notes: vec!["capability use: only ports and user switches are observed".into()],
        }),
        ..Workload::default()
    }
}

#[test]
fn observed_container_writes_become_tmpfs() {
    let w = observed_container();
    let dirs = writable_dirs(&w.observed.as_ref().unwrap().written, &[]);
    assert_eq!(dirs, ["/etc", "/tmp", "/var"]);
    let p = propose(&w, &ProposeOptions::default());
    insta::assert_snapshot!("container_run", run_text(&p));
    insta::assert_snapshot!("container_override", compose_text(&p));
    // /etc is reported, not mounted over.
    assert!(p.warnings.iter().any(|w| w.contains("/etc/motd")));
    let targets: Vec<&str> = p.tmpfs.iter().map(|t| t.mount.target.as_str()).collect();
    assert_eq!(targets, ["/tmp", "/var"]);
    assert!(p.cap_add.is_empty(), "8080 needs no capability");
    assert_eq!(p.memory.value, 256 * 1024 * 1024);
    assert_eq!(p.pids_limit.value, 128);
}

#[test]
fn docker_compose_merges_the_override() {
    // Debian package `docker-compose` (v1) as an independent oracle.
    if !bulkhead_testkit::require::tool("docker-compose", "docker-compose") {
        return;
    }
    let out = std::process::Command::new("docker-compose")
        .arg("version")
        .output()
        .unwrap();
    assert!(out.status.success());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("compose.yaml"), COMPOSE).unwrap();
    let p = propose(&service("web"), &ProposeOptions::default());
    std::fs::write(dir.join("override.yaml"), compose_text(&p)).unwrap();
    let out = std::process::Command::new("docker-compose")
        .current_dir(dir)
        .args(["-f", "compose.yaml", "-f", "override.yaml", "config"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "docker-compose config: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let merged = load_str(
        &stdout,
        Path::new("merged.yaml"),
        &BTreeMap::new(),
        &LoadOptions::default(),
    )
    .unwrap();
    let web = merged.services.iter().find(|s| s.name == "web").unwrap();
    assert!(web.read_only);
    assert_eq!(web.user.as_deref(), Some("65532:65532"));
    assert!(web.cap_drop.iter().any(|c| c == "ALL"));
    assert!(web.no_new_privileges());
    let t: Vec<&str> = web.tmpfs.iter().map(|t| t.target.as_str()).collect();
    assert!(
        t.contains(&"/run") && t.iter().any(|x| x.starts_with("/tmp")),
        "{t:?}"
    );
}

/// Names, paths and capabilities from a hostile Compose file reach neither
/// the override nor the flags as terminal escapes or bidi controls; the
/// override still names the same service (escaped, not replaced).
#[test]
fn hostile_compose_text_is_terminal_safe() {
    const HOSTILE: &str = "services:\n  \"we\\e]0;pwned\\ab\\u009b2J\\u202e\":\n    image: \"x\\e[31m\"\n    cap_add: [\"CHOWN\\e[2J\"]\n    tmpfs: [\"/run\\u2066x:size=1m\"]\n    user: \"root\\u009b\"\n";
    let project = load_str(
        HOSTILE,
        Path::new("compose.yaml"),
        &BTreeMap::new(),
        &LoadOptions::default(),
    )
    .unwrap();
    let s = &project.services[0];
    assert!(s.name.contains('\u{1b}') && s.name.contains('\u{202e}'));
    let p = propose(
        &Workload::from_compose(s, "compose\u{1b}[31m.yaml"),
        &ProposeOptions::default(),
    );
    let compose = compose_text(&p);
    let run = run_text(&p);
    for text in [&compose, &run] {
        assert!(
            !text
                .chars()
                .any(|c| c != '\n' && bulkhead_types::text::is_terminal_unsafe(c)),
            "{text:?}"
        );
    }
    assert_eq!(reload(&compose).name, s.name);
}

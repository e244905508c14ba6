//! One container, written three ways (a Compose service, `docker inspect`
//! JSON, `docker run` flags), gives the same `ContainerSpec` facts and the
//! same findings from every container control: Compose lint, the audit and
//! harden read the same spec through the same rules.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bulkhead_audit::RuntimeSettings;
use bulkhead_lint::compose::{LoadOptions, load_str};
use bulkhead_policy::controls;
use bulkhead_types::{ContainerSpec, MountKind};
use std::collections::BTreeMap;
use std::path::Path;

const COMPOSE: &str = r#"
services:
  app:
    image: nginx:1.27
    user: "0:0"
    cap_add: [sys_admin, NET_BIND_SERVICE]
    cap_drop: [ALL]
    security_opt: ["seccomp:unconfined", "no-new-privileges:true", "label:disable"]
    pid: host
    ipc: host
    read_only: true
    pids_limit: -1
    mem_limit: 256m
    cpus: "0.5"
    tmpfs: ["/tmp:rw,noexec,nosuid,size=64m", "/run"]
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
      - /etc:/host-etc:ro
      - data:/data
      - /srv/shared:/shared:rshared
    ports: ["8080:80", "127.0.0.1:5353:53/udp"]
    devices: ["/dev/fuse:/dev/fuse"]
    healthcheck:
      test: ["CMD-SHELL", "true"]
    restart: always
    environment:
      - DB_PASSWORD=hunter2
      - LANG=C.UTF-8
"#;

const RUN: &str = "docker run --user 0:0 --cap-add sys_admin --cap-add=CAP_NET_BIND_SERVICE \
    --cap-drop ALL --security-opt seccomp=unconfined --security-opt no-new-privileges:true \
    --security-opt label=disable --pid=host --ipc host --read-only --pids-limit -1 -m 256m \
    --cpus 0.5 --tmpfs /tmp:rw,noexec,nosuid,size=64m --tmpfs /run \
    -v /var/run/docker.sock:/var/run/docker.sock -v /etc:/host-etc:ro -v data:/data \
    -v /srv/shared:/shared:rshared -p 8080:80 -p 127.0.0.1:5353:53/udp --device /dev/fuse \
    --health-cmd true --restart always -e DB_PASSWORD=hunter2 -e LANG=C.UTF-8 nginx:1.27";

const INSPECT: &str = r#"{
  "Id": "0123456789abcdef", "Name": "/app",
  "Config": {"Image": "nginx:1.27", "User": "0:0",
             "Env": ["DB_PASSWORD=hunter2", "LANG=C.UTF-8"],
             "Healthcheck": {"Test": ["CMD-SHELL", "true"]}},
  "HostConfig": {
    "RestartPolicy": {"Name": "always", "MaximumRetryCount": 0},
    "CapAdd": ["CAP_SYS_ADMIN", "NET_BIND_SERVICE"], "CapDrop": ["ALL"],
    "SecurityOpt": ["seccomp=unconfined", "no-new-privileges:true", "label=disable"],
    "PidMode": "host", "IpcMode": "host", "ReadonlyRootfs": true, "PidsLimit": -1,
    "Memory": 268435456, "NanoCpus": 500000000,
    "Tmpfs": {"/tmp": "rw,noexec,nosuid,size=64m", "/run": ""},
    "PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "8080"}],
                     "53/udp": [{"HostIp": "127.0.0.1", "HostPort": "5353"}]},
    "Devices": [{"PathOnHost": "/dev/fuse", "PathInContainer": "/dev/fuse",
                 "CgroupPermissions": "rwm"}]
  },
  "Mounts": [
    {"Type": "bind", "Source": "/var/run/docker.sock", "Destination": "/var/run/docker.sock",
     "RW": true, "Propagation": "rprivate"},
    {"Type": "bind", "Source": "/etc", "Destination": "/host-etc", "RW": false,
     "Propagation": "rprivate"},
    {"Type": "volume", "Name": "data", "Source": "data", "Destination": "/data", "RW": true},
    {"Type": "bind", "Source": "/srv/shared", "Destination": "/shared", "RW": true,
     "Propagation": "rshared"}
  ]
}"#;

fn from_compose() -> ContainerSpec {
    let p = load_str(
        COMPOSE,
        Path::new("compose.yaml"),
        &BTreeMap::new(),
        &LoadOptions::default(),
    )
    .unwrap();
    p.services[0].to_spec()
}

fn from_inspect() -> ContainerSpec {
    let inspect: bollard::models::ContainerInspectResponse = serde_json::from_str(INSPECT).unwrap();
    RuntimeSettings::from_inspect(&inspect).to_spec()
}

fn from_run() -> ContainerSpec {
    bulkhead_policy::run_flags::parse(RUN).unwrap().spec
}

/// The facts every control reads, without the source-specific details
/// (origin lines, default propagation, raw unlimited sentinels, the order
/// of unordered inspect maps).
fn facts(s: &ContainerSpec) -> Vec<String> {
    let mut cap_add = s.cap_add.clone();
    cap_add.sort();
    let mut mounts: Vec<String> = s
        .mounts
        .iter()
        .map(|m| {
            format!(
                "{:?} {} -> {} ro={} shared={}",
                m.kind,
                m.source,
                m.target,
                m.read_only,
                matches!(m.propagation.as_deref(), Some("shared" | "rshared"))
            )
        })
        .collect();
    mounts.sort();
    let mut tmpfs: Vec<String> = s
        .tmpfs
        .iter()
        .map(|t| format!("{}:{}", t.target, t.options.join(",")))
        .collect();
    tmpfs.sort();
    let mut ports: Vec<String> = s
        .ports
        .iter()
        .map(|p| format!("{}|{}|{}|{}", p.host_ip, p.published, p.target, p.protocol))
        .collect();
    ports.sort();
    vec![
        format!("image={:?}", s.image),
        format!("user={:?}", s.effective_user()),
        format!("privileged={}", s.privileged),
        format!("read_only={}", s.read_only),
        format!("cap_add={cap_add:?}"),
        format!("cap_drop={:?}", s.cap_drop),
        format!("no_new_privileges={}", s.no_new_privileges()),
        format!("seccomp={:?}", s.seccomp()),
        format!("host_namespaces={:?}", s.host_namespaces()),
        format!("memory={:?}", s.memory_limited()),
        format!("nano_cpus={:?}", s.cpu.nano_cpus),
        format!("pids={:?}", s.pids_limited()),
        format!("tmpfs={tmpfs:?}"),
        format!("mounts={mounts:?}"),
        format!("ports={ports:?}"),
        format!("devices={:?}", s.devices),
        format!(
            "env={:?}",
            s.env.iter().map(|e| e.name.as_str()).collect::<Vec<_>>()
        ),
        format!("restart={:?}", s.restart),
        format!(
            "healthcheck={:?}",
            s.healthcheck.as_ref().map(|h| (h.disabled, h.test.clone()))
        ),
    ]
}

/// Each control's verdict: its name and the values it flagged (sorted,
/// since inspect maps have no order).
fn verdicts(s: &ContainerSpec) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = controls::check_all(s)
        .into_iter()
        .map(|f| {
            let mut v: Vec<String> = f.hits.iter().map(|h| h.value.clone()).collect();
            v.sort();
            (f.control.name.to_string(), v)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn compose_inspect_and_run_flags_agree() {
    let (c, i, r) = (from_compose(), from_inspect(), from_run());
    assert_eq!(facts(&c), facts(&i), "Compose vs inspect");
    assert_eq!(facts(&c), facts(&r), "Compose vs run flags");
    let v = verdicts(&c);
    assert_eq!(v, verdicts(&i), "Compose vs inspect");
    assert_eq!(v, verdicts(&r), "Compose vs run flags");
    let names: Vec<&str> = v.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "cap-add-high-risk",
            "devices",
            "docker-socket",
            "env-secrets",
            "host-ipc",
            "host-pid",
            "image-pinning",
            "mac-confinement",
            "pids-limit",
            "port-all-interfaces",
            "restart-policy",
            "seccomp",
            "sensitive-mount",
            "shared-propagation",
            "tmpfs-options",
            "user",
        ]
    );
    // -1 is unlimited for Docker, whichever way it is written.
    assert_eq!(c.pids_limit, Some(-1));
    assert_eq!(r.pids_limit, Some(-1));
    assert_eq!(i.pids_limited(), None);
    assert!(c.mounts.iter().any(|m| m.kind == MountKind::Volume));
}

#[test]
fn compose_keeps_origin_lines_for_the_lint() {
    let c = from_compose();
    let f = controls::docker_socket::check(&c).unwrap();
    assert_eq!(f.hits[0].line, 17, "the line of the socket's volume entry");
    let f = controls::host_pid::check(&c).unwrap();
    assert_eq!(f.hits[0].line, 9, "the line of `pid:`");
    // inspect and run flags have no lines
    assert_eq!(
        controls::host_pid::check(&from_run()).unwrap().hits[0].line,
        0
    );
}

/// `harden` and the Compose lint read a service through the same controls:
/// what the lint flags, harden does not carry over or keep.
#[test]
fn harden_agrees_with_the_compose_lint() {
    let text = r#"
services:
  app:
    image: nginx:1.27
    cap_add: [DAC_OVERRIDE, CHOWN]
    mem_limit: "0"
    pids_limit: 0
"#;
    let p = load_str(
        text,
        Path::new("compose.yaml"),
        &BTreeMap::new(),
        &LoadOptions::default(),
    )
    .unwrap();
    let cx = bulkhead_lint::rules::ComposeCx::new(&p);
    let ids: Vec<&str> = bulkhead_lint::rules::run_compose(&cx)
        .iter()
        .map(|f| f.rule.id)
        .collect();
    for id in ["BH-CO-005", "BH-CO-017", "BH-CO-019"] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let w = bulkhead_harden::workload::Workload::from_compose(&p.services[0], "compose.yaml");
    let prop = bulkhead_harden::propose::propose(&w, &Default::default());
    // DAC_OVERRIDE is high-risk for BH-CO-005, so harden does not carry it.
    assert!(prop.cap_add.iter().all(|c| c.value != "DAC_OVERRIDE"));
    assert!(prop.cap_add.iter().any(|c| c.value == "CHOWN"));
    assert!(
        prop.warnings
            .iter()
            .any(|w| w.contains("DAC_OVERRIDE, a high-risk capability"))
    );
    // 0 is unlimited: a limit is proposed, not "kept".
    assert!(prop.memory.value > 0, "{:?}", prop.memory);
    assert!(prop.memory.why.starts_with("no limit set"));
    assert_eq!(prop.pids_limit.value, 128);
    assert!(prop.pids_limit.why.starts_with("no limit set"));
}

/// Every id a control names is a real Compose rule or audit check, and
/// every Compose rule about container settings names its control.
#[test]
fn control_ids_exist_in_the_lint_and_the_audit() {
    for c in controls::ALL {
        for id in c.lint {
            let r = bulkhead_lint::rules::by_id(id).unwrap_or_else(|| panic!("{}: {id}", c.name));
            assert_eq!(r.meta.kind, bulkhead_lint::rules::RuleKind::Compose, "{id}");
        }
        for cis in c.cis {
            assert!(
                bulkhead_audit::checks::all().any(|k| k.cis == *cis),
                "{}: CIS {cis}",
                c.name
            );
        }
    }
    let covered: Vec<&str> = controls::ALL
        .iter()
        .flat_map(|c| c.lint.iter().copied())
        .collect();
    // The one Compose rule without a control: the file itself (BH-CO-026).
    let own = ["BH-CO-026"];
    for r in bulkhead_lint::rules::compose::RULES {
        assert!(
            covered.contains(&r.meta.id) || own.contains(&r.meta.id),
            "{} has no control",
            r.meta.id
        );
    }
}

/// Device cgroup rules (BH-CO-029, audit 5.18) and a read-only root
/// without a writable /tmp (BH-CO-025) read the same facts from every
/// source, and harden acts on both.
#[test]
fn device_rules_and_read_only_tmp_agree() {
    let compose = r#"
services:
  app:
    image: nginx:1.27
    read_only: true
    volumes: ["/srv/conf:/etc/app:ro"]
    device_cgroup_rules: ["c 1:3 rwm", "a *:* rwm"]
"#;
    let run = "docker run --read-only -v /srv/conf:/etc/app:ro \
        --device-cgroup-rule 'c 1:3 rwm' --device-cgroup-rule 'a *:* rwm' nginx:1.27";
    let inspect = r#"{
  "Id": "0123456789abcdef", "Name": "/app",
  "Config": {"Image": "nginx:1.27"},
  "HostConfig": {"ReadonlyRootfs": true, "DeviceCgroupRules": ["c 1:3 rwm", "a *:* rwm"]},
  "Mounts": [{"Type": "bind", "Source": "/srv/conf", "Destination": "/etc/app", "RW": false,
              "Propagation": "rprivate"}]
}"#;
    let p = load_str(
        compose,
        Path::new("compose.yaml"),
        &BTreeMap::new(),
        &LoadOptions::default(),
    )
    .unwrap();
    let inspect: bollard::models::ContainerInspectResponse = serde_json::from_str(inspect).unwrap();
    let runtime = RuntimeSettings::from_inspect(&inspect);
    let specs = [
        ("compose", p.services[0].to_spec()),
        ("inspect", runtime.to_spec()),
        ("run", bulkhead_policy::run_flags::parse(run).unwrap().spec),
    ];
    for (from, s) in &specs {
        let values = |f: Option<bulkhead_policy::Finding>| f.map(|f| f.values());
        assert_eq!(
            values(controls::device_cgroup_rules::check(s)).as_deref(),
            Some("a *:* rwm"),
            "{from}"
        );
        assert_eq!(
            values(controls::read_only_tmp::check(s)).as_deref(),
            Some("/tmp"),
            "{from}"
        );
    }

    let cx = bulkhead_lint::rules::ComposeCx::new(&p);
    let ids: Vec<&str> = bulkhead_lint::rules::run_compose(&cx)
        .iter()
        .map(|f| f.rule.id)
        .collect();
    for id in ["BH-CO-025", "BH-CO-029"] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }

    for w in [
        bulkhead_harden::Workload::from_compose(&p.services[0], "compose.yaml"),
        bulkhead_harden::Workload::from_runtime(&runtime),
    ] {
        let prop = bulkhead_harden::propose(&w, &Default::default());
        assert!(
            prop.tmpfs.iter().any(|t| t.mount.target == "/tmp"),
            "{:?}",
            prop.tmpfs
        );
        assert!(
            prop.warnings
                .iter()
                .any(|w| w.contains("cgroup rule \"a *:* rwm\"")),
            "{:?}",
            prop.warnings
        );
        // The proposal itself passes the control it applies.
        assert!(prop.read_only.value);
    }
}

//! Checks run on recorded Engine API responses (Docker 20.10, API 1.41),
//! including daemon setups that cannot be created live in the sandbox:
//! TLS on TCP, userns-remap, authorization plugins, a privileged container
//! (the sandbox lacks CAP_SYS_RESOURCE, so runc refuses --privileged).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bollard::models::{ContainerInspectResponse, SystemInfo};
use bulkhead_audit::RuntimeSettings;
use bulkhead_audit::checks::{self, Target};
use bulkhead_audit::daemon::DaemonConfig;
use bulkhead_audit::snapshot::{ContainerFacts, Snapshot};
use bulkhead_types::MisconfStatus::{self, Info, Pass, Warn};
use std::collections::BTreeMap;

fn fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn info(name: &str) -> SystemInfo {
    serde_json::from_str(&fixture(name)).unwrap()
}

fn container(name: &str) -> ContainerFacts {
    let inspect: ContainerInspectResponse = serde_json::from_str(&fixture(name)).unwrap();
    ContainerFacts {
        settings: RuntimeSettings::from_inspect(&inspect),
        processes: Some(vec!["sleep 300".into()]),
    }
}

fn daemon(info_name: &str, json: Option<&str>, cmdline: &[&str]) -> DaemonConfig {
    DaemonConfig {
        info: info(info_name),
        server_version: "20.10.24+dfsg1".into(),
        json: json.map(|j| serde_json::from_str(&fixture(j)).unwrap()),
        json_path: None,
        cmdline: Some(cmdline.iter().map(|s| s.to_string()).collect()),
        bridge_options: Default::default(),
        local: true,
    }
}

/// CIS id → status for one target.
fn statuses(snap: &Snapshot, target: &Target) -> BTreeMap<String, MisconfStatus> {
    checks::run(snap, checks::all())
        .into_iter()
        .filter(|(_, o)| &o.target == target)
        .map(|(c, o)| {
            (
                if c.cis.is_empty() {
                    c.id.to_string()
                } else {
                    c.cis.to_string()
                },
                o.verdict.status,
            )
        })
        .collect()
}

fn warns(m: &BTreeMap<String, MisconfStatus>) -> Vec<&str> {
    m.iter()
        .filter(|(_, s)| **s == Warn)
        .map(|(k, _)| k.as_str())
        .collect()
}

#[test]
fn hardened_container_only_warns_on_cpu_health_and_nothing_else() {
    let snap = Snapshot {
        daemon: daemon("info-20.10.json", None, &[]),
        containers: vec![container("inspect-hardened.json")],
        single_container: true,
        ..Default::default()
    };
    let s = &snap.containers[0].settings;
    assert_eq!(s.user, "1001:1001");
    assert_eq!(s.limits.memory, Some(64 * 1024 * 1024));
    assert_eq!(s.limits.pids, Some(64));
    assert!(s.read_only_rootfs && s.no_new_privileges);
    assert_eq!(s.expected_bounding(), 0);
    let m = statuses(&snap, &Target::Container("bhfx-hardened".into()));
    assert_eq!(warns(&m), vec!["5.12", "5.27"]);
    assert_eq!(m["5.2"], Info); // no AppArmor on this daemon
    assert_eq!(m["5.3"], Info); // no SELinux on this daemon
    assert_eq!(m["5.30"], Info); // default bridge
}

#[test]
fn bad_container_exact_warnings() {
    let snap = Snapshot {
        daemon: daemon("info-20.10.json", None, &[]),
        containers: vec![container("inspect-bad.json")],
        single_container: true,
        ..Default::default()
    };
    let m = statuses(&snap, &Target::Container("bhfx-bad".into()));
    assert_eq!(
        warns(&m),
        vec![
            "4.1",
            "5.11",
            "5.12",
            "5.13",
            "5.14",
            "5.15",
            "5.16",
            "5.22",
            "5.26",
            "5.27",
            "5.29",
            "5.32",
            "5.4",
            "5.6",
            "5.8",
            "AUDIT-ENV-SECRETS"
        ]
    );
    assert_eq!(m["5.9"], Info);
}

#[test]
fn privileged_container() {
    let snap = Snapshot {
        daemon: daemon("info-20.10.json", None, &[]),
        containers: vec![container("inspect-privileged.json")],
        single_container: true,
        ..Default::default()
    };
    let s = &snap.containers[0].settings;
    assert!(s.privileged && s.seccomp_disabled());
    assert_eq!(s.expected_bounding(), 0x1ff_ffff_ffff);
    let m = statuses(&snap, &Target::Container("bhfx-privileged".into()));
    assert_eq!(m["5.5"], Warn);
    assert_eq!(m["5.22"], Warn); // privileged → no seccomp (docker-bench misses it)
    assert_eq!(m["5.4"], Pass); // CapAdd empty
}

#[test]
fn daemon_as_recorded_here() {
    // This sandbox's daemon: no daemon.json keys of interest, dockerd without flags.
    let snap = Snapshot {
        daemon: daemon("info-20.10.json", None, &[]),
        ..Default::default()
    };
    let m = statuses(&snap, &Target::Daemon);
    for (id, want) in [
        ("2.2", Warn),
        ("2.3", Pass),
        ("2.4", Pass),
        ("2.5", Pass),
        ("2.6", Pass),
        ("2.7", Info),
        ("2.8", Info),
        ("2.9", Warn),
        ("2.10", Pass),
        ("2.12", Warn),
        ("2.13", Warn),
        ("2.14", Warn),
        ("2.15", Warn),
        ("2.16", Warn),
        ("2.17", Pass),
        ("2.18", Pass),
        ("5.1", Pass),
        ("7.3", Pass),
    ] {
        assert_eq!(m[id], want, "{id}");
    }
}

#[test]
fn daemon_with_tls_userns_authz() {
    let snap = Snapshot {
        daemon: daemon(
            "info-userns-authz.json",
            Some("daemon-tls.json"),
            &["-H", "fd://"],
        ),
        ..Default::default()
    };
    let m = statuses(&snap, &Target::Daemon);
    for (id, want) in [
        ("2.2", Pass),
        ("2.5", Warn),
        ("2.7", Pass),
        ("2.8", Pass),
        ("2.9", Pass),
        ("2.12", Pass),
        ("2.13", Pass),
        ("2.14", Pass),
        ("2.15", Pass),
        ("2.16", Pass),
    ] {
        assert_eq!(m[id], want, "{id}");
    }
}

#[test]
fn daemon_with_tls_but_no_verification() {
    let snap = Snapshot {
        daemon: daemon("info-20.10.json", Some("daemon-tls-noverify.json"), &[]),
        ..Default::default()
    };
    assert_eq!(statuses(&snap, &Target::Daemon)["2.7"], Warn);
    let snap = Snapshot {
        daemon: daemon("info-20.10.json", None, &["-H", "tcp://0.0.0.0:2375"]),
        ..Default::default()
    };
    assert_eq!(statuses(&snap, &Target::Daemon)["2.7"], Warn);
}

#[test]
fn daemon_no_new_privileges_default_passes_containers() {
    let snap = Snapshot {
        daemon: daemon("info-20.10.json", None, &["--no-new-privileges"]),
        containers: vec![container("inspect-bad.json")],
        single_container: true,
        ..Default::default()
    };
    assert_eq!(
        statuses(&snap, &Target::Container("bhfx-bad".into()))["5.26"],
        Pass
    );
}

//! `bulkhead audit` and `bulkhead caps` against the real Docker daemon.
//!
//! Needs: a Docker daemon on /var/run/docker.sock (skipped loudly otherwise;
//! a skip FAILS when CI=true) and Debian's `busybox-static` package
//! (`/bin/busybox`) to build a test image FROM scratch. Every container and
//! image carries the label org.bulkhead.test=1 and a unique name, and is
//! removed by a Drop guard even when an assertion fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support_docker/mod.rs"]
mod support_docker;

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command as Proc;
use support_docker::{BUSYBOX, Guard, LABEL, build_busybox_image, ready, unique};

/// Docker answers and busybox-static is installed; else skip (fail on CI).
fn live() -> bool {
    ready(&[BUSYBOX])
}

/// A FROM-scratch busybox image with the applets linked into /bin, removed
/// with the guard.
fn build_image(guard: &mut Guard) -> String {
    let dir = tempfile::tempdir().unwrap();
    guard.image = format!("{}:1", unique("bulkhead-audit-test"));
    build_busybox_image(
        &guard.image,
        dir.path(),
        &[],
        "RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nCMD [\"/bin/sh\"]\n",
    );
    guard.image.clone()
}

/// Start a labelled container running `sleep`; `Err(stderr)` when the
/// daemon refuses the settings.
fn run(guard: &mut Guard, image: &str, opts: &[&str]) -> Result<String, String> {
    let name = guard.container("bh-audit");
    let out = Proc::new("docker")
        .args(["run", "-d", "--label", LABEL, "--name", &name])
        .args(opts)
        .args([image, "sleep", "600"])
        .output()
        .unwrap();
    if out.status.success() {
        Ok(name)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn bulkhead() -> Command {
    let mut c = Command::cargo_bin("bulkhead").unwrap();
    c.env(
        "BULKHEAD_CACHE_DIR",
        std::env::temp_dir().join(format!("bulkhead-test-cache-{}", std::process::id())),
    );
    c
}

fn audit_json(args: &[&str]) -> Value {
    let out = bulkhead()
        .args(["audit", "--format", "json", "--quiet"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "audit failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (CIS id or our id) of every WARN for `target`.
fn warns(report: &Value, target: &str) -> BTreeSet<String> {
    statuses(report, target)
        .into_iter()
        .filter(|(_, s)| s == "WARN")
        .map(|(id, _)| id)
        .collect()
}

fn statuses(report: &Value, target: &str) -> Vec<(String, String)> {
    report["Results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["Target"] == target)
        .flat_map(|r| {
            r["Misconfigurations"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|m| {
            let cis = m["Mappings"]["cis"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let id = if cis.is_empty() {
                m["ID"].as_str().unwrap().to_string()
            } else {
                cis
            };
            (id, m["Status"].as_str().unwrap().to_string())
        })
        .collect()
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// What every default container (root, no limits, no health check,
/// writable rootfs) warns about on a daemon without no-new-privileges.
const BASE: [&str; 7] = ["4.1", "5.11", "5.12", "5.13", "5.26", "5.27", "5.29"];

fn daemon_nnp() -> bool {
    let out = Proc::new("docker")
        .args(["info", "--format", "{{json .SecurityOptions}}"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).contains("no-new-privileges")
}

fn expected(extra: &[&str]) -> BTreeSet<String> {
    let mut s = set(&BASE);
    if daemon_nnp() {
        s.remove("5.26");
    }
    s.extend(extra.iter().map(|x| x.to_string()));
    s
}

#[test]
fn bad_containers_exact_findings() {
    if !live() {
        return;
    }
    let mut g = Guard::default();
    let image = build_image(&mut g);
    let cases: [(&[&str], &[&str]); 5] = [
        (&[], &[]),
        (&["--cap-add", "SYS_ADMIN"], &["5.4"]),
        (
            &["-v", "/var/run/docker.sock:/var/run/docker.sock"],
            &["5.32"],
        ),
        (&["--pid", "host"], &["5.16"]),
        (&["--security-opt", "seccomp=unconfined"], &["5.22"]),
    ];
    for (opts, extra) in cases {
        let name = run(&mut g, &image, opts).unwrap();
        let report = audit_json(&["--container", &name]);
        assert_eq!(report["Results"].as_array().unwrap().len(), 1);
        assert_eq!(warns(&report, &name), expected(extra), "{opts:?}");
    }
}

#[test]
fn privileged_container_or_loud_skip() {
    if !live() {
        return;
    }
    let mut g = Guard::default();
    let image = build_image(&mut g);
    match run(&mut g, &image, &["--privileged"]) {
        Ok(name) => {
            let report = audit_json(&["--container", &name]);
            // Privileged: 5.5, and 5.22 since Docker applies no seccomp profile.
            assert_eq!(warns(&report, &name), expected(&["5.5", "5.22"]));
        }
        // This sandbox lacks CAP_SYS_RESOURCE, so runc cannot grant all
        // capabilities; the recorded fixture test covers 5.5 instead.
        Err(e) if e.contains("apply caps") || e.contains("operation not permitted") => {
            eprintln!(
                "\n!!!!!!!! --privileged cannot start here ({}); covered by tests/fixtures/inspect-privileged.json !!!!!!!!\n",
                e.trim()
            );
        }
        Err(e) => panic!("docker run --privileged failed: {e}"),
    }
}

#[test]
fn hardened_container() {
    if !live() {
        return;
    }
    let mut g = Guard::default();
    let image = build_image(&mut g);
    let name = run(
        &mut g,
        &image,
        &[
            "--read-only",
            "--tmpfs",
            "/tmp",
            "--cap-drop",
            "ALL",
            "--security-opt",
            "no-new-privileges",
            "--user",
            "1001:1001",
            "--memory",
            "64m",
            "--pids-limit",
            "64",
        ],
    )
    .unwrap();
    // Only a CPU control and a health check are missing.
    let report = audit_json(&["--container", &name]);
    assert_eq!(warns(&report, &name), set(&["5.12", "5.27"]));

    let id = Proc::new("docker")
        .args(["exec", &name, "id"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&id.stdout).starts_with("uid=1001 gid=1001"));

    let out = bulkhead()
        .args(["caps", "inspect", &name, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["cap_drop"], serde_json::json!(["ALL"]));
    assert_eq!(v["expected_bounding"], "0x0000000000000000");
    assert_eq!(v["process"]["effective"]["mask"], "0x0000000000000000");
    assert_eq!(v["process"]["bounding"]["mask"], "0x0000000000000000");

    let text = bulkhead()
        .args(["caps", "inspect", &name])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("CapEff: 0x0000000000000000=\n"));
}

#[test]
fn caps_inspect_marks_caps_beyond_default() {
    if !live() {
        return;
    }
    let mut g = Guard::default();
    let image = build_image(&mut g);
    let name = run(&mut g, &image, &["--cap-add", "SYS_ADMIN"]).unwrap();
    let out = bulkhead()
        .args(["caps", "inspect", &name, "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Root in the container: effective = bounding = default + SYS_ADMIN.
    assert_eq!(v["process"]["effective"]["mask"], "0x00000000a82425fb");
    assert_eq!(
        v["process"]["effective"]["beyond_docker_default"],
        serde_json::json!(["CAP_SYS_ADMIN"])
    );
}

#[test]
fn full_audit_daemon_expectations_follow_docker_info() {
    if !live() {
        return;
    }
    let info = Proc::new("docker")
        .args(["info", "--format", "{{json .}}"])
        .output()
        .unwrap();
    let info: Value = serde_json::from_slice(&info.stdout).unwrap();
    let report = audit_json(&["--checks", "2,5.1,7"]);
    let st: std::collections::BTreeMap<String, String> =
        statuses(&report, "docker-daemon").into_iter().collect();
    let want = |bad: bool| if bad { "WARN" } else { "PASS" };
    assert_eq!(st["2.15"], want(info["LiveRestoreEnabled"] != true));
    assert_eq!(
        st["2.13"],
        want(matches!(
            info["LoggingDriver"].as_str(),
            Some("json-file" | "local" | "none")
        ))
    );
    assert_eq!(st["2.6"], want(info["Driver"] == "aufs"));
    let secopts = info["SecurityOptions"].to_string();
    assert_eq!(st["2.9"], want(!secopts.contains("name=userns")));
    let authz = info["Plugins"]["Authorization"]
        .as_array()
        .is_some_and(|a| !a.is_empty());
    // daemon.json/flags may add plugins docker info does not list; only the
    // positive direction is certain.
    if authz {
        assert_eq!(st["2.12"], "PASS");
    }
    assert_eq!(st["2.18"], want(info["ExperimentalBuild"] == true));
    assert_eq!(
        st["5.1"],
        want(info["Swarm"]["LocalNodeState"] != "inactive")
    );
    // Only the daemon target: no other section was selected.
    assert!(
        report["Results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["Target"] == "docker-daemon")
    );
}

#[test]
fn baseline_shows_only_drift() {
    if !live() {
        return;
    }
    let mut g = Guard::default();
    let image = build_image(&mut g);
    let name = run(&mut g, &image, &[]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.json");
    let out = bulkhead()
        .args(["audit", "--container", &name, "--format", "json", "-o"])
        .arg(&base)
        .output()
        .unwrap();
    assert!(out.status.success());
    // Same container, same settings: nothing drifted, exit 0 even with --exit-code.
    let out = bulkhead()
        .args([
            "audit",
            "--container",
            &name,
            "--format",
            "json",
            "--exit-code",
            "1",
            "--baseline",
        ])
        .arg(&base)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["Results"].as_array().is_none_or(|r| r.is_empty()));
    // Without a baseline, WARNs make --exit-code fire.
    let out = bulkhead()
        .args([
            "audit",
            "--container",
            &name,
            "--format",
            "json",
            "--exit-code",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn unreachable_daemon_is_exit_2_with_one_line() {
    let out = bulkhead()
        .env("DOCKER_HOST", "unix:///nonexistent/bulkhead-test.sock")
        .args(["audit", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cannot reach the Docker daemon"), "{err}");
}

#[test]
fn no_such_container_is_exit_2() {
    if !live() {
        return;
    }
    let out = bulkhead()
        .args([
            "audit",
            "--container",
            &unique("bh-missing"),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such container"));
}

#[test]
fn caps_decode_matches_capsh() {
    let out = bulkhead()
        .args(["caps", "decode", "a80425fb"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.lines().next().unwrap(),
        "0x00000000a80425fb=cap_chown,cap_dac_override,cap_fowner,cap_fsetid,cap_kill,cap_setgid,cap_setuid,cap_setpcap,cap_net_bind_service,cap_net_raw,cap_sys_chroot,cap_mknod,cap_audit_write,cap_setfcap"
    );
    assert!(text.contains("CAP_SETFCAP"));
    let out = bulkhead()
        .args(["caps", "decode", "0x0000000000200000", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["beyond_docker_default"],
        serde_json::json!(["CAP_SYS_ADMIN"])
    );
    let bad = bulkhead().args(["caps", "decode", "zz"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

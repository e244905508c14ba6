//! `bulkhead seccomp` and `bulkhead apparmor` end to end.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../bulkhead-profile/tests/fixtures")
        .join(name)
}

fn bulkhead() -> Command {
    Command::cargo_bin("bulkhead").unwrap()
}

fn run_ok(args: &[&str]) -> String {
    let out = bulkhead().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn run_err(args: &[&str]) -> (i32, String) {
    let out = bulkhead().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn generate_from_raw_strace() {
    let f = fixture("strace-f-busybox.txt");
    let out = run_ok(&["seccomp", "generate", "--strace", f.to_str().unwrap()]);
    insta::assert_snapshot!("generate_strace_raw", out);
}

#[test]
fn generate_from_summary_and_list() {
    let f = fixture("strace-c-full.txt");
    let out = run_ok(&[
        "seccomp",
        "generate",
        "--no-runtime-syscalls",
        "--strace",
        f.to_str().unwrap(),
        "--syscalls",
        "socket,personality,mount,keyctl",
    ]);
    insta::assert_snapshot!("generate_summary_list", out);
}

#[test]
fn generate_from_recorded_audit_lines() {
    // Recorded from dmesg while runc started a container under a log-all profile.
    let f = fixture("audit-dmesg-runc.txt");
    let out = run_ok(&[
        "seccomp",
        "generate",
        "--no-runtime-syscalls",
        "--audit",
        f.to_str().unwrap(),
    ]);
    insta::assert_snapshot!("generate_audit", out);
}

#[test]
fn log_all_profile() {
    insta::assert_snapshot!("log_all", run_ok(&["seccomp", "generate", "--log-all"]));
}

#[test]
fn truncated_summary_is_an_error() {
    let f = fixture("strace-c-tail20.txt");
    let (code, err) = run_err(&["seccomp", "generate", "--strace", f.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("truncated") && err.contains("tail"), "{err}");
}

#[test]
fn malformed_inputs_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.txt");
    std::fs::write(&junk, "hello there\n").unwrap();
    let j = junk.to_str().unwrap();
    let (code, err) = run_err(&["seccomp", "generate", "--strace", j]);
    assert_eq!(code, 2);
    assert!(err.contains("line 1: not an strace line"), "{err}");
    let (code, err) = run_err(&["seccomp", "generate", "--audit", j]);
    assert_eq!(code, 2);
    assert!(err.contains("no seccomp audit records"), "{err}");
    let (code, err) = run_err(&["seccomp", "generate", "--syscalls", "read,frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("frobnicate"), "{err}");
    let bad = fixture("bad-profile.json");
    let (code, err) = run_err(&["seccomp", "lint", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("index 9 is out of range"), "{err}");
    let (code, err) = run_err(&["seccomp", "lint", j]);
    assert_eq!(code, 2);
    assert!(err.contains("not a valid seccomp profile"), "{err}");
}

#[test]
fn lint_reports() {
    let weak = fixture("weak-profile.json");
    let out = run_ok(&[
        "seccomp",
        "lint",
        "--format",
        "json",
        weak.to_str().unwrap(),
    ]);
    let out = out.replace(weak.to_str().unwrap(), "[WEAK]");
    insta::assert_snapshot!("lint_weak", out);
    let out = run_ok(&["seccomp", "lint", "--format", "json", "docker-default"]);
    insta::assert_snapshot!("lint_docker_default", out);
    let out = bulkhead()
        .args([
            "seccomp",
            "lint",
            "--format",
            "json",
            "--exit-code",
            "4",
            "unconfined",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stdout).contains("BHSC001"));
}

#[test]
fn diff_against_docker_default() {
    let f = fixture("strace-f-busybox.txt");
    let dir = tempfile::tempdir().unwrap();
    let gen_path = dir.path().join("gen.json");
    let g = gen_path.to_str().unwrap();
    run_ok(&[
        "seccomp",
        "generate",
        "--strace",
        f.to_str().unwrap(),
        "-o",
        g,
    ]);
    let out = run_ok(&["seccomp", "diff", g, "--against", "docker-default"]);
    let out = out.replace(g, "[GENERATED]");
    insta::assert_snapshot!("diff_generated_vs_default", out);
    let weak = fixture("weak-profile.json");
    let out = run_ok(&[
        "seccomp",
        "diff",
        "--format",
        "json",
        g,
        weak.to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["allowedOnlyInB"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "mount")
    );
    assert_eq!(
        run_ok(&["seccomp", "diff", g, g]).lines().last(),
        Some("no differences")
    );
}

#[test]
fn apparmor_profile_parses() {
    let policy = fixture("policy-web.toml");
    let out = run_ok(&["apparmor", "generate", policy.to_str().unwrap()]);
    insta::assert_snapshot!("apparmor_web", out);
    // apparmor_parser comes from Debian's `apparmor` package.
    if !bulkhead_testkit::require::tool("apparmor_parser", "apparmor") {
        return;
    }
    let parser = bulkhead_testkit::require::which("apparmor_parser").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("profile");
    std::fs::write(&file, &out).unwrap();
    // -Q: parse and compile only, never load into the kernel; -K: no cache.
    let status = std::process::Command::new(parser)
        .args(["-Q", "-K"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "apparmor_parser rejected the profile: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn apparmor_bad_policy() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.toml");
    std::fs::write(&p, "name = \"ok\"\ncapabilities = [\"sys_flying\"]\n").unwrap();
    let (code, err) = run_err(&["apparmor", "generate", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`sys_flying` is not a Linux capability"),
        "{err}"
    );
}

//! Live acceptance on the real Docker daemon: trace busybox with strace,
//! generate a profile, run the container under it. Needs the Docker daemon,
//! Debian packages `strace` and `busybox-static` (for /bin/busybox).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support_docker/mod.rs"]
mod support_docker;

use assert_cmd::Command;
use support_docker::{BUSYBOX, Guard, LABEL, build_busybox_image, ready, unique};

/// Run `script` in a new container (removed on exit; the guard removes it
/// too if it is left) under the profile `seccomp`, Docker's default if none.
fn docker_run(g: &mut Guard, seccomp: Option<&str>, script: &str) -> std::process::Output {
    let name = g.container("bulkhead-test-seccomp");
    let mut cmd = std::process::Command::new("docker");
    cmd.args(["run", "--rm", "--name", &name, "--label", LABEL]);
    if let Some(p) = seccomp {
        cmd.args(["--security-opt", &format!("seccomp={p}")]);
    }
    cmd.args([&g.image, "sh", "-c", script]);
    cmd.output().unwrap()
}

#[test]
fn generated_profile_runs_the_traced_program_and_blocks_the_rest() {
    if !ready(&[("/usr/bin/strace", "strace"), BUSYBOX]) {
        return;
    }
    let mut guard = Guard::new(format!("{}:1", unique("bulkhead-test-seccomp")));
    let dir = tempfile::tempdir().unwrap();
    build_busybox_image(
        &guard.image,
        &dir.path().join("ctx"),
        &[("tmp/", "")],
        "COPY tmp /tmp\nENTRYPOINT [\"/bin/busybox\"]\n",
    );

    // Trace the program on the host.
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let trace = dir.path().join("trace.txt");
    let host_script = format!(
        "echo hi > {0}/x; busybox cat {0}/x | busybox wc -c",
        work.display()
    );
    let traced = std::process::Command::new("strace")
        .args(["-f", "-o"])
        .arg(&trace)
        .args(["/bin/busybox", "sh", "-c", &host_script])
        .output()
        .unwrap();
    assert!(
        traced.status.success(),
        "strace: {}",
        String::from_utf8_lossy(&traced.stderr)
    );

    let profile = dir.path().join("profile.json");
    let out = Command::cargo_bin("bulkhead")
        .unwrap()
        .args(["seccomp", "generate", "--strace"])
        .arg(&trace)
        .arg("-o")
        .arg(&profile)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "generate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let profile = profile.to_str().unwrap();

    // The traced program works under the generated profile.
    let script = "echo hi > /tmp/x; busybox cat /tmp/x | busybox wc -c";
    let run = docker_run(&mut guard, Some(profile), script);
    assert!(
        run.status.success(),
        "under generated profile: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&run.stdout).trim(), "3");

    // renice (getpriority/setpriority) is allowed by Docker's default profile
    // but unused by the traced program: it works by default, fails with EPERM
    // under the generated profile.
    let renice = "renice -n 5 $$";
    let run = docker_run(&mut guard, None, renice);
    assert!(
        run.status.success(),
        "renice under default: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let run = docker_run(&mut guard, Some(profile), renice);
    assert!(
        !run.status.success(),
        "renice must fail under the generated profile"
    );
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("Operation not permitted"),
        "expected EPERM, got: {err}"
    );
}

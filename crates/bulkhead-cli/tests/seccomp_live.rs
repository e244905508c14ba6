//! Live acceptance on the real Docker daemon: trace busybox with strace,
//! generate a profile, run the container under it. Needs the Docker daemon,
//! Debian packages `strace` and `busybox-static` (for /bin/busybox).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use std::process::Command as Std;

fn skip(why: &str) {
    eprintln!("!!!!! SKIPPED live seccomp test: {why} !!!!!");
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("live seccomp test cannot run in CI: {why}");
    }
}

/// Removes the test image (and container, if left) even when the test fails.
struct Guard {
    image: String,
    container: String,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = Std::new("docker")
            .args(["rm", "-f", &self.container])
            .output();
        let _ = Std::new("docker").args(["rmi", "-f", &self.image]).output();
    }
}

fn docker_run(g: &Guard, seccomp: Option<&str>, script: &str) -> std::process::Output {
    let mut cmd = Std::new("docker");
    cmd.args([
        "run",
        "--rm",
        "--name",
        &g.container,
        "--label",
        "org.bulkhead.test=1",
    ]);
    if let Some(p) = seccomp {
        cmd.args(["--security-opt", &format!("seccomp={p}")]);
    }
    cmd.args([&g.image, "sh", "-c", script]);
    cmd.output().unwrap()
}

#[test]
fn generated_profile_runs_the_traced_program_and_blocks_the_rest() {
    if !std::path::Path::new("/var/run/docker.sock").exists()
        || !Std::new("docker")
            .arg("version")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    {
        return skip("the Docker daemon does not answer on /var/run/docker.sock");
    }
    for (tool, pkg) in [
        ("/usr/bin/strace", "strace"),
        ("/bin/busybox", "busybox-static"),
    ] {
        if !std::path::Path::new(tool).exists() {
            return skip(&format!("{tool} missing (Debian package `{pkg}`)"));
        }
    }
    let unique = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let guard = Guard {
        image: format!("bulkhead-test-seccomp:{unique}"),
        container: format!("bulkhead-test-seccomp-{unique}"),
    };
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("ctx");
    std::fs::create_dir_all(ctx.join("tmp")).unwrap();
    std::fs::copy("/bin/busybox", ctx.join("busybox")).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM scratch\nCOPY busybox /bin/busybox\nCOPY tmp /tmp\nENTRYPOINT [\"/bin/busybox\"]\n",
    )
    .unwrap();
    let built = Std::new("docker")
        .args([
            "build",
            "-q",
            "--label",
            "org.bulkhead.test=1",
            "-t",
            &guard.image,
        ])
        .arg(&ctx)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "docker build: {}",
        String::from_utf8_lossy(&built.stderr)
    );

    // Trace the program on the host.
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let trace = dir.path().join("trace.txt");
    let host_script = format!(
        "echo hi > {0}/x; busybox cat {0}/x | busybox wc -c",
        work.display()
    );
    let traced = Std::new("strace")
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
    let run = docker_run(&guard, Some(profile), script);
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
    let run = docker_run(&guard, None, renice);
    assert!(
        run.status.success(),
        "renice under default: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let run = docker_run(&guard, Some(profile), renice);
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

//! Live acceptance of `bulkhead harden --container` on the real Docker
//! daemon: a FROM-scratch busybox image serves with `httpd` (on 80 and 8080)
//! after writing a file to /tmp; the `docker run` flags harden prints start a
//! new container of the same image and command that still serves, cannot
//! write outside its tmpfs and can write inside it. Needs the Docker daemon
//! and Debian's `busybox-static` (for /bin/busybox).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support_docker/mod.rs"]
mod support_docker;

use assert_cmd::Command;
use support_docker::{BUSYBOX, Guard, build_busybox_image, docker, must, ready, unique};

/// Wait (bounded) until `wget` inside the container gets the page.
fn fetch(container: &str, port: u16) -> std::process::Output {
    let url = format!("http://127.0.0.1:{port}/");
    let mut last = None;
    for _ in 0..50 {
        let out = docker(&["exec", container, "/bin/busybox", "wget", "-qO-", &url]);
        if out.status.success() {
            return out;
        }
        last = Some(out);
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    last.unwrap()
}

/// The command both containers run: a write to /tmp at start, then two
/// httpd servers (80 daemonised, 8080 in the foreground).
const SCRIPT: &str =
    "echo started > /tmp/started && httpd -p 80 -h /www && exec httpd -f -p 8080 -h /www";

/// A FROM-scratch image with busybox, /www/index.html and an empty /tmp.
fn build_image(tag: &str, ctx: &std::path::Path) {
    build_busybox_image(
        tag,
        ctx,
        &[("www/index.html", "hello from bulkhead\n"), ("tmp/", "")],
        "COPY www /www\nCOPY tmp /tmp\nENTRYPOINT [\"/bin/busybox\"]\n",
    );
}

/// The flags line of `--format run` output, split into argv words.
fn flags_of(text: &str) -> Vec<String> {
    let line = text
        .lines()
        .rfind(|l| !l.starts_with('#') && !l.trim().is_empty())
        .unwrap();
    shlex::split(line).expect("the flags line is valid shell words")
}

#[test]
fn printed_run_flags_start_a_hardened_container_that_still_serves() {
    if !ready(&[BUSYBOX]) {
        return;
    }
    let mut guard = Guard::new(format!("{}:1", unique("bulkhead-test-harden")));
    let original = guard.container("bulkhead-test-harden");
    let hardened = guard.container("bulkhead-test-harden-new");

    let dir = tempfile::tempdir().unwrap();
    build_image(&guard.image, dir.path());

    must(
        docker(&[
            "run",
            "-d",
            "--name",
            &original,
            "--label",
            "org.bulkhead.test=1",
            &guard.image,
            "sh",
            "-c",
            SCRIPT,
        ]),
        "start the original container",
    );
    let page = must(fetch(&original, 8080), "original serves on 8080");
    assert_eq!(page, "hello from bulkhead\n");
    must(fetch(&original, 80), "original serves on 80");

    let out = Command::cargo_bin("bulkhead")
        .unwrap()
        .args(["harden", "--container", &original, "--format", "run"])
        .output()
        .unwrap();
    let text = must(out, "bulkhead harden");
    eprintln!("{text}");
    // Observed: the write to /tmp, the listening sockets, root.
    assert!(
        text.contains("written since start (/tmp/started)"),
        "{text}"
    );
    assert!(text.contains("listening 80/tcp"), "{text}");
    assert!(text.contains("listening 8080/tcp"), "{text}");
    let flags = flags_of(&text);
    for want in [
        "--read-only",
        "--cap-drop",
        "ALL",
        "--cap-add",
        "NET_BIND_SERVICE",
        "no-new-privileges",
        "--user",
        "65532:65532",
        "--pids-limit",
        "--memory",
    ] {
        assert!(flags.iter().any(|f| f == want), "{want} in {flags:?}");
    }
    assert!(
        flags
            .iter()
            .any(|f| f.starts_with("/tmp:") && f.contains("noexec")),
        "{flags:?}"
    );

    // The same image and command under exactly the printed flags.
    let mut args: Vec<String> = vec![
        "run".into(),
        "-d".into(),
        "--name".into(),
        hardened.clone(),
        "--label".into(),
        "org.bulkhead.test=1".into(),
    ];
    args.extend(flags);
    args.extend([guard.image.clone(), "sh".into(), "-c".into(), SCRIPT.into()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    must(docker(&refs), "start the hardened container");

    // It still serves, on both ports.
    let page = must(fetch(&hardened, 8080), "hardened serves on 8080");
    assert_eq!(page, "hello from bulkhead\n");
    must(fetch(&hardened, 80), "hardened serves on 80");
    // Its start-up write landed in the tmpfs.
    let started = must(
        docker(&["exec", &hardened, "/bin/busybox", "cat", "/tmp/started"]),
        "read /tmp/started",
    );
    assert_eq!(started, "started\n");
    // Writes outside the tmpfs fail: read-only file system.
    let out = docker(&[
        "exec",
        &hardened,
        "/bin/busybox",
        "sh",
        "-c",
        "echo x > /etc/x",
    ]);
    assert!(!out.status.success(), "write to /etc must fail");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Read-only file system"), "{err}");
    let out = docker(&[
        "exec",
        &hardened,
        "/bin/busybox",
        "sh",
        "-c",
        "echo x > /www/x",
    ]);
    assert!(!out.status.success(), "write to /www must fail");
    // Writes to the tmpfs succeed, as the non-root user.
    let out = must(
        docker(&[
            "exec",
            &hardened,
            "/bin/busybox",
            "sh",
            "-c",
            "echo y > /tmp/y && cat /tmp/y && id -u",
        ]),
        "write to the tmpfs",
    );
    assert_eq!(out, "y\n65532\n");
    // The settings took effect.
    let inspect = must(
        docker(&[
            "inspect",
            "-f",
            "{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}} {{.HostConfig.PidsLimit}} {{.HostConfig.Memory}}",
            &hardened,
        ]),
        "inspect the hardened container",
    );
    assert!(inspect.starts_with("true [ALL] 128 268435456"), "{inspect}");
    drop(guard);
}

/// The same, with a seccomp allow-list generated from an strace recording
/// of the program and of the commands the test runs in the container: the
/// hardened container serves, and `renice` (getpriority, allowed by Docker's
/// default profile, never traced) fails with EPERM. Also needs Debian's
/// `strace`.
#[test]
fn printed_run_flags_with_generated_seccomp_profile() {
    if !ready(&[("/usr/bin/strace", "strace"), BUSYBOX]) {
        return;
    }
    let mut guard = Guard::new(format!("{}:1", unique("bulkhead-test-harden-sc")));
    let original = guard.container("bulkhead-test-harden-sc");
    let hardened = guard.container("bulkhead-test-harden-sc-new");
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("ctx");
    build_image(&guard.image, &ctx);
    let script = "echo started > /tmp/started && exec httpd -f -p 8080 -h /www";

    // Record on the host what the program and the test's own commands use:
    // httpd serving one request, wget, cat, a shell redirection, id.
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let port = 20000 + (std::process::id() % 20000);
    let host_script = format!(
        "echo started > {w}/started && {{ busybox httpd -f -p 127.0.0.1:{port} -h {www} & P=$!; \
         busybox sleep 0.3; busybox wget -qO- http://127.0.0.1:{port}/ && busybox cat {w}/started \
         && echo y > {w}/y && busybox id -u; busybox kill $P; }}",
        w = work.display(),
        www = ctx.join("www").display(),
    );
    let trace = dir.path().join("trace.txt");
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
    assert_eq!(
        String::from_utf8_lossy(&traced.stdout),
        "hello from bulkhead\nstarted\n0\n"
    );

    must(
        docker(&[
            "run",
            "-d",
            "--name",
            &original,
            "--label",
            "org.bulkhead.test=1",
            &guard.image,
            "sh",
            "-c",
            script,
        ]),
        "start the original container",
    );
    must(fetch(&original, 8080), "original serves");
    let profile = dir.path().join("httpd-seccomp.json");
    let out = Command::cargo_bin("bulkhead")
        .unwrap()
        .args(["harden", "--container", &original, "--format", "run"])
        .arg("--seccomp-from")
        .arg(&trace)
        // busybox wget waits with poll() only when the answer is not there
        // yet: one recorded request may not show it.
        .args(["--syscalls", "poll"])
        .arg("--profile-out")
        .arg(&profile)
        .output()
        .unwrap();
    let text = must(out, "bulkhead harden");
    eprintln!("{text}");
    assert!(profile.is_file());
    let flags = flags_of(&text);
    let want = format!("seccomp={}", profile.display());
    assert!(flags.contains(&want), "{want} in {flags:?}");

    let mut args: Vec<String> = vec![
        "run".into(),
        "-d".into(),
        "--name".into(),
        hardened.clone(),
        "--label".into(),
        "org.bulkhead.test=1".into(),
    ];
    args.extend(flags);
    args.extend([guard.image.clone(), "sh".into(), "-c".into(), script.into()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    must(docker(&refs), "start the hardened container");
    let page = must(fetch(&hardened, 8080), "hardened serves under the profile");
    assert_eq!(page, "hello from bulkhead\n");
    let out = must(
        docker(&[
            "exec",
            &hardened,
            "/bin/busybox",
            "sh",
            "-c",
            "cat /tmp/started && echo y > /tmp/y && id -u",
        ]),
        "tmpfs write under the profile",
    );
    assert_eq!(out, "started\n65532\n");
    // Allowed by Docker's default profile, outside the recorded set.
    let out = docker(&["exec", &original, "/bin/busybox", "renice", "-n", "5", "1"]);
    assert!(out.status.success(), "renice under the default profile");
    let out = docker(&["exec", &hardened, "/bin/busybox", "renice", "-n", "5", "1"]);
    assert!(!out.status.success(), "renice must fail under the profile");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Operation not permitted"), "{err}");
    drop(guard);
}

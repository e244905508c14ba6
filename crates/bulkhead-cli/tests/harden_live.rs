//! Live acceptance of `bulkhead harden --container` on the real Docker
//! daemon: a FROM-scratch busybox image serves with `httpd` (on 80 and 8080)
//! after writing a file to /tmp; the `docker run` flags harden prints start a
//! new container of the same image and command that still serves, cannot
//! write outside its tmpfs and can write inside it. Needs the Docker daemon
//! and Debian's `busybox-static` (for /bin/busybox).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use std::process::Command as Std;

fn skip(why: &str) {
    eprintln!("!!!!! SKIPPED live harden test: {why} !!!!!");
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("live harden test cannot run in CI: {why}");
    }
}

/// Removes the test containers and image even when the test fails.
struct Guard {
    image: String,
    containers: Vec<String>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        for c in &self.containers {
            let _ = Std::new("docker").args(["rm", "-f", c]).output();
        }
        let _ = Std::new("docker").args(["rmi", "-f", &self.image]).output();
    }
}

fn docker(args: &[&str]) -> std::process::Output {
    Std::new("docker").args(args).output().unwrap()
}

fn must(out: std::process::Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

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

#[test]
fn printed_run_flags_start_a_hardened_container_that_still_serves() {
    if !std::path::Path::new("/var/run/docker.sock").exists()
        || !Std::new("docker")
            .arg("version")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    {
        return skip("the Docker daemon does not answer on /var/run/docker.sock");
    }
    if !std::path::Path::new("/bin/busybox").exists() {
        return skip("/bin/busybox missing (Debian package `busybox-static`)");
    }
    let unique = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let original = format!("bulkhead-test-harden-{unique}");
    let hardened = format!("bulkhead-test-harden-new-{unique}");
    let guard = Guard {
        image: format!("bulkhead-test-harden:{unique}"),
        containers: vec![original.clone(), hardened.clone()],
    };

    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path();
    std::fs::create_dir_all(ctx.join("www")).unwrap();
    std::fs::create_dir_all(ctx.join("tmp")).unwrap();
    std::fs::write(ctx.join("www/index.html"), "hello from bulkhead\n").unwrap();
    std::fs::copy("/bin/busybox", ctx.join("busybox")).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\nCOPY tmp /tmp\nENTRYPOINT [\"/bin/busybox\"]\n",
    )
    .unwrap();
    must(
        Std::new("docker")
            .args([
                "build",
                "-q",
                "--label",
                "org.bulkhead.test=1",
                "-t",
                &guard.image,
            ])
            .arg(ctx)
            .output()
            .unwrap(),
        "docker build",
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
    let line = text
        .lines()
        .rfind(|l| !l.starts_with('#') && !l.trim().is_empty())
        .unwrap();
    let flags = shlex::split(line).expect("the flags line is valid shell words");
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

//! `bulkhead harden` from a Compose service and from an image file: golden
//! output, the generated seccomp profile, input errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use bulkhead_fixtures::{ImageBuilder, Layout};
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
volumes:
  cache: {}
"#;

fn bulkhead(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("bulkhead")
        .unwrap()
        .current_dir(dir)
        .env(
            "BULKHEAD_CACHE_DIR",
            std::env::temp_dir().join(format!("bulkhead-test-cache-{}", std::process::id())),
        )
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn compose_service_override() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), COMPOSE).unwrap();
    let text = ok(&bulkhead(
        dir.path(),
        &["harden", "--compose", "compose.yaml", "--service", "web"],
    ));
    insta::assert_snapshot!("harden_compose_web", text);
    let run = ok(&bulkhead(
        dir.path(),
        &[
            "harden",
            "--compose",
            "compose.yaml",
            "--service",
            "web",
            "--format",
            "run",
        ],
    ));
    let last = run.lines().last().unwrap();
    assert!(last.starts_with("--read-only "), "{last}");
    assert!(last.contains("--cap-add NET_BIND_SERVICE"), "{last}");
}

fn image(dir: &Path) -> std::path::PathBuf {
    let img = dir.join("app.tar");
    let mut b = ImageBuilder::new()
        .config("User", serde_json::json!("app"))
        .config("ExposedPorts", serde_json::json!({"8080/tcp": {}}))
        .config("Volumes", serde_json::json!({"/data": {}}));
    b.layer("/bin/sh -c #(nop) ADD file:0123 in / ")
        .file(
            "etc/passwd",
            b"root:x:0:0::/root:/bin/sh\napp:x:10001:10002::/app:/bin/sh\n",
        )
        .unwrap();
    b.write(Layout::DockerOci, &img).unwrap();
    img
}

#[test]
fn image_file_run_flags() {
    let dir = tempfile::tempdir().unwrap();
    image(dir.path());
    let text = ok(&bulkhead(
        dir.path(),
        &["harden", "--quiet", "--input", "app.tar", "--format", "run"],
    ));
    insta::assert_snapshot!("harden_image_run", text);
    assert!(text.contains("--user 10001:10002"));
}

#[test]
fn compose_with_image_and_seccomp_profile() {
    let dir = tempfile::tempdir().unwrap();
    image(dir.path());
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  app:\n    image: app:1\n",
    )
    .unwrap();
    let out = bulkhead(
        dir.path(),
        &[
            "harden",
            "--quiet",
            "--compose",
            "compose.yaml",
            "--service",
            "app",
            "--input",
            "app.tar",
            "--syscalls",
            "read,write,accept4",
            "--profile-out",
            "app-seccomp.json",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(json["user"]["value"], "10001:10002");
    assert_eq!(json["seccomp"]["value"], "app-seccomp.json");
    let flags: Vec<&str> = json["run_flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(flags.contains(&"seccomp=app-seccomp.json"), "{flags:?}");
    let profile: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("app-seccomp.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(profile["defaultAction"], "SCMP_ACT_ERRNO");
    let allowed = profile["syscalls"].to_string();
    assert!(allowed.contains("\"accept4\""), "{allowed}");
}

#[test]
fn input_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), COMPOSE).unwrap();
    for (args, want) in [
        (vec!["harden"], "nothing to harden"),
        (
            vec!["harden", "--compose", "compose.yaml", "--service", "nope"],
            "choose one of web",
        ),
        (
            vec![
                "harden",
                "--compose",
                "compose.yaml",
                "--service",
                "web",
                "--format",
                "sarif",
            ],
            "choose one of: compose, run, json",
        ),
        (
            vec![
                "harden",
                "--compose",
                "compose.yaml",
                "--service",
                "web",
                "--syscalls",
                "read",
            ],
            "--profile-out",
        ),
        (
            vec![
                "harden",
                "--compose",
                "compose.yaml",
                "--service",
                "web",
                "--seccomp-from",
                "compose.yaml",
                "--profile-out",
                "p.json",
            ],
            "strace input compose.yaml",
        ),
        (vec!["harden", "--input", "missing.tar"], "missing.tar"),
    ] {
        let out = bulkhead(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
    }
}

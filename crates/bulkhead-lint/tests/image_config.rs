//! Image-config checks on images built with the test image builder: each
//! test asserts the exact findings (rule id and message).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bulkhead_fixtures::{ImageBuilder, Layout};
use bulkhead_lint::{image_config_findings, image_config_results};
use serde_json::json;
use std::os::unix::fs::PermissionsExt;

const PASSWD: &[u8] = b"root:x:0:0:root:/root:/bin/sh\ntoor:x:0:0:root alias:/root:/bin/sh\napp:x:10001:10001::/home/app:/sbin/nologin\n";
const HEALTHY: &str = r#"{"Test": ["CMD", "/hc"], "Interval": 30000000000}"#;

/// Write, read back and inventory an image; return (rule id, message) pairs.
fn check(b: ImageBuilder) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("img.tar");
    b.write(Layout::DockerOci, &p).unwrap();
    let image = bulkhead_image::open_input(&p, None).unwrap();
    let analyzers = bulkhead_analyzers::all();
    let layers = bulkhead_scan::analyze_image_layers(
        &image,
        &analyzers,
        None,
        &bulkhead_scan::ScanOptions::default(),
        &|_| {},
    )
    .unwrap();
    let inv = bulkhead_scan::build_inventory(&layers, &image.layer_refs());
    let users = inv.users.as_deref();
    let results = image_config_results(&image.config, inv.image_files(), users);
    let findings = image_config_findings(&image.config, inv.image_files(), users);
    assert_eq!(
        results
            .first()
            .map(|r| r.misconfigurations.len())
            .unwrap_or(0),
        findings.len()
    );
    if let Some(r) = results.first() {
        assert_eq!(r.target, "image config");
        assert_eq!(r.kind, "image-config");
    }
    findings
        .into_iter()
        .map(|f| (f.rule.id.to_string(), f.message))
        .collect()
}

fn ids(f: &[(String, String)]) -> Vec<&str> {
    f.iter().map(|(id, _)| id.as_str()).collect()
}

/// A clean image: numeric user, healthcheck, no secrets, normal modes.
fn base() -> ImageBuilder {
    let mut b = ImageBuilder::new()
        .config("User", json!("10001:10001"))
        .config("Healthcheck", serde_json::from_str(HEALTHY).unwrap());
    b.layer("/bin/sh -c #(nop) ADD file:0123abcd in / ")
        .file("etc/passwd", PASSWD)
        .unwrap()
        .file_mode("bin/busybox", b"\x7fELF", 0o755)
        .unwrap();
    b
}

#[test]
fn clean_image_has_no_findings() {
    assert_eq!(check(base()), vec![]);
}

#[test]
fn root_users() {
    for (user, msg) in [
        ("", "no User is set, so the container runs as root (UID 0)"),
        ("0", "User is \"0\" (UID 0)"),
        ("root:root", "User is \"root:root\""),
        ("toor", "User \"toor\" has UID 0 in the image's /etc/passwd"),
    ] {
        let f = check(base().config("User", json!(user)));
        assert_eq!(
            f,
            vec![("BH-IM-001".to_string(), msg.to_string())],
            "{user:?}"
        );
    }
}

#[test]
fn named_users() {
    let f = check(base().config("User", json!("app")));
    assert_eq!(
        f,
        vec![(
            "BH-IM-002".to_string(),
            "User \"app\" is a name (UID 10001 in /etc/passwd): use 10001 so runAsNonRoot can check it"
                .to_string()
        )]
    );
    let f = check(base().config("User", json!("ghost:ghost")));
    assert_eq!(
        f,
        vec![(
            "BH-IM-002".to_string(),
            "User \"ghost\" is not in the image's /etc/passwd: the container will fail to start"
                .to_string()
        )]
    );
    // No /etc/passwd at all (a distroless-like image).
    let mut b = ImageBuilder::new()
        .config("User", json!("app"))
        .config("Healthcheck", serde_json::from_str(HEALTHY).unwrap());
    b.layer("COPY app /app # buildkit")
        .file_mode("app", b"x", 0o755)
        .unwrap();
    assert_eq!(ids(&check(b)), vec!["BH-IM-002"]);
}

#[test]
fn passwd_from_the_final_view_wins() {
    // A later layer remaps `app` to UID 0: the squashed /etc/passwd counts.
    let mut b = base().config("User", json!("app"));
    b.layer("RUN sed -i s/10001/0/ /etc/passwd # buildkit")
        .file(
            "etc/passwd",
            b"root:x:0:0::/root:/bin/sh\napp:x:0:0::/home/app:/bin/sh\n",
        )
        .unwrap();
    assert_eq!(
        check(b),
        vec![(
            "BH-IM-001".to_string(),
            "User \"app\" has UID 0 in the image's /etc/passwd".to_string()
        )]
    );
}

#[test]
fn healthcheck_missing_or_disabled() {
    let b = base().config("Healthcheck", serde_json::Value::Null);
    assert_eq!(
        check(b),
        vec![(
            "BH-IM-003".to_string(),
            "the image config has no Healthcheck".to_string()
        )]
    );
    let b = base().config("Healthcheck", json!({"Test": ["NONE"]}));
    assert_eq!(ids(&check(b)), vec!["BH-IM-003"]);
}

#[test]
fn secrets_in_env_by_name_and_value() {
    let b = base().config(
        "Env",
        json!([
            "PATH=/usr/bin:/bin",
            "DB_PASSWORD=hunter2",
            "DB_PASSWORD_FILE=/run/secrets/db",
            "API_TOKEN=",
            "GPG_KEY=A4A9406876FCBD3C456770C88C718D3B5072E1F5",
            "NOTE=ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        ]),
    );
    let f = check(b);
    assert_eq!(
        f,
        vec![
            (
                "BH-IM-004".to_string(),
                "Env DB_PASSWORD holds a secret (by its name)".to_string()
            ),
            (
                "BH-IM-004".to_string(),
                "Env NOTE holds a secret (by its value's shape)".to_string()
            ),
        ]
    );
    // Never the value itself.
    assert!(
        f.iter()
            .all(|(_, m)| !m.contains("hunter2") && !m.contains("ghp_"))
    );
}

#[test]
fn tokens_in_history() {
    let mut b = base();
    b.layer("RUN /bin/sh -c curl -H \"Authorization: token ghp_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\" https://x/y # buildkit")
        .file("y", b"y")
        .unwrap();
    b.layer("/bin/sh -c #(nop) ARG NPM_TOKEN=npm_s3cr3tvalue")
        .file("z", b"z")
        .unwrap();
    b.layer("RUN |1 NPM_TOKEN=$NPM_TOKEN /bin/sh -c npm ci # buildkit")
        .file("w", b"w")
        .unwrap();
    let f = check(b);
    // History index: 0 is the builder's empty ENV entry, 1 the base ADD.
    assert_eq!(
        f,
        vec![
            (
                "BH-IM-005".to_string(),
                "history entry 2 records a secret: <redacted token>".to_string()
            ),
            (
                "BH-IM-005".to_string(),
                "history entry 3 records a secret: NPM_TOKEN=<redacted>".to_string()
            ),
        ]
    );
}

#[test]
fn setuid_setgid_and_world_writable() {
    let tree = tempfile::tempdir().unwrap();
    let r = tree.path();
    let mk = |p: &str, mode: u32, dir: bool| {
        let path = r.join(p);
        if dir {
            std::fs::create_dir_all(&path).unwrap();
        } else {
            std::fs::write(&path, b"x").unwrap();
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    mk("tmp", 0o1777, true); // sticky: fine
    mk("shared", 0o777, true);
    mk("bin", 0o755, true);
    mk("bin/su", 0o4755, false);
    mk("bin/wall", 0o2755, false);
    mk("bin/both", 0o6755, false);
    mk("bin/conf", 0o666, false);
    mk("bin/ok", 0o755, false);
    let mut b = base();
    b.layer("COPY rootfs / # buildkit").tree(r).unwrap();
    let f = check(b);
    assert_eq!(
        f,
        vec![
            (
                "BH-IM-006".to_string(),
                "/bin/both is setuid and setgid (mode 6755, layer 1)".to_string()
            ),
            (
                "BH-IM-006".to_string(),
                "/bin/su is setuid (mode 4755, layer 1)".to_string()
            ),
            (
                "BH-IM-006".to_string(),
                "/bin/wall is setgid (mode 2755, layer 1)".to_string()
            ),
            (
                "BH-IM-007".to_string(),
                "/bin/conf is a world-writable file (mode 0666, layer 1)".to_string()
            ),
            (
                "BH-IM-007".to_string(),
                "/shared is a world-writable folder (mode 0777, layer 1)".to_string()
            ),
        ]
    );
}

#[test]
fn add_in_history_skips_the_base_rootfs() {
    let mut b = base();
    b.layer("ADD https://example.com/app.tar.gz /opt/ # buildkit")
        .file("opt/app", b"x")
        .unwrap();
    b.layer("/bin/sh -c #(nop) ADD file:feedbeef in /etc/app/ ")
        .file("etc/app/x", b"x")
        .unwrap();
    let f = check(b);
    assert_eq!(ids(&f), vec!["BH-IM-008", "BH-IM-008"]);
    assert!(
        f[0].1
            .starts_with("history entry 2 is an ADD step: ADD https://example.com/app.tar.gz")
    );
    assert!(f[1].1.starts_with("history entry 3 is an ADD step:"));
}

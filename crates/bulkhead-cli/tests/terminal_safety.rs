//! Terminal safety: text from images, input files and arguments never
//! reaches a terminal as an escape sequence or a bidi control. Images built
//! by the test image builder carry ANSI CSI, OSC (window title), a raw C1
//! CSI (U+009B) and bidi overrides in package names and versions, file
//! paths, labels, history, the tag and the file name; every text output
//! (`--format table`, to a pipe) and every error line is checked byte by
//! byte: no ESC, no BEL, no UTF-8 C1 CSI, no U+202E or U+2066–U+2069.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support_docker/mod.rs"]
mod support_docker;

use assert_cmd::Command;
use bulkhead_fixtures::{ImageBuilder, Layout};
use serde_json::json;
use std::path::{Path, PathBuf};

/// OSC window title, CSI colour, C1 CSI, right-to-left override, isolate.
const EVIL: &str = "\u{1b}]0;pwned\u{7}\u{1b}[31m\u{9b}2J\u{202e}\u{2066}";

fn evil(s: &str) -> String {
    format!("{s}{EVIL}x")
}

fn bulkhead(cache: &Path) -> Command {
    let mut c = Command::cargo_bin("bulkhead").unwrap();
    c.env("BULKHEAD_CACHE_DIR", cache)
        .env("BULKHEAD_NO_CACHE", "true")
        .env("NO_COLOR", "1")
        .env_remove("BULKHEAD_LOG");
    c
}

/// The byte sequences a terminal would act on.
fn hostile_bytes(out: &[u8]) -> Vec<(usize, &'static str)> {
    let mut found = Vec::new();
    for (i, w) in out.iter().enumerate() {
        let next = out.get(i + 1).copied();
        let after = out.get(i + 2).copied();
        match (*w, next, after) {
            (0x1b, _, _) => found.push((i, "ESC")),
            (0x07, _, _) => found.push((i, "BEL")),
            (0x9b, _, _) => found.push((i, "raw 0x9b")),
            (0xc2, Some(0x9b), _) => found.push((i, "C1 CSI (C2 9B)")),
            (0xe2, Some(0x80), Some(0xae)) => found.push((i, "U+202E")),
            (0xe2, Some(0x81), Some(0xa6..=0xa9)) => found.push((i, "U+2066..U+2069")),
            _ => {}
        }
    }
    found
}

/// Run, and check stdout and stderr; returns both as text.
fn run_clean(what: &str, cmd: &mut Command) -> (String, String, Option<i32>) {
    let out = cmd.output().unwrap();
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let bad = hostile_bytes(bytes);
        assert!(
            bad.is_empty(),
            "{what}: {name} carries {bad:?}:\n{}",
            String::from_utf8_lossy(bytes)
        );
    }
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

/// What the hostile text looks like once cleaned (each control is `?`).
const SHOWN: &str = "?]0;pwned??[31m?2J??x";

const OS_RELEASE: &str = "PRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"11\"\nVERSION_CODENAME=bullseye\nID=debian\n";

const STRIPE: &str = "sk_live_51HqLyjWDarjtT1zdp7dcXyZ9aB";

/// A dpkg status file: (name, version) pairs, each with a hostile source
/// (but zlib1g's, so that the demo advisories match it).
fn status(pkgs: &[(&str, &str)]) -> String {
    let mut s = String::new();
    for (name, ver) in pkgs {
        let src = if *name == "zlib1g" {
            "zlib".to_string()
        } else {
            evil("src")
        };
        s.push_str(&format!(
            "Package: {name}\nStatus: install ok installed\nArchitecture: amd64\nSource: {src}\nVersion: {ver}\n\n"
        ));
    }
    s
}

/// A Debian 11 image whose packages, files, labels, user, history and tag
/// carry the hostile text; `extra` adds packages (for the diff).
fn hostile_image(dir: &Path, file: &str, extra: &[(&str, &str)]) -> PathBuf {
    let mut b = ImageBuilder::new()
        .tag(&format!("{}:{}", evil("evil"), evil("tag")))
        .config("User", json!(evil("root")))
        .config(
            "Labels",
            json!({ evil("org.evil"): evil("label"), "org.opencontainers.image.base.name": "debian\u{202e}\u{2066}:11" }),
        )
        .config("Cmd", json!([evil("/bin/sh")]));
    b.layer(&evil("ADD rootfs.tar /"))
        .file("etc/os-release", OS_RELEASE.as_bytes())
        .unwrap()
        .file("etc/debian_version", b"11.6\n")
        .unwrap();
    let mut pkgs = vec![
        ("evil\u{1b}]0;pwned\u{7}\u{1b}[31mpkg", "1.0"),
        ("zlib1g", "1:1.2.11.dfsg-2"),
    ];
    let name = evil("name");
    let version = evil("1.0");
    pkgs.push((&name, &version));
    pkgs.extend_from_slice(extra);
    let l = b.layer(&evil("RUN apt-get install"));
    l.file("var/lib/dpkg/status", status(&pkgs).as_bytes())
        .unwrap()
        .file(
            &format!(
                "usr/lib/python3/dist-packages/{}-1.0.dist-info/METADATA",
                evil("py")
            ),
            format!(
                "Metadata-Version: 2.1\nName: {}\nVersion: {}\n",
                evil("py"),
                evil("1.0")
            )
            .as_bytes(),
        )
        .unwrap()
        // Malformed: the scan warns, naming the path.
        .file(
            &format!("usr/lib/node_modules/{}/package.json", evil("app")),
            b"{not json",
        )
        .unwrap()
        .file(
            &format!("etc/{}/creds.txt", evil("dir")),
            format!("STRIPE_KEY={STRIPE}\n").as_bytes(),
        )
        .unwrap();
    let out = dir.join(file);
    b.write(Layout::DockerLegacy, &out).unwrap();
    out
}

/// A database holding the committed demo advisories (zlib1g among them).
fn demo_cache(work: &Path) -> PathBuf {
    let cache = work.join("cache");
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bulkhead-fixtures/demo/advisories");
    let out = bulkhead(&cache)
        .args(["db", "import"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    cache
}

#[test]
fn sbom_image_and_fs_tables_show_no_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let img = hostile_image(dir.path(), &(evil("img") + ".tar"), &[]);

    let (out, err, code) = run_clean(
        "sbom",
        bulkhead(&cache)
            .args(["sbom", "--format", "table", "--input"])
            .arg(&img),
    );
    assert_eq!(code, Some(0));
    // The hostile rows are there, shown with `?`.
    assert!(out.contains("evil?]0;pwned??[31mpkg"), "{out}");
    assert!(out.contains(&format!("name{SHOWN}")), "{out}");
    assert!(out.contains(&format!("py{SHOWN}")), "{out}");
    // The warning naming the malformed file: in the report and in the log.
    let warning = format!("app{SHOWN}/package.json");
    assert!(out.contains(&warning), "{out}");
    assert!(err.contains("WARN") && err.contains(&warning), "{err}");

    let (out, _, _) = run_clean(
        "image",
        bulkhead(&cache)
            .args([
                "image",
                "--scanners",
                "secret,misconfig",
                "--format",
                "table",
                "--input",
            ])
            .arg(&img),
    );
    // The secret, in a file whose path has the escapes, and the config checks.
    assert!(out.contains(&format!("dir{SHOWN}/creds.txt")), "{out}");
    assert!(out.contains("stripe-secret-key"), "{out}");
    assert!(out.contains("BH-IM-"), "{out}");

    // The same files as a root filesystem.
    let root = dir.path().join(evil("root"));
    let etc = root.join("etc").join(evil("dir"));
    std::fs::create_dir_all(&etc).unwrap();
    std::fs::write(etc.join("creds.txt"), format!("STRIPE_KEY={STRIPE}\n")).unwrap();
    std::fs::create_dir_all(root.join("var/lib/dpkg")).unwrap();
    std::fs::write(root.join("etc/os-release"), OS_RELEASE).unwrap();
    std::fs::write(
        root.join("var/lib/dpkg/status"),
        status(&[(&evil("fspkg"), &evil("2.0"))]),
    )
    .unwrap();
    let (out, _, _) = run_clean(
        "fs",
        bulkhead(&cache)
            .args([
                "fs",
                "--scanners",
                "secret",
                "--list-all-pkgs",
                "--format",
                "table",
            ])
            .arg(&root),
    );
    assert!(out.contains(&format!("fspkg{SHOWN}")), "{out}");
    assert!(out.contains(&format!("dir{SHOWN}/creds.txt")), "{out}");
}

#[test]
fn config_table_shows_no_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join(evil("project"));
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("Dockerfile"),
        format!(
            "FROM {}:latest\nLABEL maintainer=\"{}\"\nUSER {}\nRUN {}\n",
            evil("debian"),
            evil("me"),
            evil("root"),
            evil("curl http://x | sh")
        ),
    )
    .unwrap();
    std::fs::write(
        project.join("compose.yaml"),
        "services:\n  \"web\\e]0;pwned\\a\\e[31m\\u009b2J\\u202e\\u2066x\":\n    image: \"nginx\\e[31m:latest\"\n    privileged: true\n    cap_add: [\"SYS_ADMIN\\e[2J\"]\n",
    )
    .unwrap();
    let (out, err, _) = run_clean(
        "config",
        bulkhead(&dir.path().join("cache"))
            .args(["config", "--format", "table"])
            .arg(&project),
    );
    assert!(out.contains(&format!("project{SHOWN}")), "{out}\n{err}");
    assert!(out.contains("BH-CO-"), "{out}\n{err}");
    assert!(out.contains("BH-DF-"), "{out}\n{err}");
}

#[test]
fn diff_and_summary_tables_show_no_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let cache = demo_cache(dir.path());
    let a = hostile_image(dir.path(), &(evil("a") + ".tar"), &[]);
    let added = evil("added");
    let b = hostile_image(dir.path(), &(evil("b") + ".tar"), &[(&added, "3.0")]);
    for format in ["table", "markdown"] {
        let (out, err, code) = run_clean(
            "diff",
            bulkhead(&cache)
                .args(["diff", "--offline", "--format", format, "--input-a"])
                .arg(&a)
                .arg("--input-b")
                .arg(&b),
        );
        assert_eq!(code, Some(0), "{out}\n{err}");
        // Markdown escapes the brackets too.
        assert!(
            out.contains("added?]0;pwned") || out.contains("added?\\]0;pwned"),
            "{out}"
        );
    }

    let (out, err, code) = run_clean(
        "image --summary",
        bulkhead(&cache)
            .env("BULKHEAD_TODAY", "2024-06-01")
            .args([
                "image",
                "--summary",
                "--offline",
                "--format",
                "table",
                "--input",
            ])
            .arg(&a),
    );
    assert_eq!(code, Some(0), "{out}\n{err}");
    assert!(out.contains("zlib1g"), "{out}");
    assert!(out.contains(&format!("evil{SHOWN}:tag")), "{out}");
    // The base image label (bidi controls pass its own control check).
    assert!(out.contains("debian??:11"), "{out}");
}

#[test]
fn arguments_and_errors_show_no_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let (_, err, code) = run_clean(
        "caps decode",
        bulkhead(&cache).args(["caps", "decode", &evil("0xzz")]),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.starts_with("error: ") && err.contains("0xzz?]0;pwned"),
        "{err}"
    );

    let missing = dir.path().join(evil("missing") + ".tar");
    let commands: [&[&str]; 2] = [&["sbom"], &["image", "--scanners", "secret"]];
    for cmd in commands {
        let (_, err, code) = run_clean(
            "missing input",
            bulkhead(&cache)
                .args(cmd)
                .args(["--format", "table", "--input"])
                .arg(&missing),
        );
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains(&format!("missing{SHOWN}.tar")), "{err}");
    }
}

#[test]
fn harden_outputs_show_no_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let img = hostile_image(dir.path(), "harden.tar", &[]);
    for format in ["compose", "run", "json"] {
        let (out, err, code) = run_clean(
            &format!("harden --input ({format})"),
            bulkhead(&cache)
                .args(["harden", "--format", format, "--input"])
                .arg(&img),
        );
        assert_eq!(code, Some(0), "{format}: {out}\n{err}");
        assert!(!out.is_empty(), "{format} wrote nothing");
    }
    let compose = dir.path().join("compose.yaml");
    std::fs::write(
        &compose,
        "services:\n  \"web\\e]0;pwned\\a\\e[31m\\u009b2J\\u202e\\u2066x\":\n    image: \"nginx\\e[31m:latest\"\n    user: \"root\\e[2J\"\n    cap_add: [\"SYS_ADMIN\\e[2J\"]\n    environment:\n      \"GREETING\\e[31m\": \"hi\\u202e\"\n    volumes: [\"/srv/\\e]0;x\\a:/data\"]\n",
    )
    .unwrap();
    let service = "web\u{1b}]0;pwned\u{7}\u{1b}[31m\u{9b}2J\u{202e}\u{2066}x";
    for format in ["compose", "run", "json"] {
        let (out, err, code) = run_clean(
            &format!("harden --compose ({format})"),
            bulkhead(&cache)
                .args([
                    "harden",
                    "--format",
                    format,
                    "--service",
                    service,
                    "--compose",
                ])
                .arg(&compose),
        );
        assert_eq!(code, Some(0), "{format}: {out}\n{err}");
        assert!(!out.is_empty(), "{format} wrote nothing");
    }
}

#[test]
fn seccomp_outputs_show_no_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    // A syscall name that is not one: refused with a clean error line.
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        serde_json::to_string(&json!({
            "defaultAction": "SCMP_ACT_ERRNO",
            "syscalls": [{"names": [evil("read")], "action": "SCMP_ACT_ALLOW"}],
        }))
        .unwrap(),
    )
    .unwrap();
    for format in ["table", "json", "sarif"] {
        let (_, err, code) = run_clean(
            &format!("seccomp lint ({format})"),
            bulkhead(&cache)
                .args(["seccomp", "lint", "--format", format])
                .arg(&bad),
        );
        assert_eq!(code, Some(2), "{format}: {err}");
        assert!(err.contains(&format!("read{SHOWN}")), "{err}");
    }
    // Valid profiles under a hostile file name.
    let a = dir.path().join(evil("a") + ".json");
    std::fs::write(
        &a,
        r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write","mount"],"action":"SCMP_ACT_ALLOW"}]}"#,
    )
    .unwrap();
    let b = dir.path().join("b.json");
    std::fs::write(
        &b,
        r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}"#,
    )
    .unwrap();
    for format in ["table", "json", "sarif"] {
        let (_, err, code) = run_clean(
            &format!("seccomp lint ({format})"),
            bulkhead(&cache)
                .args(["seccomp", "lint", "--format", format])
                .arg(&a),
        );
        assert!(matches!(code, Some(0 | 1)), "{format}: {err}");
    }
    for format in ["table", "json"] {
        let (out, err, code) = run_clean(
            &format!("seccomp diff ({format})"),
            bulkhead(&cache)
                .args(["seccomp", "diff", "--format", format])
                .arg(&a)
                .arg(&b),
        );
        assert_eq!(code, Some(0), "{format}: {err}");
        assert!(out.contains("mount"), "{format}: {out}");
        if format == "table" {
            assert!(out.contains(&format!("a{SHOWN}.json")), "{out}");
        }
    }
}

/// A running container whose label, environment, hostname-free name parts
/// and bind-mount source carry hostile text: `audit --container`,
/// `caps inspect` and `harden --container` print none of it raw.
#[test]
fn live_container_outputs_show_no_escapes() {
    use support_docker::{BUSYBOX, Guard, LABEL, build_busybox_image, docker, must, ready, unique};
    if !ready(&[BUSYBOX]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let mut guard = Guard::new(format!("{}:1", unique("bulkhead-test-escapes")));
    let name = guard.container("bulkhead-test-escapes");
    build_busybox_image(
        &guard.image,
        &dir.path().join("ctx"),
        &[],
        "ENTRYPOINT [\"/bin/busybox\"]\n",
    );
    let host_dir = dir.path().join(evil("mnt"));
    std::fs::create_dir_all(&host_dir).unwrap();
    let volume = format!("{}:/data", host_dir.display());
    let label = format!("org.example.note={}", evil("label"));
    let env = format!("{}=s3cr3t-{}", evil("API_TOKEN"), evil("value"));
    must(
        docker(&[
            "run",
            "-d",
            "--name",
            &name,
            "--label",
            LABEL,
            "--label",
            &label,
            "-e",
            &env,
            "-v",
            &volume,
            "--cap-add",
            "NET_ADMIN",
            &guard.image,
            "sh",
            "-c",
            // A folder written at start, under a name with escapes: harden
            // warns about it by name.
            "mkdir \"/w$(printf '\\033]0;pwned\\007\\033[31m')x\" && exec sleep 300",
        ]),
        "docker run",
    );
    let checks: Vec<(String, Vec<&str>)> = vec![
        (
            "audit --container".into(),
            vec![
                "audit",
                "--no-processes",
                "--format",
                "table",
                "--container",
                &name,
            ],
        ),
        (
            "caps inspect".into(),
            vec!["caps", "inspect", "--format", "table", &name],
        ),
        (
            "harden --container (compose)".into(),
            vec!["harden", "--format", "compose", "--container", &name],
        ),
        (
            "harden --container (run)".into(),
            vec!["harden", "--format", "run", "--container", &name],
        ),
    ];
    // Wait (bounded) until the container has written its folder.
    for _ in 0..100 {
        if must(docker(&["diff", &name]), "docker diff").contains("/w\u{1b}") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let mut shown = String::new();
    for (what, args) in checks {
        let (out, err, code) = run_clean(&what, bulkhead(&cache).args(&args));
        assert!(matches!(code, Some(0 | 1)), "{what}: {out}\n{err}");
        assert!(!out.is_empty(), "{what} wrote nothing");
        shown.push_str(&out);
    }
    // The hostile text reached the outputs, cleaned (the written folder,
    // in harden's warning).
    assert!(shown.contains("/w?]0;pwned??[31mx"), "{shown}");
    drop(guard);
}

//! Compose loader tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn model_and_interpolation() {
    let src = "services:\n  web:\n    image: nginx:${TAG:-1.27}\n    user: \"${UID}\"\n    read_only: true\n    tmpfs: /tmp:rw,noexec\n    cap_drop: [all]\n    cap_add: [CAP_NET_ADMIN]\n    security_opt: [\"no-new-privileges=true\", \"seccomp:unconfined\"]\n    ports: [\"127.0.0.1:8080:80/tcp\", \"443\"]\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n      - type: bind\n        source: /etc\n        target: /e\n        read_only: true\n    environment:\n      - A=1\n      - B\n    deploy: {resources: {limits: {memory: 512M, cpus: '0.5', pids: 10}}}\n";
    let p = load_str(
        src,
        Path::new("compose.yml"),
        &env(&[("UID", "1000")]),
        &LoadOptions::default(),
    )
    .unwrap();
    let s = &p.services[0];
    assert_eq!(s.image.as_deref(), Some("nginx:1.27"));
    assert_eq!(s.user.as_deref(), Some("1000"));
    assert!(s.read_only);
    assert_eq!(s.tmpfs[0].target, "/tmp");
    assert!(s.tmpfs[0].has("noexec") && !s.tmpfs[0].has("nosuid"));
    assert_eq!(s.cap_drop, vec!["ALL"]);
    assert_eq!(s.cap_add, vec!["NET_ADMIN"]);
    assert!(s.no_new_privileges());
    assert!(s.has_security_opt("seccomp", Some("unconfined")));
    assert_eq!(s.ports[0].host_ip, "127.0.0.1");
    assert_eq!(s.ports[0].published, "8080");
    assert_eq!(s.ports[1].target, "443");
    assert!(s.mounts[0].read_only && s.mounts[0].kind == MountKind::Bind);
    assert_eq!(s.mounts[1].source, "/etc");
    assert_eq!(s.env[1].value, None);
    assert_eq!(s.limits.memory, Some(512 << 20));
    assert_eq!(s.limits.pids, Some(10));
    assert_eq!(s.line_of("user"), 4);
}

#[test]
fn extends_and_profiles() {
    let dir = std::env::temp_dir().join(format!("bh-compose-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("base.yml"),
        "services:\n  b:\n    image: x:1\n    cap_drop: [ALL]\n",
    )
    .unwrap();
    let src = "services:\n  a:\n    extends: {file: base.yml, service: b}\n    user: \"1\"\n  c:\n    extends: a\n    profiles: [dbg]\n    privileged: true\n";
    let path = dir.join("compose.yml");
    let p = load_str(src, &path, &env(&[]), &LoadOptions::default()).unwrap();
    assert_eq!(p.services.len(), 2);
    assert_eq!(p.services[1].image.as_deref(), Some("x:1"));
    assert_eq!(p.services[1].user.as_deref(), Some("1"));
    assert!(p.services[1].privileged);
    let only = load_str(
        src,
        &path,
        &env(&[]),
        &LoadOptions {
            env: None,
            profiles: Some(vec![]),
        },
    )
    .unwrap();
    assert_eq!(service_names(&only).len(), 1);
    let cyc = "services:\n  a:\n    extends: b\n  b:\n    extends: a\n";
    assert!(
        load_str(cyc, &path, &env(&[]), &LoadOptions::default())
            .unwrap_err()
            .message
            .contains("extends")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn clear_errors() {
    let e =
        |s: &str| load_str(s, Path::new("c.yml"), &env(&[]), &LoadOptions::default()).unwrap_err();
    assert!(e("services: [a]").message.contains("mapping"));
    assert!(e("services:\n  a: 3\n").message.contains("service a"));
    assert!(
        e("services:\n  a:\n    privileged: maybe\n")
            .message
            .contains("true or false")
    );
    assert!(
        e("services:\n  a:\n    image: ${X?X is required}\n")
            .message
            .contains("X is required")
    );
    assert!(e("- a\n").message.contains("mapping"));
    assert!(e("a: [").message.contains("invalid YAML"));
}

#[test]
fn extends_refuses_devices_and_folders() {
    for target in ["/dev/zero", "/"] {
        let text =
            format!("services:\n  a:\n    extends:\n      file: {target}\n      service: x\n");
        let env = BTreeMap::new();
        let err = load_str(
            &text,
            Path::new("compose.yml"),
            &env,
            &LoadOptions::default(),
        )
        .unwrap_err();
        assert!(err.message.contains("cannot read extended file"), "{err}");
        assert_eq!(err.line, 4, "{err}");
    }
}

/// The `.env` file next to a Compose file is untrusted input too: a huge
/// one, a FIFO (opening it would block) or a folder is refused with a
/// message that names it, instead of being read whole or skipped silently.
#[test]
fn dotenv_is_capped_and_must_be_a_regular_file() {
    let compose = "services:\n  a:\n    image: \"nginx:${TAG:-1}\"\n";
    let load = |dir: &Path| load_file(&dir.join("compose.yaml"), &LoadOptions::default());

    // A normal .env is read.
    let ok = tempfile::tempdir().unwrap();
    std::fs::write(ok.path().join("compose.yaml"), compose).unwrap();
    std::fs::write(ok.path().join(".env"), "TAG=from-dotenv\n").unwrap();
    if std::env::var_os("TAG").is_none() {
        let p = load(ok.path()).unwrap();
        assert_eq!(p.services[0].image.as_deref(), Some("nginx:from-dotenv"));
    }
    // No .env at all is fine.
    let none = tempfile::tempdir().unwrap();
    std::fs::write(none.path().join("compose.yaml"), compose).unwrap();
    load(none.path()).unwrap();

    // One byte over the cap (a sparse file: no disk used).
    let huge = tempfile::tempdir().unwrap();
    std::fs::write(huge.path().join("compose.yaml"), compose).unwrap();
    let f = std::fs::File::create(huge.path().join(".env")).unwrap();
    f.set_len(MAX_DOTENV_FILE + 1).unwrap();
    let err = load(huge.path()).unwrap_err();
    assert!(err.message.contains(".env"), "{err}");
    assert!(err.message.contains("larger than 4 MiB"), "{err}");
    assert!(err.message.contains("move it away"), "{err}");
    // The lint entry point reports the same instead of reading it.
    let text = std::fs::read_to_string(huge.path().join("compose.yaml")).unwrap();
    let lint_err = crate::lint_compose_checked(
        &text,
        &huge.path().join("compose.yaml"),
        &crate::LintOptions::default(),
    )
    .unwrap_err();
    assert_eq!(lint_err, err);

    // A folder named .env.
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("compose.yaml"), compose).unwrap();
    std::fs::create_dir(folder.path().join(".env")).unwrap();
    let err = load(folder.path()).unwrap_err();
    assert!(err.message.contains("not a regular file"), "{err}");

    // A FIFO: would block forever if opened.
    let fifo = tempfile::tempdir().unwrap();
    std::fs::write(fifo.path().join("compose.yaml"), compose).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(fifo.path().join(".env"))
        .status();
    match made {
        Ok(s) if s.success() => {
            let err = load(fifo.path()).unwrap_err();
            assert!(err.message.contains("not a regular file"), "{err}");
        }
        other => bulkhead_testkit::require::skip_or_fail(&format!(
            "a FIFO for its FIFO case: mkfifo (coreutils) failed with {other:?}"
        )),
    }
}

/// `-f a -f b`: a later file's service merges onto the earlier one (scalars
/// replaced, environment by name, lists joined), new services and
/// top-level sections are added, and the first file names the project.
#[test]
fn files_merge_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("compose.yaml");
    let b = dir.path().join("compose.hardened.yml");
    let c = dir.path().join("compose.secrets.yml");
    std::fs::write(
        &a,
        "services:\n  api:\n    image: app:1\n    environment:\n      DB_PASSWORD: supersecret\n      LOG: info\n    security_opt: [\"seccomp:unconfined\"]\n    ports: [\"8080:8080\"]\n  db:\n    image: postgres:16\n",
    )
    .unwrap();
    std::fs::write(
        &b,
        "services:\n  api:\n    user: \"65532:65532\"\n    read_only: true\n    tmpfs: [\"/tmp:rw,noexec,nosuid,size=64m\"]\n    cap_drop: [ALL]\n    security_opt:\n      - \"no-new-privileges:true\"\n      - \"seccomp:api-seccomp.json\"\n",
    )
    .unwrap();
    std::fs::write(
        &c,
        "services:\n  api:\n    environment:\n      DB_PASSWORD:\n      DB_PASSWORD_FILE: /run/secrets/db_password\n    secrets: [db_password]\n  extra:\n    image: busybox\nsecrets:\n  db_password:\n    file: ./secrets/db_password.txt\n",
    )
    .unwrap();
    let opts = LoadOptions {
        env: Some(BTreeMap::new()),
        profiles: None,
    };
    let p = load_files(&[a.clone(), b, c], &opts).unwrap();
    assert_eq!(p.path, a);
    let names: Vec<&str> = p.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["api", "db", "extra"]);
    let api = &p.services[0];
    assert_eq!(api.image.as_deref(), Some("app:1"));
    assert_eq!(api.user.as_deref(), Some("65532:65532"));
    assert!(api.read_only);
    assert_eq!(api.cap_drop, ["ALL"]);
    assert_eq!(api.tmpfs[0].target, "/tmp");
    let opts_seen: Vec<String> = api
        .security_opt
        .iter()
        .map(|o| format!("{}={}", o.key, o.value))
        .collect();
    assert_eq!(
        opts_seen,
        [
            "seccomp=unconfined",
            "no-new-privileges=true",
            "seccomp=api-seccomp.json"
        ]
    );
    // The last seccomp option is the one Docker applies.
    assert_eq!(api.to_spec().seccomp(), Some("api-seccomp.json"));
    let env: Vec<(&str, Option<&str>)> = api
        .env
        .iter()
        .map(|e| (e.name.as_str(), e.value.as_deref()))
        .collect();
    assert_eq!(
        env,
        [
            ("DB_PASSWORD", None),
            ("LOG", Some("info")),
            ("DB_PASSWORD_FILE", Some("/run/secrets/db_password"))
        ]
    );
    assert_eq!(api.secrets, ["db_password"]);
    assert_eq!(api.ports.len(), 1);
    // One file is the same as load_file.
    let one = load_files(std::slice::from_ref(&a), &opts).unwrap();
    assert_eq!(one, load_file(&a, &opts).unwrap());
    // No file, or a missing one, is an error naming it.
    assert!(load_files(&[], &opts).is_err());
    let err = load_files(&[a, dir.path().join("nope.yml")], &opts).unwrap_err();
    assert!(err.path.ends_with("nope.yml"), "{err}");
}

/// Hostile sizes: two files of 25,000 services each and long lists merge
/// through indexes, not pairwise scans (this test would not finish with
/// quadratic merging).
#[test]
fn large_files_merge_linearly() {
    let mut a = String::from("services:\n");
    let mut b = String::from("services:\n");
    for i in 0..25_000 {
        a.push_str(&format!("  s{i}: {{image: x}}\n"));
        b.push_str(&format!("  s{i}: {{user: \"1\"}}\n"));
    }
    let mut c = String::from("services:\n  s0:\n    cap_add:\n");
    for i in 0..20_000 {
        c.push_str(&format!("      - C{i}\n"));
    }
    let env = BTreeMap::new();
    let opts = LoadOptions::default();
    let p = load_texts(
        &[
            (a.as_str(), Path::new("a.yml")),
            (b.as_str(), Path::new("b.yml")),
            (c.as_str(), Path::new("c.yml")),
            (c.as_str(), Path::new("d.yml")),
        ],
        &env,
        &opts,
    )
    .unwrap();
    assert_eq!(p.services.len(), 25_000);
    assert_eq!(p.services[0].user.as_deref(), Some("1"));
    assert_eq!(p.services[0].image.as_deref(), Some("x"));
    // Past the comparison bound, lists are joined as they are.
    assert_eq!(p.services[0].cap_add.len(), 40_000);
}

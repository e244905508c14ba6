//! Bulkhead's own image, as the repository's `Dockerfile` describes it,
//! scanned by `bulkhead image`: nothing above LOW.
//!
//! The Dockerfile's build stage needs `rust:…` from Docker Hub, which a test
//! cannot count on. The test builds the Dockerfile's **final stage** instead
//! (the text from its last `FROM` on, verbatim except for the sources of
//! `COPY --from=build`, which come from the test: the `bulkhead` binary under
//! test for `/out/bulkhead`, an empty folder for `/out/empty/`, the host's
//! CA bundle), with the local Docker daemon, so a change that makes the real
//! final stage worse (a root user, a world-writable folder, a secret in its
//! environment, a base with packages) fails here. Needs the daemon (a loud
//! skip, a failure under CI=true); what it creates carries
//! `org.bulkhead.test=1` and a unique name, and is removed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support_docker/mod.rs"]
mod support_docker;

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use support_docker::{Guard, LABEL, docker, must, ready, unique};

/// The text of the final stage: from the last `FROM` line to the end.
fn final_stage(dockerfile: &str) -> String {
    let lines: Vec<&str> = dockerfile.lines().collect();
    let start = lines
        .iter()
        .rposition(|l| l.trim_start().to_ascii_uppercase().starts_with("FROM "))
        .expect("the Dockerfile has a FROM");
    lines[start..].join("\n") + "\n"
}

/// Where the test puts what `COPY --from=build SRC` copies, by SRC.
fn build_output(src: &str, ctx: &Path) -> String {
    match src {
        "/out/bulkhead" => {
            std::fs::create_dir_all(ctx.join("build")).unwrap();
            std::fs::copy(env!("CARGO_BIN_EXE_bulkhead"), ctx.join("build/bulkhead")).unwrap();
            "build/bulkhead".into()
        }
        "/out/empty/" => {
            std::fs::create_dir_all(ctx.join("build/empty")).unwrap();
            "build/empty/".into()
        }
        "/etc/ssl/certs/ca-certificates.crt" => {
            std::fs::create_dir_all(ctx.join("build")).unwrap();
            let host = Path::new("/etc/ssl/certs/ca-certificates.crt");
            let dst = ctx.join("build/ca-certificates.crt");
            if host.is_file() {
                std::fs::copy(host, &dst).unwrap();
            } else {
                std::fs::write(&dst, "").unwrap();
            }
            "build/ca-certificates.crt".into()
        }
        other => panic!(
            "the Dockerfile's final stage copies {other} from the build stage; \
             teach own_image.rs::build_output what that is"
        ),
    }
}

/// A build context for the final stage: its Dockerfile (the `--from=build`
/// sources replaced by local files) and every file it copies.
fn final_stage_context(repo: &Path, ctx: &Path) -> String {
    let stage = final_stage(&std::fs::read_to_string(repo.join("Dockerfile")).unwrap());
    let mut out = String::new();
    for line in stage.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.first().map(|w| w.to_ascii_uppercase()) != Some("COPY".into()) {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        assert!(!line.ends_with('\\'), "one COPY per line: {line}");
        let (flags, paths): (Vec<&str>, Vec<&str>) =
            words[1..].iter().partition(|w| w.starts_with("--"));
        let (dst, srcs) = paths.split_last().expect("COPY SRC DST");
        let from = flags.iter().find_map(|f| f.strip_prefix("--from="));
        let kept: Vec<&str> = flags
            .iter()
            .copied()
            .filter(|f| !f.starts_with("--from="))
            .collect();
        let srcs: Vec<String> = match from {
            Some("build") => srcs.iter().map(|s| build_output(s, ctx)).collect(),
            Some(other) => panic!("COPY --from={other} in the final stage: {line}"),
            None => srcs
                .iter()
                .map(|s| {
                    let dst = ctx.join(s);
                    std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
                    std::fs::copy(repo.join(s), &dst).unwrap();
                    s.to_string()
                })
                .collect(),
        };
        out.push_str(&format!(
            "COPY {} {} {dst}\n",
            kept.join(" "),
            srcs.join(" ")
        ));
    }
    out
}

/// `target id severity` of every finding above LOW: vulnerabilities,
/// misconfigurations and secrets.
fn above_low(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for r in v["Results"].as_array().into_iter().flatten() {
        for key in ["Vulnerabilities", "Misconfigurations", "Secrets"] {
            for f in r[key].as_array().into_iter().flatten() {
                let sev = f["Severity"].as_str().unwrap_or("UNKNOWN");
                if !matches!(sev, "LOW" | "UNKNOWN") {
                    let id = ["VulnerabilityID", "ID", "RuleID"]
                        .iter()
                        .find_map(|k| f[*k].as_str())
                        .unwrap_or("?");
                    out.push(format!("{} {id} {sev}", r["Target"]));
                }
            }
        }
    }
    out
}

/// `(path, uid, gid, mode, text of /etc/passwd and /etc/group)` of every
/// entry of every layer of a `docker save` archive.
fn layer_entries(saved: &[u8]) -> Vec<(String, u64, u64, u32, String)> {
    use std::io::Read;
    let mut out = Vec::new();
    let mut outer = tar::Archive::new(saved);
    for layer in outer.entries().unwrap() {
        let mut layer = layer.unwrap();
        if !layer
            .path()
            .unwrap()
            .to_string_lossy()
            .ends_with("layer.tar")
        {
            continue;
        }
        let mut bytes = Vec::new();
        layer.read_to_end(&mut bytes).unwrap();
        let mut inner = tar::Archive::new(bytes.as_slice());
        for e in inner.entries().unwrap() {
            let mut e = e.unwrap();
            let path = e
                .path()
                .unwrap()
                .to_string_lossy()
                .trim_end_matches('/')
                .to_string();
            let h = e.header();
            let (uid, gid, mode) = (h.uid().unwrap(), h.gid().unwrap(), h.mode().unwrap());
            let mut text = String::new();
            if path == "etc/passwd" || path == "etc/group" {
                e.read_to_string(&mut text).unwrap();
            }
            out.push((path, uid, gid, mode, text));
        }
    }
    out
}

#[test]
fn own_image_reports_nothing_above_low() {
    if !ready(&[]) {
        return;
    }
    let repo = bulkhead_testkit::require::repo_root();
    let dir = tempfile::tempdir().unwrap();
    let ctx = dir.path().join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    let dockerfile = final_stage_context(&repo, &ctx);
    assert!(dockerfile.starts_with("FROM scratch"), "{dockerfile}");
    std::fs::write(ctx.join("Dockerfile"), &dockerfile).unwrap();

    let tag = format!("{}:test", unique("bulkhead-own-image"));
    let guard = Guard::new(&tag);
    must(
        std::process::Command::new("docker")
            .args(["build", "-q", "--label", LABEL, "-t", &tag])
            .arg(&ctx)
            .output()
            .unwrap(),
        &format!("docker build of the final stage:\n{dockerfile}"),
    );

    // An advisory database without network: the demo advisories.
    let cache = dir.path().join("cache");
    let bulkhead = || {
        let mut c = Command::cargo_bin("bulkhead").unwrap();
        c.env_remove("BULKHEAD_LOG")
            .env("BULKHEAD_CACHE_DIR", &cache)
            .current_dir(dir.path());
        c
    };
    let out = bulkhead()
        .args(["--quiet", "db", "import"])
        .arg(repo.join("crates/bulkhead-fixtures/demo/advisories"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The image from the daemon, every scanner.
    let out = bulkhead()
        .args([
            "--quiet",
            "image",
            &tag,
            "--image-src",
            "docker",
            "--offline",
            "--scanners",
            "vuln,secret,misconfig",
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(above_low(&v), Vec::<String>::new(), "{v:#}");
    // What it found: no OS, no packages; the one image-config finding is
    // the deliberate HEALTHCHECK NONE.
    let misconfigs: Vec<&str> = v["Results"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["Misconfigurations"].as_array().into_iter().flatten())
        .map(|m| m["ID"].as_str().unwrap())
        .collect();
    assert_eq!(misconfigs, vec!["BH-IM-003"], "{v:#}");
    // Bulkhead's own binary is not taken for a Go binary (it holds Go's
    // build-info marker as a constant).
    let kinds: Vec<&str> = v["Results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["Type"].as_str())
        .collect();
    assert!(!kinds.contains(&"gobinary"), "{kinds:?}");
    assert!(!stderr.contains("no advisories for go"), "{stderr}");
    let config = &v["Metadata"]["ImageConfig"]["config"];
    assert_eq!(config["User"], "65532:65532", "{v:#}");
    assert_eq!(config["Entrypoint"], serde_json::json!(["/bulkhead"]));
    assert_eq!(
        config["Labels"]["org.opencontainers.image.title"],
        "bulkhead"
    );
    assert!(
        config["Env"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e == "BULKHEAD_CACHE_DIR=/cache"),
        "{config}"
    );

    // The filesystem, from the image's own layers (`docker save`; a
    // container would leave the anonymous volume of `VOLUME /cache`
    // behind): the user and group files, and /cache and /tmp owned by
    // 65532 and not world-writable, so the non-root user can write there
    // on a read-only root.
    let saved = docker(&["save", &tag]);
    assert!(
        saved.status.success(),
        "{}",
        String::from_utf8_lossy(&saved.stderr)
    );
    let entries = layer_entries(&saved.stdout);
    let entry = |p: &str| {
        entries.iter().find(|e| e.0 == p).unwrap_or_else(|| {
            panic!(
                "{p} missing: {:?}",
                entries.iter().map(|e| &e.0).collect::<Vec<_>>()
            )
        })
    };
    for d in ["cache", "tmp"] {
        let (_, uid, gid, mode, _) = entry(d);
        assert_eq!((*uid, *gid), (65532, 65532), "/{d}");
        assert_eq!(mode & 0o002, 0, "/{d} is world-writable: {mode:o}");
    }
    assert!(entry("etc/passwd").4.contains("bulkhead:x:65532:65532:"));
    assert!(entry("etc/group").4.contains("bulkhead:x:65532:"));
    assert!(entry("bulkhead").3 & 0o111 != 0, "the binary is executable");
    // Nothing but these: no shell, no package database.
    let mut files: Vec<&str> = entries
        .iter()
        .map(|e| e.0.as_str())
        .filter(|p| !matches!(*p, "etc" | "etc/ssl" | "etc/ssl/certs" | "cache" | "tmp"))
        .collect();
    files.sort_unstable();
    assert_eq!(
        files,
        vec![
            "bulkhead",
            "etc/group",
            "etc/passwd",
            "etc/ssl/certs/ca-certificates.crt"
        ],
        "{files:?}"
    );
    drop(guard);
}

//! Bulkhead's own deployment files pass Bulkhead's own checks:
//! `bulkhead config` on the repository's `Dockerfile` and on every manifest
//! under `deploy/kubernetes/` reports nothing above LOW (secrets included),
//! and each manifest keeps the hardening `docs/deploy.md` promises. The
//! image built from the Dockerfile is held to `bulkhead image` in
//! `own_image.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    bulkhead_testkit::require::repo_root()
}

/// `bulkhead config -f json ARGS`, run at the repository root with no
/// inherited environment and no settings file.
fn config(args: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("bulkhead.toml");
    std::fs::write(&settings, "").unwrap();
    let out = Command::cargo_bin("bulkhead")
        .unwrap()
        .current_dir(repo())
        .env_clear()
        .arg("--config")
        .arg(&settings)
        .args(["config", "-f", "json"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `target id severity: message` of every finding (misconfigurations and
/// secrets) above LOW.
fn above_low(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for r in v["Results"].as_array().unwrap() {
        let found = r["Misconfigurations"]
            .as_array()
            .into_iter()
            .chain(r["Secrets"].as_array())
            .flatten();
        for f in found {
            let sev = f["Severity"].as_str().unwrap_or("UNKNOWN");
            if !matches!(sev, "LOW" | "UNKNOWN") {
                let id = f["ID"].as_str().or(f["RuleID"].as_str()).unwrap_or("?");
                out.push(format!("{} {id} {sev}: {}", r["Target"], f["Message"]));
            }
        }
    }
    out
}

fn targets(v: &Value, kind: &str) -> Vec<String> {
    v["Results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["Type"] == kind)
        .map(|r| r["Target"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn kubernetes_manifests_report_nothing_above_low() {
    let v = config(&["deploy/kubernetes/"]);
    let manifests = targets(&v, "kubernetes");
    for file in [
        "namespace.yaml",
        "secret.yaml",
        "server.yaml",
        "worker.yaml",
        "rematch.yaml",
    ] {
        assert!(
            manifests.iter().any(|t| t.ends_with(file)),
            "{file} not recognised as a manifest: {manifests:?}"
        );
    }
    assert_eq!(above_low(&v), Vec::<String>::new());
    // Each file on its own, as someone checking one file would.
    let dir = repo().join("deploy/kubernetes");
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let rel = p
            .strip_prefix(repo())
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(above_low(&config(&[&rel])), Vec::<String>::new(), "{rel}");
    }
}

/// The settings docs/deploy.md promises, read back from the manifests
/// with the lint's own model (so a manifest that drifts fails here even
/// where no rule would).
#[test]
fn workloads_keep_the_promised_settings() {
    use bulkhead_lint::kubernetes::load_str;
    let dir = repo().join("deploy/kubernetes");
    let read = |name: &str| {
        let p = dir.join(name);
        load_str(&std::fs::read_to_string(&p).unwrap(), &p).unwrap()
    };
    let mut containers = 0;
    for file in ["server.yaml", "worker.yaml", "rematch.yaml"] {
        let m = read(file);
        assert_eq!(m.problems, vec![], "{file}");
        for o in &m.objects {
            assert_eq!(o.namespace.as_deref(), Some("bulkhead"), "{file}");
            let Some(pod) = &o.pod else { continue };
            assert!(pod.volumes.iter().all(|v| v.host_path.is_none()));
            for c in &pod.containers {
                containers += 1;
                let at = format!("{file} {}", c.label());
                let s = &c.security;
                assert_eq!(pod.run_as_user(c).map(|u| u.value), Some(65532), "{at}");
                assert_eq!(s.run_as_user.as_ref().map(|u| u.value), Some(65532), "{at}");
                assert_eq!(
                    s.run_as_non_root.as_ref().map(|a| a.value),
                    Some(true),
                    "{at}"
                );
                assert_eq!(
                    s.read_only_root_filesystem.as_ref().map(|a| a.value),
                    Some(true),
                    "{at}"
                );
                assert_eq!(
                    s.allow_privilege_escalation.as_ref().map(|a| a.value),
                    Some(false),
                    "{at}"
                );
                let drops: Vec<&str> = s.cap_drop.iter().map(|d| d.value.as_str()).collect();
                assert_eq!(drops, vec!["ALL"], "{at}");
                assert!(s.cap_add.is_empty(), "{at}");
                assert_eq!(
                    s.seccomp.as_ref().map(|p| p.value.as_str()),
                    Some("RuntimeDefault"),
                    "{at}"
                );
                assert!(c.limits.memory.is_some() && c.limits.cpu.is_some(), "{at}");
                assert_eq!(
                    c.image.as_deref(),
                    Some("registry.example.org/bulkhead:0.1.0"),
                    "{at}"
                );
            }
        }
    }
    // server + worker (init container and worker) + rematch (the same two).
    assert_eq!(containers, 5);
    let text = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let server = text("server.yaml");
    for needle in [
        "path: /probe/healthy",
        "path: /probe/ready",
        "containerPort: 8080",
        "port: 8080",
        "kind: Service",
        "name: BULKHEAD_DB_URL",
        "name: BULKHEAD_SERVER_TOKEN",
        "mountPath: /cache",
        "mountPath: /tmp",
    ] {
        assert!(server.contains(needle), "server.yaml lacks {needle:?}");
    }
    let worker = text("worker.yaml");
    for needle in [
        "replicas: 2",
        "args: [\"worker\", \"--concurrency\", \"2\"]",
        "args: [\"db\", \"update\"]",
        "name: BULKHEAD_DB_URL",
        "emptyDir",
    ] {
        assert!(worker.contains(needle), "worker.yaml lacks {needle:?}");
    }
    // The Secret holds placeholders only, and says so.
    let secret = text("secret.yaml");
    assert!(secret.contains("REPLACE"), "{secret}");
    assert_eq!(secret.matches("REPLACE-ME").count(), 3, "{secret}");
    // Every manifest is listed in the kustomization but the Secret's
    // template, so that applying the folder never overwrites real values.
    let kustomization = text("kustomization.yaml");
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        let listed = kustomization.contains(&format!("- {name}"));
        match name.as_str() {
            "kustomization.yaml" => {}
            "secret.yaml" => assert!(!listed, "{name}"),
            _ => assert!(listed, "{name}"),
        }
    }
}

#[test]
fn own_dockerfile_reports_nothing_above_low() {
    let v = config(&["Dockerfile"]);
    assert_eq!(targets(&v, "dockerfile"), vec!["Dockerfile"]);
    assert_eq!(above_low(&v), Vec::<String>::new());
    // The final stage: scratch, a numeric non-root user, exec-form entry
    // point; what the image test relies on.
    let text = std::fs::read_to_string(repo().join("Dockerfile")).unwrap();
    let last_from = text.lines().rfind(|l| l.starts_with("FROM ")).unwrap();
    assert!(last_from.starts_with("FROM scratch"), "{last_from}");
    for needle in [
        "USER 65532:65532",
        "ENTRYPOINT [\"/bulkhead\"]",
        "ENV BULKHEAD_CACHE_DIR=/cache",
        "target-feature=+crt-static",
    ] {
        assert!(text.contains(needle), "Dockerfile lacks {needle:?}");
    }
    for f in ["deploy/image/passwd", "deploy/image/group"] {
        let t = std::fs::read_to_string(repo().join(f)).unwrap();
        assert!(t.lines().any(|l| l.starts_with("bulkhead:x:65532:")), "{f}");
    }
    // The context keeps build output and history out.
    let ignore = std::fs::read_to_string(repo().join(".dockerignore")).unwrap();
    for entry in [".git", "target"] {
        assert!(ignore.lines().any(|l| l.trim() == entry), "{entry}");
    }
}

/// The repository itself, as `bulkhead config .` sees it, finds the
/// deployment files among the rest.
#[test]
fn the_repository_folder_finds_the_deployment_files() {
    let v = config(&["deploy", "Dockerfile"]);
    let k8s = targets(&v, "kubernetes");
    assert!(
        k8s.iter()
            .any(|t| Path::new(t).ends_with("deploy/kubernetes/server.yaml")),
        "{k8s:?}"
    );
    assert_eq!(above_low(&v), Vec::<String>::new());
}

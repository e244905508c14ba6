//! `bulkhead config` end to end on the lint corpus
//! (crates/bulkhead-lint/tests/corpus): formats, filters, exit codes,
//! folder detection, inline suppressions and malformed Compose files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bulkhead-lint/tests/corpus")
}

/// The binary, run inside the corpus folder (stable relative targets) with
/// no inherited environment (Compose interpolation reads the environment).
fn bulkhead() -> Command {
    let mut c = Command::cargo_bin("bulkhead").unwrap();
    c.current_dir(corpus()).env_clear();
    c
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = bulkhead().args(args).output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn json(args: &[&str]) -> Value {
    let mut a = vec!["config", "--format", "json"];
    a.extend_from_slice(args);
    let r = run(&a);
    assert_eq!(r.code, 0, "{a:?}: {}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap()
}

/// `(target, id, start line)` of every finding.
fn findings(report: &Value) -> Vec<(String, String, u64)> {
    let mut v = Vec::new();
    for r in report["Results"].as_array().unwrap() {
        for m in r["Misconfigurations"].as_array().into_iter().flatten() {
            v.push((
                r["Target"].as_str().unwrap().to_string(),
                m["ID"].as_str().unwrap().to_string(),
                m["CauseMetadata"]["StartLine"].as_u64().unwrap_or(0),
            ));
        }
    }
    v
}

fn ids(report: &Value) -> Vec<String> {
    findings(report).into_iter().map(|f| f.1).collect()
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    // The tool version changes with every release.
    s.add_filter(r#""version": "[^"]+""#, r#""version": "[VERSION]""#);
    s.add_filter(r"bulkhead \d+\.\d+\.\d+\S*", "bulkhead [VERSION]");
    s
}

#[test]
fn table_output() {
    let r = run(&[
        "config",
        "--format",
        "table",
        "--no-color",
        "dockerfile/bad-root.Dockerfile",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    settings().bind(|| insta::assert_snapshot!("config_table_bad_root", r.stdout));
}

#[test]
fn json_output_compose() {
    let r = run(&["config", "--format", "json", "compose/compose.bad.yml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["ArtifactType"], "config");
    assert_eq!(v["Results"][0]["Type"], "compose");
    assert_eq!(v["Results"][0]["Class"], "config");
    settings().bind(|| insta::assert_json_snapshot!("config_json_compose_bad", v));
}

#[test]
fn sarif_output_has_file_regions() {
    let r = run(&[
        "config",
        "--format",
        "sarif",
        "dockerfile/bad-secrets.Dockerfile",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for res in results {
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(
            loc["artifactLocation"]["uri"],
            "dockerfile/bad-secrets.Dockerfile"
        );
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1, "{res}");
        assert!(res["ruleId"].as_str().unwrap().starts_with("BH-DF-"));
    }
    // CRITICAL → error; LOW → note.
    let level = |id: &str| {
        results
            .iter()
            .find(|r| r["ruleId"] == id)
            .map(|r| r["level"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(level("BH-DF-005"), "error");
    assert_eq!(level("BH-DF-002"), "note");
    settings().bind(|| insta::assert_json_snapshot!("config_sarif_bad_secrets", v));
}

#[test]
fn exit_code_only_when_findings_remain() {
    let bad = run(&[
        "config",
        "-f",
        "json",
        "--exit-code",
        "5",
        "dockerfile/bad-root.Dockerfile",
    ]);
    assert_eq!(bad.code, 5, "{}", bad.stderr);
    let good = run(&[
        "config",
        "-f",
        "json",
        "--exit-code",
        "5",
        "dockerfile/good.Dockerfile",
    ]);
    assert_eq!(good.code, 0, "{}", good.stderr);
    // Without --exit-code findings do not fail the run.
    let plain = run(&["config", "-f", "json", "dockerfile/bad-root.Dockerfile"]);
    assert_eq!(plain.code, 0);
    // --fail-on HIGH fails on a HIGH finding even when only CRITICAL is shown.
    let fail_on = run(&[
        "config",
        "-f",
        "json",
        "--severity",
        "CRITICAL",
        "--fail-on",
        "HIGH",
        "dockerfile/bad-stages.Dockerfile",
    ]);
    assert_eq!(fail_on.code, 1, "{}", fail_on.stderr);
}

#[test]
fn severity_filter() {
    let all = json(&["dockerfile/bad-secrets.Dockerfile"]);
    let crit = json(&[
        "--severity",
        "CRITICAL",
        "dockerfile/bad-secrets.Dockerfile",
    ]);
    assert_eq!(ids(&crit), vec!["BH-DF-005"]);
    assert!(ids(&all).len() > 1);
    let hi = json(&[
        "--severity",
        "HIGH,CRITICAL",
        "dockerfile/bad-secrets.Dockerfile",
    ]);
    for m in hi["Results"][0]["Misconfigurations"].as_array().unwrap() {
        assert!(matches!(m["Severity"].as_str(), Some("HIGH" | "CRITICAL")));
    }
    // Only LOW findings in the file and only CRITICAL shown: --exit-code stays 0.
    let r = run(&[
        "config",
        "-f",
        "json",
        "--severity",
        "CRITICAL",
        "--exit-code",
        "1",
        "dockerfile/suppressed.Dockerfile",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bad = run(&[
        "config",
        "--severity",
        "SEVERE",
        "dockerfile/good.Dockerfile",
    ]);
    assert_eq!(bad.code, 2, "an unknown severity is a usage error");
}

#[test]
fn list_rules() {
    let r = run(&["config", "--list-rules"]);
    assert_eq!(r.code, 0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines.len() >= 70, "{} rules", lines.len());
    for id in [
        "BH-DF-001",
        "BH-DF-034",
        "BH-DF-042",
        "BH-DF-046",
        "BH-CO-027",
        "BH-CO-029",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(id)),
            "{id} missing from --list-rules"
        );
    }
    assert!(r.stdout.contains("DL3008"));
    insta::assert_snapshot!("config_list_rules", r.stdout);
}

#[test]
fn folder_auto_detection() {
    let v = json(&["ctx-bad"]);
    let targets: Vec<&str> = v["Results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, vec!["ctx-bad/.dockerignore", "ctx-bad/Dockerfile"]);
    // The context scan flags .env, server.pem and secrets/ sent by `COPY . .`.
    let f = findings(&v);
    assert!(
        f.iter()
            .any(|(t, id, _)| t == "ctx-bad/Dockerfile" && id == "BH-DF-007")
    );
    // --no-context turns the build-context scan off.
    let v = json(&["--no-context", "ctx-bad"]);
    assert!(!ids(&v).contains(&"BH-DF-007".to_string()));
    // The whole corpus: every Dockerfile and Compose file, never the .expected files;
    // the malformed Compose files become BH-CO-026 findings, not errors.
    let v = json(&["."]);
    let results = v["Results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .all(|r| !r["Target"].as_str().unwrap().ends_with(".expected"))
    );
    let dockerfiles = results.iter().filter(|r| r["Type"] == "dockerfile").count();
    let composes = results.iter().filter(|r| r["Type"] == "compose").count();
    assert_eq!((dockerfiles, composes), (10, 8), "{results:#?}");
    let invalid: Vec<_> = findings(&v)
        .into_iter()
        .filter(|f| f.1 == "BH-CO-026")
        .map(|f| f.0)
        .collect();
    assert_eq!(
        invalid,
        vec![
            "./compose/compose.alias-bomb.yml",
            "./compose/compose.deep.yml",
            "./compose/compose.required-var.yml",
            "./compose/compose.wrong-types.yml",
        ]
    );
}

#[test]
fn folder_without_known_files_is_an_input_error() {
    let r = run(&["config", "ctx-bad/src"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no Dockerfile, Compose file"),
        "{}",
        r.stderr
    );
    let r = run(&["config", "no/such/Dockerfile"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
    let r = run(&["config", "ctx-bad/src/app.py"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a Dockerfile"), "{}", r.stderr);
}

#[test]
fn inline_suppressions() {
    let r = run(&["config", "-f", "json", "dockerfile/suppressed.Dockerfile"]);
    assert_eq!(r.code, 0);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    // `# bulkhead:ignore-file BH-DF-010` and `# bulkhead:ignore BH-DF-017`
    // hide those; the unpinned-package finding on the same line stays.
    assert_eq!(
        findings(&v),
        vec![(
            "dockerfile/suppressed.Dockerfile".to_string(),
            "BH-DF-045".to_string(),
            4
        )]
    );
    let warnings = v["Warnings"].to_string() + &r.stderr;
    assert!(warnings.contains("suppressed"), "{warnings}");
}

#[test]
fn malformed_compose_named_on_the_command_line_is_an_input_error() {
    for (file, reason) in [
        ("compose/compose.alias-bomb.yml", "alias bomb"),
        ("compose/compose.deep.yml", "nested deeper than"),
        ("compose/compose.wrong-types.yml", "`cap_add` must be"),
        ("compose/compose.required-var.yml", "NGINX_TAG"),
    ] {
        let r = run(&["config", "-f", "json", file]);
        assert_eq!(r.code, 2, "{file}: {}", r.stderr);
        assert!(r.stdout.is_empty(), "{file}: no report on an input error");
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{file}: one line: {}", r.stderr);
        assert!(
            lines[0].starts_with(&format!("error: {file}:")),
            "{}",
            lines[0]
        );
        assert!(lines[0].contains(reason), "{file}: {}", lines[0]);
    }
}

#[test]
fn oversized_dotenv_next_to_compose_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  a:\n    image: \"nginx:${TAG:-1}\"\n",
    )
    .unwrap();
    // 4 MiB + 1 byte, sparse: the cap is checked before anything is read.
    let f = std::fs::File::create(dir.path().join(".env")).unwrap();
    f.set_len((4 << 20) + 1).unwrap();
    let out = bulkhead()
        .current_dir(dir.path())
        .args(["config", "-f", "json", "compose.yaml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(".env") && stderr.contains("larger than 4 MiB"),
        "{stderr}"
    );
}

#[test]
fn malformed_compose_in_a_folder_is_a_finding() {
    let r = run(&["config", "-f", "json", "--exit-code", "1", "compose"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let bomb: Vec<_> = findings(&v)
        .into_iter()
        .filter(|f| f.0 == "compose/compose.alias-bomb.yml")
        .collect();
    assert_eq!(
        bomb,
        vec![(
            "compose/compose.alias-bomb.yml".to_string(),
            "BH-CO-026".to_string(),
            6
        )]
    );
}

#[test]
fn compose_interpolation_from_env_and_profiles() {
    // With TAG set, the image is pinned by tag (no BH-CO-022 "latest").
    let out = bulkhead()
        .args(["config", "-f", "json", "compose/compose.interp.yml"])
        .env("TAG", "1.4.2")
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!ids(&v).contains(&"BH-CO-022".to_string()), "{v}");
    // --profile: the `debug` service (pid: host) is skipped unless asked for.
    let v = json(&["--profile", "default", "compose/compose.interp.yml"]);
    assert!(!ids(&v).contains(&"BH-CO-011".to_string()));
    let v = json(&["--profile", "debug", "compose/compose.interp.yml"]);
    assert!(ids(&v).contains(&"BH-CO-011".to_string()));
}

#[test]
fn output_file_and_bad_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let r = run(&[
        "config",
        "-f",
        "json",
        "-o",
        out.to_str().unwrap(),
        "dockerfile/good.Dockerfile",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(findings(&v), vec![]);
    let r = run(&["config", "-f", "cyclonedx", "dockerfile/good.Dockerfile"]);
    assert_eq!(r.code, 2, "cyclonedx is not a config format");
}

/// `bulkhead image --scanners misconfig`: the image-config checks.
#[test]
fn image_misconfig_scanner() {
    use bulkhead_fixtures::{ImageBuilder, Layout};
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("img.tar");
    let mut b = ImageBuilder::new()
        .config("User", serde_json::json!("app"))
        .config(
            "Env",
            serde_json::json!(["PATH=/bin", "API_TOKEN=abc123def"]),
        );
    b.layer("/bin/sh -c #(nop) ADD file:0123 in / ")
        .file(
            "etc/passwd",
            b"root:x:0:0::/root:/bin/sh\napp:x:0:0::/app:/bin/sh\n",
        )
        .unwrap()
        .file_mode("bin/su", b"x", 0o4755)
        .unwrap();
    b.write(Layout::DockerOci, &img).unwrap();
    // `config` is accepted as another name of the scanner.
    let run = |scanner: &str| {
        Command::cargo_bin("bulkhead")
            .unwrap()
            .env(
                "BULKHEAD_CACHE_DIR",
                std::env::temp_dir().join(format!("bulkhead-test-cache-{}", std::process::id())),
            )
            .args([
                "image",
                "--quiet",
                "--scanners",
                scanner,
                "-f",
                "json",
                "--input",
            ])
            .arg(&img)
            .output()
            .unwrap()
    };
    let alias = run("config");
    let out = run("misconfig");
    assert_eq!(alias.stdout, out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = v["Results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["Type"] == "image-config")
        .expect("an image-config result");
    assert_eq!(r["Target"], "image config");
    assert_eq!(r["Class"], "config");
    let got: Vec<(&str, &str)> = r["Misconfigurations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["ID"].as_str().unwrap(), m["Message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "BH-IM-001",
                "User \"app\" has UID 0 in the image's /etc/passwd"
            ),
            ("BH-IM-003", "the image config has no Healthcheck"),
            ("BH-IM-004", "Env API_TOKEN holds a secret (by its name)"),
            ("BH-IM-006", "/bin/su is setuid (mode 4755, layer 0)"),
        ]
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("abc123def"));
}

#[test]
fn rpm_package_manager_rules() {
    let v = json(&["dockerfile/rpm.Dockerfile"]);
    let got: Vec<(String, u64)> = findings(&v).into_iter().map(|f| (f.1, f.2)).collect();
    let want = [
        ("BH-DF-050", 2),
        ("BH-DF-047", 3),
        ("BH-DF-048", 4),
        ("BH-DF-050", 11),
        ("BH-DF-049", 12),
        ("BH-DF-022", 13),
        ("BH-DF-023", 14),
    ];
    for (id, line) in want {
        assert!(
            got.contains(&(id.to_string(), line)),
            "{id}:{line} in {got:?}"
        );
    }
    assert_eq!(got.len(), want.len(), "{got:?}");
    // The hadolint ids each rule corresponds to are in the report.
    let text = v.to_string();
    for id in ["DL3033", "DL3041", "DL3037", "DL3030", "DL3038", "DL3034"] {
        assert!(text.contains(id), "{id} missing from the report mappings");
    }
}

/// Kubernetes manifests (lint corpus `kubernetes/`): recognised by content,
/// each hardening setting reported with its rule on its line, in JSON,
/// SARIF and the table; severity filters, exit codes, inline and
/// ignore-file suppressions; a named manifest that cannot be loaded is an
/// input error, one found in a folder a BH-K8-012 finding.
#[test]
fn kubernetes_manifests() {
    let v = json(&["kubernetes/bad-workloads.yaml"]);
    assert_eq!(v["Results"][0]["Type"], "kubernetes");
    let got: Vec<(String, u64)> = findings(&v).into_iter().map(|f| (f.1, f.2)).collect();
    // The web container: each setting on the line that sets it wrong, the
    // missing ones on the container's line.
    let want = [
        ("BH-K8-004", 15), // readOnlyRootFilesystem: false
        ("BH-K8-003", 16), // runAsUser: 0 (runAsNonRoot unset)
        ("BH-K8-002", 17), // allowPrivilegeEscalation: true
        ("BH-K8-007", 19), // seccompProfile Unconfined
        ("BH-K8-005", 12), // no capabilities.drop: [ALL]
        ("BH-K8-010", 12), // no memory limit
        ("BH-K8-011", 12), // no CPU limit
        ("BH-K8-008", 10), // hostPID
        ("BH-K8-001", 23), // the sidecar is privileged
        ("BH-K8-006", 25), // and adds SYS_ADMIN
        ("BH-K8-009", 27), // hostPath docker.sock
        ("BH-K8-008", 42), // the CronJob's hostNetwork
        ("BH-K8-003", 44), // its init container: runAsNonRoot unset
    ];
    for (id, line) in want {
        assert!(
            got.contains(&(id.to_string(), line)),
            "{id}:{line} in {got:?}"
        );
    }
    assert_eq!(got.len(), 32, "{got:?}");
    let report = v.to_string();
    assert!(report.contains("KSV014"), "Trivy ids in the mappings");

    // SARIF: rule ids, regions, levels by severity.
    let r = run(&[
        "config",
        "--format",
        "sarif",
        "kubernetes/bad-workloads.yaml",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s: Value = serde_json::from_str(&r.stdout).unwrap();
    let results = s["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 32);
    for res in results {
        assert!(res["ruleId"].as_str().unwrap().starts_with("BH-K8-"));
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(
            loc["artifactLocation"]["uri"],
            "kubernetes/bad-workloads.yaml"
        );
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    let level = |id: &str| {
        results
            .iter()
            .find(|r| r["ruleId"] == id)
            .map(|r| r["level"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(level("BH-K8-001"), "error");
    assert_eq!(level("BH-K8-010"), "note");

    // The table names the rule, the workload and the container.
    let r = run(&[
        "config",
        "--format",
        "table",
        "--no-color",
        "kubernetes/bad-workloads.yaml",
    ]);
    assert!(
        r.stdout.contains("BH-K8-004") && r.stdout.contains("Deployment web, container web"),
        "{}",
        r.stdout
    );

    // Filters and exit codes.
    let r = run(&[
        "config",
        "-f",
        "json",
        "--severity",
        "CRITICAL",
        "--exit-code",
        "3",
        "kubernetes/bad-workloads.yaml",
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(ids(&v), vec!["BH-K8-001"]);
    let dir = tempfile::tempdir().unwrap();
    let ignore = dir.path().join("ignore");
    std::fs::write(&ignore, "BH-K8-001\n").unwrap();
    let r = run(&[
        "config",
        "-f",
        "json",
        "--severity",
        "CRITICAL",
        "--exit-code",
        "3",
        "--ignorefile",
        ignore.to_str().unwrap(),
        "kubernetes/bad-workloads.yaml",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Inline suppressions: a file-wide one and one above the volume.
    let r = run(&["config", "-f", "json", "kubernetes/suppressed.yaml"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(findings(&v), vec![]);
    let warnings = v["Warnings"].to_string() + &r.stderr;
    assert!(
        warnings.contains("2 finding(s) suppressed by inline bulkhead:ignore comments"),
        "{warnings}"
    );

    // A hardened manifest has no findings.
    assert_eq!(findings(&json(&["kubernetes/good-workloads.yaml"])), vec![]);

    // Named: an alias bomb is an input error, one line.
    let r = run(&["config", "kubernetes/alias-bomb.yaml"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("alias bomb") && r.stderr.contains("kubectl"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    // In a folder: a finding, and the other manifests are checked.
    let r = run(&["config", "-f", "json", "kubernetes"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let f = findings(&v);
    assert!(
        f.contains(&(
            "kubernetes/alias-bomb.yaml".to_string(),
            "BH-K8-012".to_string(),
            10
        )),
        "{f:?}"
    );
    assert!(f.iter().any(|x| x.0 == "kubernetes/bad-workloads.yaml"));
    let warnings = v["Warnings"].to_string() + &r.stderr;
    assert!(warnings.contains("(reported as BH-K8-012)"), "{warnings}");
}

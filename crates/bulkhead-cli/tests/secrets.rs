//! `bulkhead image --scanners secret` and `bulkhead fs --scanners secret`
//! on images built by the test image builder: secrets in files deleted,
//! overwritten or hidden by an opaque whiteout in a later layer (they still
//! ship), in the config `Env` and in the history; and redaction in every
//! output format.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use bulkhead_fixtures::{ImageBuilder, Layout};
use bulkhead_secrets::validate::token_checksum;
use serde_json::{Value, json};
use std::path::Path;

fn bulkhead() -> Command {
    let mut c = Command::cargo_bin("bulkhead").unwrap();
    c.env(
        "BULKHEAD_CACHE_DIR",
        std::env::temp_dir().join(format!("bulkhead-test-cache-{}", std::process::id())),
    );
    c
}

/// A format-valid fake GitHub token (valid checksum) made from `seed`.
fn ghp(seed: char) -> String {
    let random: String = format!("{seed}x9Kq2LmN8pR4tV6wY1zA3bC5dE7fG0")
        .chars()
        .take(30)
        .collect();
    format!("ghp_{random}{}", token_checksum(&random))
}

fn npm(seed: char) -> String {
    let random: String = format!("{seed}Q7wE2rT9yU4iO6pA1sD3fG5hJ8kL0")
        .chars()
        .take(30)
        .collect();
    format!("npm_{random}{}", token_checksum(&random))
}

const STRIPE: &str = "sk_live_51HqLyjWDarjtT1zdp7dcXyZ9aB";

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    secrets: Vec<String>,
}

/// Layers: 0 adds files with secrets; 1 deletes one, overwrites one, makes
/// a folder opaque; 2 adds a file that stays. Env and history hold secrets.
fn image() -> Fixture {
    let (deleted, overwritten, opaque, kept, env, hist) = (
        ghp('a'),
        ghp('b'),
        npm('c'),
        ghp('d'),
        ghp('e'),
        STRIPE.to_string(),
    );
    let mut b = ImageBuilder::new().config(
        "Env",
        json!(["PATH=/usr/bin:/bin", format!("GITHUB_TOKEN={env}")]),
    );
    b.layer("COPY . /app")
        .file("app/.env", format!("APP=1\nTOKEN={deleted}\n").as_bytes())
        .unwrap()
        .file(
            "etc/app.conf",
            format!("# conf\nkey = {overwritten}\n").as_bytes(),
        )
        .unwrap()
        .file(
            "opt/cfg/.npmrc",
            format!("//registry.npmjs.org/:_authToken={opaque}\n").as_bytes(),
        )
        .unwrap()
        .file("bin/tool", b"\x7fELF\x00\x00binary ghp_notscanned")
        .unwrap();
    b.layer("RUN rm /app/.env && echo clean > /etc/app.conf")
        .whiteout("app/.env")
        .unwrap()
        .file("etc/app.conf", b"# conf\nkey = from-vault\n")
        .unwrap()
        .opaque("opt/cfg")
        .unwrap()
        .file("opt/cfg/README", b"empty\n")
        .unwrap();
    b.layer(&format!(
        "RUN curl -u {hist}: https://api.stripe.com/v1/charges"
    ))
    .file(
        "srv/settings.txt",
        format!("\n\ngithub = {kept}\n").as_bytes(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image.tar");
    b.write(Layout::DockerOci, &path).unwrap();
    Fixture {
        _dir: dir,
        path,
        secrets: vec![deleted, overwritten, opaque, kept, env, hist],
    }
}

fn scan(input: &Path, format: &str, extra: &[&str]) -> (i32, String) {
    let out = bulkhead()
        .args([
            "image",
            "--quiet",
            "--scanners",
            "secret",
            "--format",
            format,
            "--input",
        ])
        .arg(input)
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code == 0 || code == 1,
        "bulkhead image failed ({code}): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, String::from_utf8(out.stdout).unwrap())
}

fn secrets_of<'a>(report: &'a Value, target: &str) -> Vec<&'a Value> {
    report["Results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["Target"] == target && r["Class"] == "secret")
        .flat_map(|r| r["Secrets"].as_array().unwrap().iter())
        .collect()
}

fn one<'a>(report: &'a Value, target: &str) -> &'a Value {
    let s = secrets_of(report, target);
    assert_eq!(s.len(), 1, "{target}: {s:?}\nreport: {report:#}");
    s[0]
}

#[test]
fn layers_env_and_history() {
    let f = image();
    let (_, out) = scan(&f.path, "json", &[]);
    let report: Value = serde_json::from_str(&out).unwrap();

    // Trivy gives secret results no `Type` (its JSON omits the empty field);
    // tools that read our JSON as Trivy's expect the same.
    let secret_results: Vec<&Value> = report["Results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["Class"] == "secret")
        .collect();
    assert!(!secret_results.is_empty());
    for r in secret_results {
        assert!(r.get("Type").is_none(), "{r:#}");
    }

    // Deleted by a whiteout in layer 1: still shipped in layer 0.
    let s = one(&report, "app/.env");
    assert_eq!(s["RuleID"], "github-token");
    assert_eq!(s["StartLine"], 2);
    assert_eq!(s["Layer"]["Index"], 0);
    assert_eq!(s["RemovedIn"]["Index"], 1);
    assert_eq!(s["Match"], "TOKEN=ghp_*****");

    // Overwritten in layer 1.
    let s = one(&report, "etc/app.conf");
    assert_eq!(s["Layer"]["Index"], 0);
    assert_eq!(s["RemovedIn"]["Index"], 1);

    // Hidden by an opaque whiteout of its folder in layer 1.
    let s = one(&report, "opt/cfg/.npmrc");
    assert_eq!(s["RuleID"], "npm-access-token");
    assert_eq!(s["Layer"]["Index"], 0);
    assert_eq!(s["RemovedIn"]["Index"], 1);

    // Still in the final filesystem: no RemovedIn.
    let s = one(&report, "srv/settings.txt");
    assert_eq!(s["StartLine"], 3);
    assert_eq!(s["Layer"]["Index"], 2);
    assert!(s.get("RemovedIn").is_none());

    // Binary files are skipped.
    assert!(secrets_of(&report, "bin/tool").is_empty());

    // Config Env: line = the entry's position.
    let s = one(&report, "image config (env)");
    assert_eq!(s["RuleID"], "github-token");
    assert_eq!(s["StartLine"], 2);
    assert!(s.get("Layer").is_none());

    // History: line = the history entry (entry 1 is an empty-layer ENV),
    // layer = the layer it made; its created_by is shown redacted.
    let s = one(&report, "image history");
    assert_eq!(s["RuleID"], "stripe-secret-key");
    assert_eq!(s["StartLine"], 4);
    assert_eq!(s["Layer"]["Index"], 2);
    assert!(
        s["Layer"]["CreatedBy"]
            .as_str()
            .unwrap()
            .contains("sk_l*****")
    );
}

/// With both scanners, the credential in the config `Env` is reported once,
/// as BH-IM-004; secrets elsewhere stay secret findings.
#[test]
fn image_env_secret_is_reported_once_with_misconfig() {
    let f = image();
    let (_, out) = scan(&f.path, "json", &["--scanners", "secret,misconfig"]);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert!(
        secrets_of(&report, "image config (env)").is_empty(),
        "{report:#}"
    );
    let im004: Vec<&str> = report["Results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["Target"] == "image config" && r["Class"] == "config")
        .flat_map(|r| r["Misconfigurations"].as_array().unwrap().iter())
        .filter(|m| m["ID"] == "BH-IM-004")
        .map(|m| m["CauseMetadata"]["Evidence"].as_str().unwrap())
        .collect();
    assert_eq!(im004, vec!["GITHUB_TOKEN=<redacted>"], "{report:#}");
    assert_eq!(one(&report, "srv/settings.txt")["RuleID"], "github-token");
    assert_eq!(one(&report, "image history")["RuleID"], "stripe-secret-key");
    for s in &f.secrets {
        assert!(!out.contains(s.as_str()));
    }
}

#[test]
fn no_output_format_shows_a_whole_secret() {
    let f = image();
    for format in ["table", "json", "sarif"] {
        let (_, out) = scan(&f.path, format, &[]);
        assert!(
            out.contains("*****"),
            "{format}: no redacted match in:\n{out}"
        );
        for secret in &f.secrets {
            assert!(
                !out.contains(secret.as_str()),
                "{format} output shows a whole secret ({}…)",
                &secret[..4]
            );
        }
    }
}

#[test]
fn exit_code_when_secrets_are_found() {
    let f = image();
    let (code, _) = scan(&f.path, "json", &["--exit-code", "1"]);
    assert_eq!(code, 1);
}

#[test]
fn allowlists_from_the_settings_file() {
    let f = image();
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("bulkhead.toml");
    std::fs::write(
        &settings,
        "[secrets]\nallow_paths = ['^app/']\ndisable_rules = ['stripe-secret-key']\n",
    )
    .unwrap();
    let (_, out) = scan(&f.path, "json", &["--config", settings.to_str().unwrap()]);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert!(secrets_of(&report, "app/.env").is_empty());
    assert!(secrets_of(&report, "image history").is_empty());
    assert_eq!(secrets_of(&report, "etc/app.conf").len(), 1);
}

#[test]
fn fs_scans_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let token = ghp('f');
    std::fs::write(dir.path().join(".env"), format!("X=1\nGH={token}\n")).unwrap();
    let out = bulkhead()
        .args(["fs", "--quiet", "--scanners", "secret", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains(&token));
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let s = one(&report, ".env");
    assert_eq!(s["StartLine"], 2);
    assert_eq!(s["RuleID"], "github-token");
}

#[test]
fn config_reports_secrets_in_dockerfiles_compose_and_dotenv() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (ghp('g'), npm('h'));
    std::fs::write(
        dir.path().join("Dockerfile"),
        // Line 2: one token, BH-DF-005 and the secret rule both see it.
        // Line 3: two tokens; BH-DF-005 names the first, the second stays a
        // secret finding.
        format!(
            "FROM scratch\nENV GH_TOKEN={a}\nENV ONE={c} TWO={d}\n",
            c = ghp('k'),
            d = npm('m')
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        // Lines 5 and 6: BH-CO-020 reports both entries (by name, by value),
        // the secret rule sees them too. Line 7 is no environment entry: a
        // secret finding only.
        format!(
            "services:\n  db:\n    image: postgres\n    environment:\n      POSTGRES_PASSWORD: Vq7#rT2mW9pL4xZk\n      GH: {e}\n    command: [\"run\", \"{f}\"]\n",
            e = ghp('n'),
            f = ghp('p')
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join(".env"), format!("NPM_TOKEN={b}\n")).unwrap();
    let out = bulkhead()
        .current_dir(dir.path())
        .args(["config", "--quiet", "--format", "json", "."])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains(&a) && !stdout.contains(&b) && !stdout.contains("Vq7#rT2mW9pL4xZk"));
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let mut got: Vec<(String, String, u64)> = report["Results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["Class"] == "secret")
        .flat_map(|r| {
            r["Secrets"].as_array().unwrap().iter().map(|s| {
                (
                    r["Target"].as_str().unwrap().to_string(),
                    s["RuleID"].as_str().unwrap().to_string(),
                    s["StartLine"].as_u64().unwrap(),
                )
            })
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("./.env".to_string(), "npm-access-token".to_string(), 1),
            (
                "./Dockerfile".to_string(),
                "npm-access-token".to_string(),
                3
            ),
            ("./compose.yaml".to_string(), "github-token".to_string(), 7),
        ],
        "{report:#}"
    );
    // The credential values are reported once each, as BH-DF-005 and
    // BH-CO-020.
    let lines = |target: &str, id: &str| -> Vec<u64> {
        report["Results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["Target"] == target && r["Class"] == "config")
            .flat_map(|r| r["Misconfigurations"].as_array().unwrap().iter())
            .filter(|m| m["ID"] == id)
            .map(|m| m["CauseMetadata"]["StartLine"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(lines("./Dockerfile", "BH-DF-005"), vec![2, 3], "{report:#}");
    assert_eq!(
        lines("./compose.yaml", "BH-CO-020"),
        vec![5, 6],
        "{report:#}"
    );
}

/// Layer findings are cached (redacted): a second run reads them from the
/// cache with the same results, and no cache file holds a raw secret.
#[test]
fn layer_cache_keeps_findings_but_never_raw_secrets() {
    let f = image();
    let cache = tempfile::tempdir().unwrap();
    let run = || {
        let out = bulkhead()
            .env("BULKHEAD_CACHE_DIR", cache.path())
            .args([
                "image",
                "--quiet",
                "--scanners",
                "secret",
                "--format",
                "json",
                "--input",
            ])
            .arg(&f.path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut r: Value = serde_json::from_slice(&out.stdout).unwrap();
        r["Results"].take()
    };
    let first = run();
    let second = run();
    assert_eq!(first, second);
    fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                files(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut all = Vec::new();
    files(cache.path(), &mut all);
    assert!(!all.is_empty(), "nothing was cached");
    for p in all {
        let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
        for secret in &f.secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{} holds a raw secret",
                p.display()
            );
        }
    }
}

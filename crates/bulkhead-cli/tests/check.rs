//! `bulkhead check` end to end, on workloads built here:
//!
//! - (a) the container security stack's "bad" service: root, writable root,
//!   NET_RAW kept (Docker's default set, as root), a secret in the
//!   environment, `seccomp=unconfined`, an unsigned image with
//!   known-vulnerable packages (Debian 10: sudo, libssl1.1, zlib1g below
//!   their DSA fixes, rated with the shared EPSS/NVD/CVE data);
//! - (b) the same image run with the stack's hardened settings and signed
//!   (`bulkhead sign`, verified by a `[policy]`), in Debian's
//!   `docker-registry` on 127.0.0.1;
//! - (c) with the Docker daemon: the fix plan of a "bad" Compose service
//!   applied as the overrides it prints, the service started with
//!   `docker-compose` and fetched over HTTP, then checked again from the
//!   merged files and as a running container;
//! - (d) the exit codes of `--fail-on-layer`, `--fail-on` and `--exit-code`.
//!
//! Skips loudly without `../shared`, the registry or the daemon; fails under
//! CI=true.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../bulkhead-image/tests/support/mod.rs"]
mod support;
#[path = "support_docker/mod.rs"]
mod support_docker;
#[path = "support_mirror/mod.rs"]
mod support_mirror;

use assert_cmd::Command;
use bulkhead_fixtures::{ImageBuilder, Layout};
use bulkhead_image::registry::Registry;
use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use support::LocalRegistry;

const PASS: &str = "check-7f3b9e-horse-battery";

fn bulkhead(cache: &Path, dir: &Path) -> Command {
    let mut c = Command::cargo_bin("bulkhead").unwrap();
    c.current_dir(dir)
        .env("BULKHEAD_CACHE_DIR", cache)
        .env_remove("BULKHEAD_PASSWORD")
        .env_remove("BULKHEAD_LOG")
        .env_remove("BULKHEAD_TEST_PAUSE_AT")
        .env_remove("DB_PASSWORD")
        .env("NO_COLOR", "1");
    c
}

/// Run; (exit code, stdout, stderr).
fn run(mut c: Command, args: &[&str]) -> (i32, String, String) {
    let out = c.args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Debian 10 with sudo 1.8.27-1+deb10u2 (CVE-2021-3156, fixed in +deb10u3,
/// known exploited), libssl1.1 1.1.1d-0+deb10u7 (CVE-2022-0778) and zlib1g
/// 1:1.2.11.dfsg-1 (CVE-2018-25032), as an OCI layout. No USER.
fn debian10_layout(dir: &Path) -> PathBuf {
    debian10_with(
        dir,
        "debian10",
        ["1.1.1d-0+deb10u7", "1:1.2.11.dfsg-1", "1.8.27-1+deb10u2"],
    )
}

/// A Debian 10 OCI layout `dir/name` with libssl1.1, zlib1g and sudo at
/// `versions` (in that order).
fn debian10_with(dir: &Path, name: &str, versions: [&str; 3]) -> PathBuf {
    let os_release = "PRETTY_NAME=\"Debian GNU/Linux 10 (buster)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"10\"\nVERSION_CODENAME=buster\nID=debian\n";
    let pkg = |name: &str, src: &str, version: &str| {
        let src = if src.is_empty() {
            String::new()
        } else {
            format!("Source: {src}\n")
        };
        format!(
            "Package: {name}\nStatus: install ok installed\nArchitecture: amd64\n{src}Version: {version}\n\n"
        )
    };
    let status = pkg("libssl1.1", "openssl", versions[0])
        + &pkg("zlib1g", "zlib", versions[1])
        + &pkg("sudo", "", versions[2]);
    let mut b = ImageBuilder::new();
    b.layer("ADD rootfs /")
        .file("etc/os-release", os_release.as_bytes())
        .unwrap()
        .file("etc/debian_version", b"10.7\n")
        .unwrap()
        .file("var/lib/dpkg/status", status.as_bytes())
        .unwrap();
    let out = dir.join(name);
    b.write(Layout::OciDir, &out).unwrap();
    out
}

struct Fixture {
    _work: tempfile::TempDir,
    /// Cache with the rated advisory database.
    cache: PathBuf,
    layout: PathBuf,
}

fn fixture() -> Option<&'static Fixture> {
    static F: OnceLock<Fixture> = OnceLock::new();
    let shared = support_mirror::shared("cve/vulnrichment.zip")?;
    support_mirror::shared("epss/epss_scores-current.csv.gz")?;
    support_mirror::shared("osv/ecosystems.txt")?;
    Some(F.get_or_init(|| {
        let work = tempfile::tempdir().unwrap();
        let m = support_mirror::rated_mirror(&shared, work.path());
        let cache = work.path().join("cache");
        let (code, _, err) = run(
            bulkhead(&cache, work.path()),
            &[
                "db",
                "update",
                "--ecosystems",
                "Debian",
                "--mirror",
                m.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "{err}");
        let layout = debian10_layout(work.path());
        Fixture {
            _work: work,
            cache,
            layout,
        }
    }))
}

/// The two workloads of (a) and (b): a registry with the image unsigned
/// (`bad/app:1`) and signed (`good/app:1`), a key, a policy requiring its
/// signature for every repository of the registry, and the Compose files.
struct Stage {
    _reg: LocalRegistry,
    work: tempfile::TempDir,
}

/// The stack's "bad" service.
const BAD: &str = r#"services:
  api:
    image: HOST/bad/app:1
    ports: ["8080:8080"]
    environment:
      DB_PASSWORD: supersecret
    security_opt: ["seccomp:unconfined"]
"#;

/// The same image with the stack's hardened settings.
const GOOD: &str = r#"services:
  api:
    image: HOST/good/app:1
    user: "1001:1001"
    read_only: true
    tmpfs: ["/tmp:rw,noexec,nosuid,size=64m"]
    cap_drop: [ALL]
    cap_add: [NET_BIND_SERVICE]
    security_opt: ["no-new-privileges:true"]
    ports: ["127.0.0.1:8080:8080"]
    environment:
      DB_PASSWORD_FILE: /run/secrets/db_password
    secrets: [db_password]
secrets:
  db_password:
    file: ./db_password.txt
"#;

/// The bad service's Dockerfile: the secret baked into ENV too.
const BAD_DOCKERFILE: &str = "FROM debian:10\nENV DB_PASSWORD=supersecret\nRUN apt-get update && apt-get install -y sudo\nCMD [\"/usr/bin/app\"]\n";

fn stage(f: &Fixture) -> Option<Stage> {
    let reg = LocalRegistry::start(None)?;
    let host = reg.host.clone();
    let c = Registry::new(&host, support::test_options()).unwrap();
    support::push_layout(&c, "bad/app", "1", &f.layout);
    support::push_layout(&c, "good/app", "1", &f.layout);
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let mut keygen = bulkhead(&f.cache, w);
    keygen.env("BULKHEAD_PASSWORD", PASS);
    let (code, _, err) = run(
        keygen,
        &[
            "key",
            "generate",
            "--output-key-prefix",
            "cosign",
            "-f",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let mut sign = bulkhead(&f.cache, w);
    sign.env("BULKHEAD_PASSWORD", PASS);
    let good = format!("{host}/good/app:1");
    let (code, _, err) = run(sign, &["sign", "-f", "json", "--key", "cosign.key", &good]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(
        w.join("policy.toml"),
        format!("[policy]\n[[policy.rules]]\nname = \"app\"\nmatch = \"{host}/**\"\nkeys = [\"cosign.pub\"]\n"),
    )
    .unwrap();
    std::fs::write(w.join("bad.yml"), BAD.replace("HOST", &host)).unwrap();
    std::fs::write(w.join("good.yml"), GOOD.replace("HOST", &host)).unwrap();
    std::fs::write(w.join("Dockerfile.bad"), BAD_DOCKERFILE).unwrap();
    std::fs::write(w.join("db_password.txt"), "s3cret\n").unwrap();
    Some(Stage { _reg: reg, work })
}

impl Stage {
    /// `bulkhead check` with the registry as the only image source.
    fn check(&self, f: &Fixture, args: &[&str]) -> (i32, String, String) {
        let mut all = vec!["check", "--image-src", "remote", "--skip-db-update"];
        all.extend_from_slice(args);
        run(bulkhead(&f.cache, self.work.path()), &all)
    }

    fn check_json(&self, f: &Fixture, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-f", "json"]);
        let (code, out, err) = self.check(f, &all);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"))
    }
}

fn states(r: &Value) -> Vec<(String, String)> {
    r["Scoreboard"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["Layer"]["Name"].as_str().unwrap().to_string(),
                v["State"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn state<'a>(r: &'a Value, layer: &str) -> &'a str {
    r["Scoreboard"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["Layer"]["Name"] == layer)
        .and_then(|v| v["State"].as_str())
        .unwrap_or_else(|| panic!("no layer {layer}"))
}

fn finding<'a>(r: &'a Value, ref_id: &str) -> &'a Value {
    r["Findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["RefID"] == ref_id)
        .unwrap_or_else(|| {
            let refs: Vec<&Value> = r["Findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| &f["RefID"])
                .collect();
            panic!("no {ref_id} among {refs:?}")
        })
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

const LAYERS: [&str; 8] = [
    "image contents",
    "user privileges",
    "filesystem",
    "system calls",
    "mandatory access",
    "capabilities",
    "secrets",
    "trust",
];

fn expect(want: [&str; 8]) -> Vec<(String, String)> {
    LAYERS
        .iter()
        .zip(want)
        .map(|(l, s)| (l.to_string(), s.to_string()))
        .collect()
}

/// (a) and (b): the scoreboards, the same CVE ranked lower when hardened
/// and the reasons that say why, the merged secret, the fix plan, and the
/// other formats.
#[test]
fn bad_and_hardened_services() {
    let Some(f) = fixture() else { return };
    let Some(s) = stage(f) else { return };
    let bad = s.check_json(
        f,
        &[
            "--compose",
            "bad.yml",
            "--dockerfile",
            "Dockerfile.bad",
            "--policy",
            "policy.toml",
        ],
    );
    assert_eq!(
        states(&bad),
        expect([
            "missing", "missing", "missing", "missing", "in_place", "missing", "missing", "missing"
        ]),
        "{:#}",
        bad["Scoreboard"]
    );
    assert_eq!(bad["Workload"]["Source"], "compose");
    assert_eq!(bad["Workload"]["Name"], "api");
    for (r, fixed) in [
        ("CVE-2021-3156@sudo", "1.8.27-1+deb10u3"),
        ("CVE-2022-0778@libssl1.1", "1.1.1d-0+deb10u8"),
        ("CVE-2018-25032@zlib1g", "1:1.2.11.dfsg-1+deb10u1"),
    ] {
        let v = finding(&bad, r);
        assert_eq!(v["Kind"], "vulnerability");
        assert_eq!(v["Layer"]["Number"], 1);
        assert_eq!(v["Package"]["FixedVersion"], fixed, "{v:#}");
    }
    let image_ev = bad["Scoreboard"][0]["Evidence"].to_string();
    assert!(
        image_ev.contains("KEV") && image_ev.contains("CVE-2021-3156@sudo"),
        "{image_ev}"
    );
    // The secret: the runtime environment and the Dockerfile, one finding.
    let secret = finding(&bad, "env-secret:DB_PASSWORD");
    assert_eq!(secret["Kind"], "secret");
    assert_eq!(secret["Layer"]["Name"], "secrets");
    let sources = strings(&secret["Sources"]);
    assert!(
        sources.contains(&"runtime:env-secrets".to_string()),
        "{sources:?}"
    );
    assert!(
        sources.contains(&"dockerfile:BH-DF-004".to_string()),
        "{sources:?}"
    );
    assert_eq!(
        bad["Findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["Layer"]["Name"] == "secrets")
            .count(),
        1
    );
    assert!(
        !bad.to_string().contains("supersecret"),
        "a secret value leaked"
    );
    // Trust: the policy wants a signature the image does not have.
    let sig = finding(&bad, "signature");
    assert_eq!(sig["Title"], "Image is not signed");

    let good = s.check_json(f, &["--compose", "good.yml", "--policy", "policy.toml"]);
    assert_eq!(
        states(&good),
        expect([
            "missing", "in_place", "in_place", "in_place", "in_place", "in_place", "in_place",
            "in_place"
        ]),
        "{:#}",
        good["Scoreboard"]
    );
    let trust_ev = good["Scoreboard"][7]["Evidence"].to_string();
    assert!(
        trust_ev.contains("verified against policy rule"),
        "{trust_ev}"
    );

    // The same CVE: lower in (b), and the reasons say why.
    let a = finding(&bad, "CVE-2021-3156@sudo");
    let b = finding(&good, "CVE-2021-3156@sudo");
    assert_eq!(a["Rating"]["Risk"], b["Rating"]["Risk"]);
    assert_eq!(a["Rating"]["KEV"], true);
    let (ra, rb) = (a["Risk"].as_f64().unwrap(), b["Risk"].as_f64().unwrap());
    assert!(ra > rb, "{ra} vs {rb}");
    let (why_a, why_b) = (strings(&a["Reasons"]), strings(&b["Reasons"]));
    for want in [
        "KEV",
        "runs as root",
        "port 8080 published on all interfaces",
    ] {
        assert!(why_a.iter().any(|r| r == want), "{want}: {why_a:?}");
    }
    assert!(why_a.iter().any(|r| r.starts_with("EPSS ")), "{why_a:?}");
    assert!(!why_b.iter().any(|r| r == "runs as root"), "{why_b:?}");
    assert!(
        why_b
            .iter()
            .any(|r| r.contains("runs as 1001") && r.contains("read-only root")),
        "{why_b:?}"
    );
    assert!(
        bad["Exposure"]["Score"].as_f64().unwrap() > good["Exposure"]["Score"].as_f64().unwrap()
    );
    // Highest risk first.
    let risks: Vec<f64> = bad["Findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["Risk"].as_f64().unwrap())
        .collect();
    assert!(risks.windows(2).all(|w| w[0] >= w[1]), "{risks:?}");

    // The fix plan: harden's override, Docker secrets, the rebuild, the
    // upgrades, signing; each with what it removes.
    let plan = bad["FixPlan"].as_array().unwrap();
    let kinds: Vec<&str> = plan.iter().map(|p| p["Kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "compose-override",
            "compose-override",
            "dockerfile",
            "dockerfile",
            "shell"
        ],
        "{plan:#?}"
    );
    let removes = |i: usize| strings(&plan[i]["Removes"]);
    for r in [
        "read-only-rootfs",
        "cap-drop-all",
        "seccomp",
        "no-new-privileges",
    ] {
        assert!(removes(0).contains(&r.to_string()), "{r}: {:?}", removes(0));
    }
    // The image still has no USER (BH-IM-001 stays until it is rebuilt):
    // running it as 65532 defuses the finding without removing it.
    let defuses = strings(&plan[0]["Defuses"]);
    assert!(defuses.contains(&"user".to_string()), "{defuses:?}");
    assert!(
        defuses.contains(&"CVE-2021-3156@sudo".to_string()),
        "{defuses:?}"
    );
    assert!(plan[0]["Snippet"].as_str().unwrap().contains("cap_drop:"));
    assert_eq!(plan[0]["Files"][0]["Path"], "api-seccomp.json");
    assert!(
        plan[1]["Snippet"]
            .as_str()
            .unwrap()
            .contains("DB_PASSWORD_FILE: \"/run/secrets/db_password\"")
    );
    assert!(removes(2).contains(&"env-secret:DB_PASSWORD".to_string()));
    assert!(
        plan[2]["Snippet"]
            .as_str()
            .unwrap()
            .contains("RUN --mount=type=secret,id=db_password")
    );
    assert!(removes(3).contains(&"CVE-2021-3156@sudo".to_string()));
    assert_eq!(removes(4), ["signature"]);

    // The other formats.
    let (code, table, err) = s.check(f, &["--compose", "bad.yml", "-f", "table"]);
    assert_eq!(code, 0, "{err}");
    for want in [
        "Scoreboard",
        "MISSING",
        "CVE-2021-3156",
        "Fix plan",
        "runs as root",
    ] {
        assert!(table.contains(want), "{want}: {table}");
    }
    let (code, sarif, err) = s.check(f, &["--compose", "bad.yml", "-f", "sarif"]);
    assert_eq!(code, 0, "{err}");
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let layer = r["properties"]["layer"].as_u64().unwrap();
        assert!((1..=8).contains(&layer), "{r:#}");
    }
    let (code, md, err) = s.check(f, &["--compose", "bad.yml", "-f", "markdown"]);
    assert_eq!(code, 0, "{err}");
    assert!(md.starts_with("### bulkhead check:"), "{md}");
    assert!(md.contains("| 7 | secrets | ❌ missing |"), "{md}");
}

/// (d): the CI gates.
#[test]
fn exit_codes() {
    let Some(f) = fixture() else { return };
    let Some(s) = stage(f) else { return };
    let code = |args: &[&str]| {
        let (code, _, err) = s.check(f, args);
        assert!(matches!(code, 0 | 1 | 5), "{code}: {err}");
        code
    };
    let bad = ["--compose", "bad.yml", "-f", "json"];
    let good = [
        "--compose",
        "good.yml",
        "--policy",
        "policy.toml",
        "--scanners",
        "secret,misconfig",
        "-f",
        "json",
    ];
    let with = |base: &[&str], extra: &[&str]| {
        let mut v = base.to_vec();
        v.extend_from_slice(extra);
        code(&v)
    };
    assert_eq!(with(&bad, &["--fail-on-layer", "missing"]), 1);
    // Without the vulnerability scan nothing is missing in (b).
    assert_eq!(with(&good, &["--fail-on-layer", "missing"]), 0);
    assert_eq!(with(&good, &["--fail-on-layer", "partial"]), 1);
    assert_eq!(with(&bad, &["--fail-on", "HIGH"]), 1);
    assert_eq!(with(&good, &["--fail-on", "CRITICAL"]), 0);
    assert_eq!(with(&bad, &["--exit-code", "5"]), 5);
    assert_eq!(
        with(&good, &["--exit-code", "5", "--severity", "CRITICAL"]),
        0
    );
    let (c, _, err) = s.check(f, &["--compose", "bad.yml", "--fail-on-layer", "bogus"]);
    assert_eq!(c, 2, "{err}");
    assert!(err.contains("missing or partial"), "{err}");
    let (c, _, err) = s.check(f, &["--compose", "bad.yml", "-f", "cyclonedx"]);
    assert_eq!(c, 2, "{err}");
}

/// (e) OpenVEX: a `vex create` document marking CVE-2021-3156 in sudo
/// `not_affected` for the image's digest suppresses exactly that finding;
/// the check counts it and every format lists it with its justification.
#[test]
fn vex_suppresses_one_finding() {
    let Some(f) = fixture() else { return };
    let Some(s) = stage(f) else { return };
    let bad = s.check_json(f, &["--compose", "bad.yml"]);
    let sudo = finding(&bad, "CVE-2021-3156@sudo");
    let purl = sudo["Package"]["PURL"].as_str().unwrap();
    let meta = &bad["Report"]["Metadata"];
    let repo_digest = meta["RepoDigests"][0]
        .as_str()
        .unwrap_or_else(|| panic!("no RepoDigests: {meta:#}"));
    let digest = repo_digest.split_once('@').unwrap().1;
    let mut create = bulkhead(&f.cache, s.work.path());
    create.env("SOURCE_DATE_EPOCH", "1765000000");
    let (code, _, err) = run(
        create,
        &[
            "vex",
            "create",
            "--image-digest",
            digest,
            "--finding",
            &format!("CVE-2021-3156@{purl}"),
            "--justification",
            "vulnerable_code_not_in_execute_path",
            "--author",
            "platform team",
            "-o",
            "app.vex.json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let with = s.check_json(f, &["--compose", "bad.yml", "--vex", "app.vex.json"]);
    assert_eq!(with["Counts"]["Suppressed"], 1, "{:#}", with["Counts"]);
    let ids = |r: &Value| -> Vec<String> {
        r["Findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["RefID"].as_str().unwrap().to_string())
            .collect()
    };
    let (before, after) = (ids(&bad), ids(&with));
    assert!(
        !after.contains(&"CVE-2021-3156@sudo".to_string()),
        "{after:?}"
    );
    let gone: Vec<&String> = before.iter().filter(|x| !after.contains(x)).collect();
    assert_eq!(gone, ["CVE-2021-3156@sudo"], "only that finding goes");
    let modified: Vec<&Value> = with["Report"]["Results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r["ExperimentalModifiedFindings"]
                .as_array()
                .into_iter()
                .flatten()
        })
        .collect();
    assert_eq!(modified.len(), 1, "{modified:#?}");
    assert_eq!(
        modified[0]["Justification"],
        "vulnerable_code_not_in_execute_path"
    );
    assert_eq!(modified[0]["Finding"]["PkgName"], "sudo");
    for (format, want) in [
        ("table", "Suppressed by VEX"),
        ("markdown", "**Suppressed by VEX:** 1"),
        ("html", "suppressed-table"),
    ] {
        let (code, out, err) = s.check(
            f,
            &[
                "--compose",
                "bad.yml",
                "--vex",
                "app.vex.json",
                "-f",
                format,
            ],
        );
        assert_eq!(code, 0, "{err}");
        assert!(out.contains(want), "{format}: {out}");
        // Markdown escapes the underscores.
        let plain = out.replace('\\', "");
        assert!(
            plain.contains("vulnerable_code_not_in_execute_path"),
            "{format}: {out}"
        );
    }
    let (code, sarif, err) = s.check(
        f,
        &[
            "--compose",
            "bad.yml",
            "--vex",
            "app.vex.json",
            "-f",
            "sarif",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let suppressed: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["ruleId"], "CVE-2021-3156");
}

/// (f) Base-image advice: with `--base-candidates`, the candidate with the
/// DSA fixes ranks first and becomes the last fix-plan step, removing the
/// three CVEs; the current base itself is never proposed.
#[test]
fn base_candidates_become_a_fix_step() {
    let Some(f) = fixture() else { return };
    let Some(s) = stage(f) else { return };
    let w = s.work.path();
    let fixed = debian10_with(
        w,
        "debian10-fixed",
        [
            "1.1.1d-0+deb10u8",
            "1:1.2.11.dfsg-1+deb10u1",
            "1.8.27-1+deb10u3",
        ],
    );
    let same = debian10_with(
        w,
        "debian10-same",
        ["1.1.1d-0+deb10u7", "1:1.2.11.dfsg-1", "1.8.27-1+deb10u2"],
    );
    let candidates = format!("{},{}", same.display(), fixed.display());
    let r = s.check_json(
        f,
        &["--compose", "bad.yml", "--base-candidates", &candidates],
    );
    let plan = r["FixPlan"].as_array().unwrap();
    let last = plan.last().unwrap();
    assert_eq!(
        last["Title"],
        format!("Rebuild FROM {}", fixed.display()),
        "{plan:#?}"
    );
    assert_eq!(last["Kind"], "dockerfile");
    let removes = strings(&last["Removes"]);
    for want in [
        "CVE-2021-3156@sudo",
        "CVE-2022-0778@libssl1.1",
        "CVE-2018-25032@zlib1g",
    ] {
        assert!(removes.contains(&want.to_string()), "{want}: {removes:?}");
    }
    assert_eq!(last["Step"], plan.len());
    // Only the current base as candidate: no step, a warning says so.
    let only_same = same.display().to_string();
    let r = s.check_json(
        f,
        &["--compose", "bad.yml", "--base-candidates", &only_same],
    );
    let titles: Vec<String> = r["FixPlan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["Title"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !titles.iter().any(|t| t.starts_with("Rebuild FROM")),
        "{titles:?}"
    );
}

/// A plain HTTP GET on 127.0.0.1; the response, or None.
fn http_get(port: u16) -> Option<String> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .ok()?;
    s.write_all(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

/// Tears the Compose project down, even when an assertion failed.
struct Project {
    name: String,
    dir: PathBuf,
    files: Vec<String>,
}

impl Project {
    fn compose(&self, args: &[&str]) -> std::process::Output {
        let mut c = std::process::Command::new("docker-compose");
        c.current_dir(&self.dir)
            .env_remove("DB_PASSWORD")
            .args(["-p", &self.name]);
        for f in &self.files {
            c.args(["-f", f]);
        }
        c.args(args).output().unwrap()
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = self.compose(&["down", "-v", "--remove-orphans", "-t", "1"]);
    }
}

/// The bad service of (c): a FROM-scratch busybox `httpd`.
const WEB: &str = r#"services:
  web:
    image: TAG
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    ports: ["127.0.0.1::8080"]
    environment:
      DB_PASSWORD: supersecret
    security_opt: ["seccomp:unconfined"]
    labels:
      org.bulkhead.test: "1"
networks:
  default:
    labels:
      org.bulkhead.test: "1"
"#;

/// (c): the fix plan's overrides start a service that serves, and checking
/// the merged files (or the running container) finds the layers in place.
#[test]
fn fix_plan_overrides_run_and_serve() {
    use support_docker::{BUSYBOX, Guard, build_busybox_image, ready, unique};
    if !ready(&[BUSYBOX])
        || !bulkhead_testkit::require::runs(
            "docker-compose",
            &["version"],
            "docker-compose: apt-get install docker-compose (scripts/test.sh does)",
        )
    {
        return;
    }
    let guard = Guard::new(format!("{}:1", unique("bulkhead-test-check")));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    build_busybox_image(
        &guard.image,
        &d.join("ctx"),
        &[("www/index.html", "hello from bulkhead\n"), ("tmp/", "")],
        "COPY www /www\nCOPY tmp /tmp\nENTRYPOINT [\"/bin/busybox\"]\n",
    );
    std::fs::write(d.join("a.yml"), WEB.replace("TAG", &guard.image)).unwrap();
    let cache = d.join("cache");
    let check = |args: &[&str]| -> Value {
        let mut all = vec![
            "check",
            "--image-src",
            "docker",
            "--scanners",
            "secret,misconfig",
            "-f",
            "json",
        ];
        all.extend_from_slice(args);
        let (code, out, err) = run(bulkhead(&cache, d), &all);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"))
    };
    let before = check(&["--compose", "a.yml", "--write-fix", "fix"]);
    for (layer, want) in [
        ("user privileges", "missing"),
        ("filesystem", "missing"),
        ("system calls", "missing"),
        ("mandatory access", "in_place"),
        ("capabilities", "missing"),
        ("secrets", "missing"),
    ] {
        assert_eq!(
            state(&before, layer),
            want,
            "{layer}: {:#}",
            before["Scoreboard"]
        );
    }
    // Write the overrides (and the files they reference) as the plan
    // prints them; --write-fix wrote the same bytes.
    let mut files = vec!["a.yml".to_string()];
    for step in before["FixPlan"].as_array().unwrap() {
        if step["Kind"] != "compose-override" {
            continue;
        }
        let name = step["SaveAs"].as_str().unwrap();
        let text = step["Snippet"].as_str().unwrap();
        assert_eq!(
            std::fs::read_to_string(d.join("fix").join(name)).unwrap(),
            text
        );
        std::fs::write(d.join(name), text).unwrap();
        files.push(name.to_string());
        for extra in step["Files"].as_array().into_iter().flatten() {
            let p = extra["Path"].as_str().unwrap();
            std::fs::write(d.join(p), extra["Content"].as_str().unwrap()).unwrap();
        }
    }
    assert_eq!(
        files,
        ["a.yml", "compose.hardened.yml", "compose.secrets.yml"]
    );
    std::fs::create_dir_all(d.join("secrets")).unwrap();
    std::fs::write(d.join("secrets/db_password.txt"), "s3cret\n").unwrap();

    let project = Project {
        name: unique("bulkhead-test-check").replace('-', ""),
        dir: d.to_path_buf(),
        files: files.clone(),
    };
    let up = project.compose(&["up", "-d"]);
    assert!(
        up.status.success(),
        "docker-compose up: {}",
        String::from_utf8_lossy(&up.stderr)
    );
    let port = project.compose(&["port", "web", "8080"]);
    let port = String::from_utf8_lossy(&port.stdout).trim().to_string();
    let port: u16 = port
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no published port: {port:?}"));
    let mut page = None;
    for _ in 0..100 {
        page = http_get(port).filter(|p| p.contains("hello from bulkhead"));
        if page.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        page.is_some(),
        "the hardened service does not serve: {}",
        String::from_utf8_lossy(&project.compose(&["logs"]).stdout)
    );

    let mut args: Vec<&str> = Vec::new();
    for f in &files {
        args.extend(["--compose", f.as_str()]);
    }
    let after = check(&args);
    let container = check(&["--container", &format!("{}_web_1", project.name)]);
    for (what, r) in [("merged files", &after), ("running container", &container)] {
        for layer in [
            "user privileges",
            "filesystem",
            "system calls",
            "capabilities",
            "secrets",
        ] {
            assert_eq!(
                state(r, layer),
                "in_place",
                "{what}, {layer}: {:#}",
                r["Scoreboard"]
            );
        }
        assert_ne!(state(r, "mandatory access"), "missing", "{what}");
    }
    assert_eq!(state(&after, "mandatory access"), "in_place");
    assert_eq!(container["Workload"]["Source"], "container");
    drop(project);
    drop(guard);
}

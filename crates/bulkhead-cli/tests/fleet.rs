//! `bulkhead worker` and `bulkhead fleet …` end to end: a private
//! PostgreSQL cluster per test (`bulkhead_testkit::postgres`), Debian's
//! `docker-registry` on 127.0.0.1 holding images built by
//! `bulkhead-fixtures`, and real worker processes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../bulkhead-image/tests/support/mod.rs"]
mod support;

use bulkhead_fixtures::{ImageBuilder, Layout};
use bulkhead_image::registry::{Authorization, Registry, RegistryOptions};
use bulkhead_testkit::postgres::Cluster;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "3c1b2a5d4e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f801";

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("bulkhead")
}

fn bulkhead(cache: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .env("BULKHEAD_CACHE_DIR", cache)
        .env_remove("BULKHEAD_LOG")
        .env_remove("BULKHEAD_DB_URL")
        .env_remove("BULKHEAD_FLEET_KEY")
        .args(args)
        .output()
        .unwrap()
}

fn json(cache: &Path, args: &[&str]) -> Value {
    let out = bulkhead(cache, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn sha(b: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(b)))
}

const DEBIAN_STATUS: &str = "Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4\n\n\
Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n";

/// Image `i`: a shared Debian base layer and a top layer of its own, with
/// requests 2.31.0 (even `i`) or 2.32.0 (odd).
fn image(i: usize, out: &Path) {
    let mut b = ImageBuilder::new();
    b.layer("ADD rootfs")
        .file(
            "etc/os-release",
            b"ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian 12\"\n",
        )
        .unwrap()
        .file("var/lib/dpkg/status", DEBIAN_STATUS.as_bytes())
        .unwrap();
    let v = if i.is_multiple_of(2) {
        "2.31.0"
    } else {
        "2.32.0"
    };
    b.layer("RUN pip install requests")
        .file(
            &format!("usr/lib/python3/dist-packages/requests-{v}.dist-info/METADATA"),
            format!("Metadata-Version: 2.1\nName: requests\nVersion: {v}\n").as_bytes(),
        )
        .unwrap()
        .file("app/id", format!("{i}\n").as_bytes())
        .unwrap();
    b.write(Layout::OciDir, out).unwrap();
}

/// The manifest digest of a single-image OCI layout.
fn layout_digest(layout: &Path) -> String {
    let index: Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    index["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Make `layout` an image that always fails: its config announces a
/// diff_id its layer does not have.
fn poison(layout: &Path) {
    let blob = |d: &str| {
        layout
            .join("blobs/sha256")
            .join(d.trim_start_matches("sha256:"))
    };
    let mut index: Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let mdigest = index["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let mut manifest: Value =
        serde_json::from_slice(&std::fs::read(blob(&mdigest)).unwrap()).unwrap();
    let cdigest = manifest["config"]["digest"].as_str().unwrap().to_string();
    let mut config: Value =
        serde_json::from_slice(&std::fs::read(blob(&cdigest)).unwrap()).unwrap();
    config["rootfs"]["diff_ids"][0] = Value::String(format!("sha256:{}", "0".repeat(64)));
    let cbytes = serde_json::to_vec(&config).unwrap();
    std::fs::write(blob(&sha(&cbytes)), &cbytes).unwrap();
    manifest["config"]["digest"] = Value::String(sha(&cbytes));
    manifest["config"]["size"] = Value::from(cbytes.len());
    let mbytes = serde_json::to_vec(&manifest).unwrap();
    std::fs::write(blob(&sha(&mbytes)), &mbytes).unwrap();
    index["manifests"][0]["digest"] = Value::String(sha(&mbytes));
    index["manifests"][0]["size"] = Value::from(mbytes.len());
    std::fs::write(
        layout.join("index.json"),
        serde_json::to_vec(&index).unwrap(),
    )
    .unwrap();
}

fn osv(id: &str, cve: &str, eco: &str, name: &str, fixed: &str, sev: &str) -> String {
    serde_json::json!({
        "schema_version": "1.6.0", "id": id, "modified": "2026-11-01T00:00:00Z",
        "aliases": [cve], "summary": format!("{name}: synthetic"),
        "affected": [{"package": {"ecosystem": eco, "name": name},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}]}],
        "database_specific": {"severity": sev}
    })
    .to_string()
}

/// The first advisories (`advisories`) in `work/osv`, imported into the
/// advisory database of `cache`.
fn import_advisories(work: &Path, cache: &Path) {
    let osv_dir = work.join("osv");
    advisories(&osv_dir);
    let out = bulkhead(cache, &["db", "import", osv_dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The first advisories: zlib (every image), in KEV.
fn advisories(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("TEST-FLEET-1.json"),
        osv(
            "TEST-FLEET-1",
            "CVE-2099-7001",
            "Debian:12",
            "zlib",
            "1:1.3.dfsg-1",
            "HIGH",
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("kev.json"),
        serde_json::json!({"title": "test KEV", "catalogVersion": "1", "count": 1,
            "vulnerabilities": [{"cveID": "CVE-2099-7001", "vendorProject": "zlib", "product": "zlib",
                "dateAdded": "2026-11-01", "dueDate": "2026-11-22", "knownRansomwareCampaignUse": "Unknown"}]})
        .to_string(),
    )
    .unwrap();
}

/// Wait for a worker process; kill it (and fail) if it hangs. Its stderr
/// is read while it runs (a trace log fills a pipe long before it exits).
fn wait(mut child: Child, what: &str) -> (i32, String) {
    let reader = child.stderr.take().map(|mut s| {
        std::thread::spawn(move || {
            use std::io::Read;
            let mut err = String::new();
            let _ = s.read_to_string(&mut err);
            err
        })
    });
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let err = reader.map(|r| r.join().unwrap()).unwrap_or_default();
            return (status.code().unwrap_or(-1), err);
        }
        if start.elapsed() > Duration::from_secs(600) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn worker(cache: &Path, url: &str, extra: &[&str], env: &[(&str, &str)]) -> Child {
    let mut c = Command::new(bin());
    c.env("BULKHEAD_CACHE_DIR", cache)
        .env_remove("BULKHEAD_LOG")
        .env_remove("BULKHEAD_FLEET_KEY")
        .env("BULKHEAD_DB_URL", url)
        .args([
            "worker",
            "--drain",
            "--poll",
            "1",
            "--retry-backoff",
            "0",
            "--concurrency",
            "2",
        ])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        c.env(k, v);
    }
    c.spawn().unwrap()
}

#[test]
fn two_workers_scan_a_registry_then_rematch_and_query() {
    let Some(pg) = Cluster::start() else { return };
    let Some(reg) = support::LocalRegistry::start(None) else {
        return;
    };
    let url = pg.create_db("fleet");
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let client = Registry::new(&reg.host, support::test_options()).unwrap();
    let mut digests = Vec::new();
    for i in 0..20 {
        let layout = dir.path().join(format!("img{i}"));
        image(i, &layout);
        let repo = format!("fleet/app-{i:02}");
        support::push_layout(&client, &repo, "1", &layout);
        if i == 0 {
            support::push_layout(&client, &repo, "latest", &layout);
        }
        digests.push(layout_digest(&layout));
    }
    let bad = dir.path().join("poison");
    image(99, &bad);
    poison(&bad);
    support::push_layout(&client, "fleet/poison", "1", &bad);
    let poison_digest = layout_digest(&bad);
    import_advisories(dir.path(), &cache);

    // Queue the registry: 21 repositories, 22 tags, 21 digests.
    let scan = |extra: &[&str]| {
        let mut a = vec![
            "fleet",
            "scan-registry",
            reg.host.as_str(),
            "--db",
            &url,
            "-f",
            "json",
        ];
        a.extend_from_slice(extra);
        json(&cache, &a)
    };
    let first = scan(&[]);
    assert_eq!(
        (
            &first["Repositories"],
            &first["Tags"],
            &first["Digests"],
            &first["Enqueued"]
        ),
        (
            &Value::from(21),
            &Value::from(22),
            &Value::from(21),
            &Value::from(21)
        ),
        "{first}"
    );
    // Again: nothing new (every digest has an open job).
    let second = scan(&[]);
    assert_eq!(
        (&second["Enqueued"], &second["AlreadyQueued"]),
        (&Value::from(0), &Value::from(21))
    );
    // A glob narrows the repositories.
    let narrowed = scan(&["--repo", "fleet/app-1*"]);
    assert_eq!(narrowed["Repositories"], 10, "{narrowed}");

    // Two workers drain the queue.
    let a = worker(&cache, &url, &[], &[]);
    let b = worker(&cache, &url, &[], &[]);
    let (ca, ea) = wait(a, "worker a");
    let (cb, eb) = wait(b, "worker b");
    assert_eq!((ca, cb), (0, 0), "{ea}\n{eb}");

    // Every digest has exactly one result; the poison job failed after 3
    // attempts with its error, and did not block the others.
    let mut stored: Vec<String> = pg
        .psql("fleet", "SELECT digest FROM results ORDER BY digest")
        .lines()
        .map(str::to_string)
        .collect();
    let mut want = digests.clone();
    want.sort();
    assert_eq!(stored, want);
    stored.dedup();
    assert_eq!(stored.len(), 20);
    assert_eq!(
        pg.psql(
            "fleet",
            "SELECT state, count(*), count(DISTINCT digest) FROM jobs GROUP BY state ORDER BY state"
        ),
        "done|20|20\nfailed|1|1"
    );
    let failed = pg.psql(
        "fleet",
        "SELECT digest, attempts, last_error FROM jobs WHERE state = 'failed'",
    );
    assert!(
        failed.starts_with(&format!("{poison_digest}|3|")),
        "{failed}"
    );
    assert!(
        failed.contains("diff_id") || failed.contains("DiffID"),
        "{failed}"
    );

    // Shared layers: the base layer is stored once and reused.
    assert_eq!(
        pg.psql(
            "fleet",
            "SELECT count(*), count(DISTINCT diff_id) FROM layers"
        ),
        "21|21"
    );
    let status = json(&cache, &["fleet", "status", "--db", &url, "-f", "json"]);
    assert_eq!(status["Results"], 20);
    assert_eq!(status["Jobs"]["done"], 20);
    assert_eq!(status["Jobs"]["failed"], 1);
    let (reused, analysed) = (
        status["LayersReused"].as_u64().unwrap(),
        status["LayersAnalyzed"].as_u64().unwrap(),
    );
    assert_eq!(reused + analysed, 40);
    assert!(reused > 0, "{status}");
    assert!(
        status["RecentFailures"][0]["Image"]
            .as_str()
            .unwrap()
            .ends_with(&poison_digest)
    );
    // A third scan-registry: everything is scanned (or failed and queued again).
    let third = scan(&[]);
    assert_eq!(
        (&third["AlreadyScanned"], &third["Enqueued"]),
        (&Value::from(20), &Value::from(1)),
        "{third}"
    );

    // Queries.
    let q = |args: &[&str]| {
        let mut a = vec!["fleet", "query", "--db", &url, "-f", "json"];
        a.extend_from_slice(args);
        let v = json(&cache, &a);
        v["Images"].as_array().unwrap().len()
    };
    assert_eq!(q(&["--cve", "CVE-2099-7001"]), 20);
    assert_eq!(q(&["--cve", "TEST-FLEET-1"]), 20);
    assert_eq!(q(&["--kev"]), 20);
    assert_eq!(q(&["--severity", "HIGH,CRITICAL"]), 20);
    assert_eq!(q(&["--severity", "LOW"]), 0);
    assert_eq!(q(&["--package", "requests@2.31.0"]), 10);
    assert_eq!(q(&["--package", "zlib1g"]), 20);
    assert_eq!(q(&["--cve", "CVE-2099-7002"]), 0);
    let table = bulkhead(
        &cache,
        &[
            "fleet",
            "query",
            "--db",
            &url,
            "-f",
            "table",
            "--cve",
            "CVE-2099-7001",
        ],
    );
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(
        table.contains("20 image(s)") && table.contains("fleet/app-00:latest"),
        "{table}"
    );
    // One question at a time.
    let out = bulkhead(
        &cache,
        &["fleet", "query", "--db", &url, "--kev", "--cve", "X"],
    );
    assert_eq!(out.status.code(), Some(2));

    // An advisory lands: rematch changes exactly the images with
    // requests 2.31.0, without touching the registry.
    let extra = dir.path().join("osv-extra");
    std::fs::create_dir_all(&extra).unwrap();
    std::fs::write(
        extra.join("TEST-FLEET-2.json"),
        osv(
            "TEST-FLEET-2",
            "CVE-2099-7002",
            "PyPI",
            "requests",
            "2.32.0",
            "CRITICAL",
        ),
    )
    .unwrap();
    let out = bulkhead(&cache, &["db", "import", extra.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(reg);
    let r = json(&cache, &["fleet", "rematch", "--db", &url, "-f", "json"]);
    assert_eq!(r["Images"], 20, "{r}");
    let changed = r["Changed"].as_array().unwrap();
    let mut changed_digests: Vec<&str> = changed
        .iter()
        .map(|c| c["Digest"].as_str().unwrap())
        .collect();
    changed_digests.sort_unstable();
    let mut even: Vec<&str> = digests.iter().step_by(2).map(String::as_str).collect();
    even.sort_unstable();
    assert_eq!(changed_digests, even);
    for c in changed {
        assert_eq!(
            c["Added"],
            serde_json::json!(["CVE-2099-7002 requests 2.31.0"]),
            "{c}"
        );
        assert_eq!(c["Removed"], serde_json::json!([]));
    }
    assert_eq!(
        pg.psql(
            "fleet",
            "SELECT count(*) FROM rematch_changes WHERE run_id = (SELECT max(id) FROM rematch_runs)"
        ),
        "10"
    );
    assert_eq!(q(&["--cve", "CVE-2099-7002"]), 10);
    // The stored reports changed too.
    let stored_report = pg.psql(
        "fleet",
        &format!(
            "SELECT findings FROM results WHERE digest = '{}'",
            digests[0]
        ),
    );
    assert_eq!(stored_report, "2");
    // Nothing new: a second rematch changes nothing.
    let again = json(&cache, &["fleet", "rematch", "--db", &url, "-f", "json"]);
    assert_eq!(again["Changed"], serde_json::json!([]));
    let status = json(&cache, &["fleet", "status", "--db", &url, "-f", "json"]);
    assert_eq!(status["LastRematch"]["Changed"], 0);
    assert_eq!(status["LastRematch"]["Images"], 20);
}

#[test]
fn registry_credentials_never_reach_the_database_or_the_logs() {
    let Some(pg) = Cluster::start() else { return };
    let password = "Fl33t-s3cret-pw";
    let hash = bcrypt::hash(password, 4).unwrap();
    let Some(reg) = support::LocalRegistry::start(Some(&format!("robot:{hash}"))) else {
        return;
    };
    let url = pg.create_db("cred");
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let basic = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(format!("robot:{password}"))
    };
    let auth = Authorization::parse(&format!("Basic {basic}")).unwrap();
    let client = Registry::new(
        &reg.host,
        RegistryOptions {
            authorization: Some(auth.clone()),
            ..support::test_options()
        },
    )
    .unwrap();
    let layout = dir.path().join("img");
    image(0, &layout);
    support::push_layout(&client, "private/app", "1", &layout);
    let digest = layout_digest(&layout);
    import_advisories(dir.path(), &cache);

    // The server's side: a scan request with Harbor's Authorization value.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let id = rt.block_on(async {
        let fleet =
            bulkhead_fleet::Fleet::connect(&url, &bulkhead_fleet::ConnectOptions::default())
                .await
                .unwrap()
                .with_key(Some(bulkhead_fleet::SealKey::from_hex(KEY).unwrap()));
        let job = bulkhead_fleet::ScanJob {
            authorization: Some(auth),
            ..bulkhead_fleet::ScanJob::new(&reg.host, "private/app", &digest)
        };
        fleet.enqueue(&job).await.unwrap().job_id().unwrap()
    });
    let mut seen = vec![("queued dump".to_string(), pg.dump("cred"))];

    // A worker without the key cannot open them: the job fails with a
    // clear error (and nothing leaks).
    let (code, err) = wait(
        worker(&cache, &url, &["--max-attempts", "1", "-vvv"], &[]),
        "keyless worker",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        pg.psql("cred", &format!("SELECT state FROM jobs WHERE id = {id}")),
        "failed"
    );
    assert!(
        pg.psql(
            "cred",
            &format!("SELECT last_error FROM jobs WHERE id = {id}")
        )
        .contains("BULKHEAD_FLEET_KEY")
    );
    seen.push(("keyless worker log".into(), err));

    // Queue it again with the credentials and let a worker with the key
    // scan it, logging everything, libraries included.
    rt.block_on(async {
        let fleet =
            bulkhead_fleet::Fleet::connect(&url, &bulkhead_fleet::ConnectOptions::default())
                .await
                .unwrap()
                .with_key(Some(bulkhead_fleet::SealKey::from_hex(KEY).unwrap()));
        let job = bulkhead_fleet::ScanJob {
            authorization: Some(Authorization::parse(&format!("Basic {basic}")).unwrap()),
            ..bulkhead_fleet::ScanJob::new(&reg.host, "private/app", &digest)
        };
        fleet.enqueue(&job).await.unwrap();
    });
    seen.push(("requeued dump".into(), pg.dump("cred")));
    let (code, err) = wait(
        worker(
            &cache,
            &url,
            &["-vvv"],
            &[("BULKHEAD_FLEET_KEY", KEY), ("BULKHEAD_LOG", "trace")],
        ),
        "worker",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        pg.psql("cred", "SELECT count(*) FROM results"),
        "1",
        "{err}"
    );
    assert_eq!(pg.psql("cred", "SELECT count(*) FROM job_credentials"), "0");
    seen.push(("worker trace log".into(), err));
    seen.push(("final dump".into(), pg.dump("cred")));
    seen.push(("PostgreSQL log".into(), pg.log()));
    let status = bulkhead(&cache, &["fleet", "status", "--db", &url, "-f", "json"]);
    seen.push((
        "status".into(),
        String::from_utf8_lossy(&status.stdout).into_owned(),
    ));
    for (what, text) in &seen {
        assert!(!text.is_empty() || what.contains("log"), "{what} is empty");
        assert!(!text.contains(password), "the password is in the {what}");
        assert!(!text.contains(&basic), "the Basic value is in the {what}");
    }
}

#[test]
fn a_worker_stops_on_sigterm() {
    let Some(pg) = Cluster::start() else { return };
    let url = pg.create_db("stop");
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    import_advisories(dir.path(), &cache);
    let mut c = Command::new(bin());
    c.env("BULKHEAD_CACHE_DIR", &cache)
        .env_remove("BULKHEAD_LOG")
        .args(["worker", "--db", &url, "-v"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let child = c.spawn().unwrap();
    // Wait until it listens (its schema is in place), then stop it.
    let start = Instant::now();
    while pg.psql(
        "stop",
        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'",
    ) != "1"
    {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the worker never started listening"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let (code, err) = wait(child, "worker");
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("worker: 0 done"), "{err}");
    // Without an advisory database a worker refuses to start, saying why.
    let empty = dir.path().join("empty");
    let out = bulkhead(&empty, &["worker", "--db", &url, "--drain"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bulkhead db update"));
}

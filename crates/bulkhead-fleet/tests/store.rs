//! The fleet store on a private PostgreSQL cluster (one per test): schema
//! migrations, the job queue (idempotent enqueue, concurrent claims, lease
//! expiry, poison jobs, release, sealed credentials), results and queries.
//! Images and workers are exercised end to end in
//! `crates/bulkhead-cli/tests/fleet.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bulkhead_fleet::queue::{self, JobState, ScanJob};
use bulkhead_fleet::results::{self, ResultMeta, StoredInventory};
use bulkhead_fleet::{ConnectOptions, Enqueued, Fleet, Query, SealKey};
use bulkhead_image::registry::Authorization;
use bulkhead_testkit::postgres::Cluster;
use bulkhead_types::{ArtifactType, Class, Report, ScanResult, Vulnerability};
use std::time::Duration;

const KEY: &str = "8f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

fn digest(n: u32) -> String {
    format!("sha256:{:064x}", n)
}

async fn fleet(url: &str) -> Fleet {
    Fleet::connect(url, &ConnectOptions::default())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_apply_once_even_when_two_processes_start_together() {
    let Some(pg) = Cluster::start() else { return };
    let url = pg.create_db("mig");
    // Two "processes" migrate at the same moment: the advisory lock
    // serialises them and the second applies nothing.
    let (a, b) = tokio::join!(fleet(&url), fleet(&url));
    drop((a, b));
    assert_eq!(
        pg.psql(
            "mig",
            "SELECT version, name FROM schema_migrations ORDER BY version"
        ),
        "1|fleet\n2|harbor_scans"
    );
    let f = fleet(&url).await;
    let mut c = f.client().await.unwrap();
    let again = bulkhead_fleet::db::migrate(&mut c).await.unwrap();
    assert!(again.applied.is_empty(), "{again:?}");
    assert_eq!(again.version, 2);
    // A database migrated by a newer Bulkhead is refused.
    pg.psql(
        "mig",
        "INSERT INTO schema_migrations (version, name) VALUES (99, 'future')",
    );
    let e = bulkhead_fleet::db::migrate(&mut c).await.unwrap_err();
    assert!(e.to_string().contains("upgrade Bulkhead"), "{e}");
    // A server that is not there: the message names it without the password.
    let e = Fleet::connect(
        "postgres://u:hunter2@127.0.0.1:1/x",
        &ConnectOptions {
            connect_timeout: Duration::from_secs(2),
            ..ConnectOptions::default()
        },
    )
    .await
    .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("127.0.0.1:1/x") && !msg.contains("hunter2"),
        "{msg}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_claims_leases_poison_jobs_and_release() {
    let Some(pg) = Cluster::start() else { return };
    let url = pg.create_db("q");
    let f = fleet(&url).await;
    let job = |n: u32| ScanJob::new("127.0.0.1:5000", "lib/app", &digest(n));

    // Enqueue is idempotent per digest.
    let first = f.enqueue(&job(1)).await.unwrap();
    let Enqueued::Queued(id1) = first else {
        panic!("{first:?}")
    };
    assert_eq!(
        f.enqueue(&job(1)).await.unwrap(),
        Enqueued::AlreadyOpen(id1)
    );
    for n in 2..=6 {
        assert!(matches!(
            f.enqueue(&job(n)).await.unwrap(),
            Enqueued::Queued(_)
        ));
    }
    assert_eq!(pg.psql("q", "SELECT count(*) FROM jobs"), "6");

    // Two workers claim at once: disjoint sets, every job taken once.
    let lease = Duration::from_secs(60);
    let (mut ca, mut cb) = (f.client().await.unwrap(), f.client().await.unwrap());
    let (a, b) = tokio::join!(
        queue::claim(&mut ca, "a", lease, 3, None),
        queue::claim(&mut cb, "b", lease, 3, None)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut ids: Vec<i64> = a.iter().chain(&b).map(|c| c.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 6, "{a:?} {b:?}");
    assert!(
        queue::claim(&mut ca, "a", lease, 3, None)
            .await
            .unwrap()
            .is_empty()
    );

    // A worker that dies (no heartbeat): its lease expires and another
    // worker re-claims the job, as a second attempt.
    let ghost = a[0].id;
    pg.psql(
        "q",
        &format!("UPDATE jobs SET lease_until = now() - interval '1 second' WHERE id = {ghost}"),
    );
    let retaken = queue::claim(&mut cb, "b", lease, 5, None).await.unwrap();
    assert_eq!(retaken.iter().map(|c| c.id).collect::<Vec<_>>(), [ghost]);
    assert_eq!(retaken[0].attempts, 2);
    // The dead worker, were it to come back, holds nothing any more: its
    // heartbeat renews nothing and its failure records nothing.
    let held = queue::heartbeat(&ca, &[a[0].lease()], lease).await.unwrap();
    assert!(held.is_empty());
    assert!(
        queue::heartbeat(&cb, &[retaken[0].lease()], lease)
            .await
            .unwrap()
            .contains(&ghost)
    );
    let stale = queue::fail(&mut ca, &a[0].lease(), "late", Duration::ZERO, None)
        .await
        .unwrap();
    assert_eq!(stale, None);
    // A claim that lost its lease to the same worker is fenced too: the
    // token names the attempt.
    pg.psql(
        "q",
        &format!("UPDATE jobs SET lease_until = now() - interval '1 second' WHERE id = {ghost}"),
    );
    let third = queue::claim(&mut cb, "b", lease, 5, None).await.unwrap();
    assert_eq!(third.iter().map(|c| c.id).collect::<Vec<_>>(), [ghost]);
    assert_ne!(third[0].token, retaken[0].token);
    assert!(
        queue::heartbeat(&cb, &[retaken[0].lease()], lease)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        queue::fail(&mut cb, &retaken[0].lease(), "late", Duration::ZERO, None)
            .await
            .unwrap(),
        None
    );
    // Its third attempt was its last: a lease that expires now is not
    // claimed again, the job ends failed.
    pg.psql(
        "q",
        &format!("UPDATE jobs SET lease_until = now() - interval '1 second' WHERE id = {ghost}"),
    );
    assert!(
        queue::claim(&mut ca, "a", lease, 5, None)
            .await
            .unwrap()
            .iter()
            .all(|c| c.id != ghost)
    );
    assert_eq!(f.job(ghost).await.unwrap().unwrap().state, JobState::Failed);

    // A poison job: every attempt fails; after max attempts it ends failed
    // with its error, and the queue moves on.
    let poison = b[0].id;
    let mut state = queue::fail(&mut cb, &b[0].lease(), "boom 1", Duration::ZERO, None)
        .await
        .unwrap();
    assert_eq!(state, Some(JobState::Queued));
    for n in 2..=3 {
        let again = queue::claim(&mut cb, "b", lease, 1, None).await.unwrap();
        assert_eq!(again[0].id, poison);
        assert_eq!(again[0].attempts, n);
        state = queue::fail(
            &mut cb,
            &again[0].lease(),
            &format!("boom {n}"),
            Duration::ZERO,
            None,
        )
        .await
        .unwrap();
    }
    assert_eq!(state, Some(JobState::Failed));
    let info = f.job(poison).await.unwrap().unwrap();
    assert_eq!(info.state, JobState::Failed);
    assert_eq!(info.attempts, 3);
    assert_eq!(info.last_error.as_deref(), Some("boom 3"));
    assert!(
        queue::claim(&mut cb, "b", lease, 5, None)
            .await
            .unwrap()
            .is_empty()
    );
    // A failed digest can be queued again (a new job).
    let again = ScanJob::new("127.0.0.1:5000", "lib/app", &b[0].digest);
    assert!(matches!(
        f.enqueue(&again).await.unwrap(),
        Enqueued::Queued(_)
    ));

    // A job whose lease kept expiring at its last attempt ends failed too.
    let hung = b[1].id;
    pg.psql(
        "q",
        &format!(
            "UPDATE jobs SET attempts = max_attempts, lease_until = now() - interval '1 second' WHERE id = {hung}"
        ),
    );
    let _ = queue::claim(&mut ca, "a", lease, 10, None).await.unwrap();
    let info = f.job(hung).await.unwrap().unwrap();
    assert_eq!(info.state, JobState::Failed);
    assert!(info.last_error.unwrap().contains("lease expired"));

    // Release at shutdown: back to queued, the attempt not counted.
    let held_by_a: Vec<queue::Lease> = a.iter().skip(1).map(|c| c.lease()).collect();
    let n = queue::release(&ca, &held_by_a).await.unwrap();
    assert_eq!(n, held_by_a.len() as u64);
    for l in &held_by_a {
        let j = f.job(l.id).await.unwrap().unwrap();
        assert_eq!((j.state, j.attempts), (JobState::Queued, 0));
    }
    let counts = queue::counts(&**ca).await.unwrap();
    assert_eq!(counts[&JobState::Failed], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_are_sealed_and_dropped_when_the_job_ends() {
    let Some(pg) = Cluster::start() else { return };
    let url = pg.create_db("cred");
    let secret = "pa55-Sekr1t-value";
    let basic = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(format!("robot:{secret}"))
    };
    let auth = Authorization::parse(&format!("Basic {basic}")).unwrap();
    let job = ScanJob {
        authorization: Some(auth.clone()),
        ..ScanJob::new("reg.example", "lib/app", &digest(7))
    };
    // Without the fleet key, credentials are refused rather than stored.
    let e = fleet(&url).await.enqueue(&job).await.unwrap_err();
    assert!(e.to_string().contains("BULKHEAD_FLEET_KEY"), "{e}");
    assert_eq!(pg.psql("cred", "SELECT count(*) FROM jobs"), "0");

    let key = SealKey::from_hex(KEY).unwrap();
    let f = fleet(&url).await.with_key(Some(key.clone()));
    let id = f.enqueue(&job).await.unwrap().job_id().unwrap();
    let dump = pg.dump("cred");
    assert!(
        !dump.contains(secret) && !dump.contains(&basic),
        "the dump holds the secret"
    );
    assert_eq!(pg.psql("cred", "SELECT count(*) FROM job_credentials"), "1");

    // The worker's claim opens them with the same key.
    let mut c = f.client().await.unwrap();
    let claimed = queue::claim(&mut c, "w", Duration::from_secs(60), 1, None)
        .await
        .unwrap();
    let sealed = claimed[0].sealed.clone().unwrap();
    assert_eq!(key.open("reg.example", &sealed).unwrap(), auth);

    // The job ends (failed at its last attempt): the credentials go.
    pg.psql(
        "cred",
        &format!("UPDATE jobs SET max_attempts = 1 WHERE id = {id}"),
    );
    let state = queue::fail(&mut c, &claimed[0].lease(), "denied", Duration::ZERO, None)
        .await
        .unwrap();
    assert_eq!(state, Some(JobState::Failed));
    assert_eq!(pg.psql("cred", "SELECT count(*) FROM job_credentials"), "0");
    let dump = pg.dump("cred");
    assert!(!dump.contains(secret) && !dump.contains(&basic));
    assert!(!pg.log().contains(secret) && !pg.log().contains(&basic));
}

fn vuln(id: &str, alias: &str, pkg: &str, version: &str, sev: &str, kev: bool) -> Vulnerability {
    serde_json::from_value(serde_json::json!({
        "VulnerabilityID": id, "Aliases": [alias], "PkgID": format!("{pkg}@{version}"),
        "PkgName": pkg, "PkgIdentifier": {}, "InstalledVersion": version,
        "FixedVersion": "9.9", "Status": "fixed", "Severity": sev, "KEV": kev
    }))
    .unwrap()
}

fn report(vulns: Vec<Vulnerability>) -> (Report, StoredInventory) {
    let mut r = Report::new("img", ArtifactType::ContainerImage);
    let mut res = ScanResult::new("img (debian 12)", Class::OsPkgs, "debian");
    res.vulnerabilities = vulns;
    r.results.push(res);
    let set = bulkhead_scan::PackageSet {
        path: "var/lib/dpkg/status".into(),
        kind: "debian".into(),
        ecosystem: bulkhead_types::Ecosystem::Dpkg,
        packages: vec![
            bulkhead_types::Package::new(bulkhead_types::Ecosystem::Dpkg, "zlib1g", "1.2"),
            bulkhead_types::Package::new(bulkhead_types::Ecosystem::Dpkg, "openssl", "3.0"),
        ],
    };
    (
        r,
        StoredInventory {
            os: None,
            package_sets: vec![set],
            warnings: vec![],
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_upsert_by_digest_and_answer_queries() {
    let Some(pg) = Cluster::start() else { return };
    let url = pg.create_db("res");
    let f = fleet(&url).await;
    let meta = ResultMeta {
        registry: "reg".into(),
        repository: "lib/app".into(),
        tag: Some("1".into()),
        scanner_version: "0.1.0".into(),
        analyzers_key: bulkhead_engine::analyzers_key(),
        db_built_at: Some("2026-01-02T03:04:05Z".into()),
        layers_reused: 1,
        layers_analyzed: 1,
        scan_seconds: 0.5,
        job_id: None,
    };
    let a = report(vec![
        vuln("CVE-2099-1", "GHSA-aaaa", "zlib1g", "1.2", "HIGH", true),
        vuln("CVE-2099-2", "DSA-2", "openssl", "3.0", "LOW", false),
    ]);
    let b = report(vec![vuln(
        "CVE-2099-2",
        "DSA-2",
        "openssl",
        "3.0",
        "LOW",
        false,
    )]);
    let mut c = f.client().await.unwrap();
    // A job that runs twice writes one result.
    for _ in 0..2 {
        let tx = c.transaction().await.unwrap();
        results::upsert(&*tx, &digest(1), &a.0, &a.1, &meta)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let tx = c.transaction().await.unwrap();
    results::upsert(&*tx, &digest(2), &b.0, &b.1, &meta)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(pg.psql("res", "SELECT count(*) FROM results"), "2");
    assert_eq!(pg.psql("res", "SELECT count(*) FROM findings"), "3");
    let stored = f.result(&digest(1)).await.unwrap().unwrap();
    assert_eq!(stored.inventory, a.1);
    assert_eq!(stored.report.results[0].vulnerabilities.len(), 2);
    assert_eq!(stored.db_built_at.as_deref(), Some("2026-01-02T03:04:05Z"));
    // A current result makes enqueueing its digest a no-op.
    assert_eq!(
        f.enqueue(&ScanJob::new("reg", "lib/app", &digest(1)))
            .await
            .unwrap(),
        Enqueued::AlreadyScanned
    );

    let hits = |q: bulkhead_types::fleet::FleetQuery| -> Vec<String> {
        q.images.into_iter().map(|i| i.digest).collect()
    };
    assert_eq!(
        hits(f.query(&Query::Cve("CVE-2099-1".into())).await.unwrap()),
        [digest(1)]
    );
    assert_eq!(
        hits(f.query(&Query::Cve("GHSA-aaaa".into())).await.unwrap()),
        [digest(1)]
    );
    assert_eq!(
        hits(f.query(&Query::Cve("DSA-2".into())).await.unwrap()),
        [digest(1), digest(2)]
    );
    assert_eq!(hits(f.query(&Query::Kev).await.unwrap()), [digest(1)]);
    let high = Query::Severity(vec![bulkhead_types::Severity::High]);
    assert_eq!(hits(f.query(&high).await.unwrap()), [digest(1)]);
    let pkg = Query::package("openssl@3.0").unwrap();
    let q = f.query(&pkg).await.unwrap();
    assert_eq!(hits(q.clone()), [digest(1), digest(2)]);
    // A tag names one digest: `:1` moved to the second result; the first
    // keeps the by-digest name it was queued under.
    assert_eq!(q.images[1].names, ["reg/lib/app:1"]);
    assert_eq!(q.images[0].names, [format!("reg/lib/app@{}", digest(1))]);
    assert!(
        hits(
            f.query(&Query::package("openssl@1.0").unwrap())
                .await
                .unwrap()
        )
        .is_empty()
    );

    let m = f.metrics().await.unwrap();
    assert_eq!((m.results, m.layers_reused, m.layers_analyzed), (2, 2, 2));
    let d = f.scan_durations(&[0.1, 1.0]).await.unwrap();
    assert_eq!(d.buckets, [(0.1, 0), (1.0, 2)]);
    assert_eq!(d.count, 2);
    // `--cve` is answered from the index, not by reading every row.
    let plan = pg.psql(
        "res",
        "SET enable_seqscan = off; EXPLAIN SELECT digest FROM findings WHERE vuln_id = 'X' OR aliases @> ARRAY['X']",
    );
    assert!(
        plan.contains("findings_by_id") && plan.contains("findings_by_alias"),
        "{plan}"
    );
}

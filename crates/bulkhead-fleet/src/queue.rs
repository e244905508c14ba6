//! The scan job queue on PostgreSQL.
//!
//! - **Enqueue** ([`enqueue`]): one job per manifest digest. A digest with a
//!   current result (same analyzer versions) or an open job is not queued
//!   again (`jobs_one_open_per_digest`, a partial unique index, makes that
//!   hold under concurrent enqueues). A new job is announced with
//!   `NOTIFY bulkhead_jobs`.
//! - **Claim** ([`claim`]): `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP
//!   LOCKED LIMIT n) RETURNING …` over queued jobs whose backoff has passed
//!   and running jobs whose lease expired (their worker died or hung): any
//!   number of workers claim concurrently without taking the same job. Each
//!   claim counts an attempt and sets a lease (`lease_owner`,
//!   `lease_until`), which the worker's heartbeat ([`heartbeat`]) renews.
//! - **Poison jobs**: a job whose attempts reach its maximum ends `failed`
//!   with its last error, whether its scans failed ([`fail`]) or its
//!   leases kept expiring (the worker crashed on it every time); the queue
//!   moves on.
//! - **Release** ([`release`]): a worker shutting down puts its jobs back to
//!   `queued` without counting the attempt.
//!
//! A job's sealed credentials (`job_credentials`) are deleted in the same
//! transaction that ends it (`done` or `failed`).

use crate::error::{DbContext, Error, Result};
use crate::seal::{SealKey, Sealed};
use bulkhead_image::registry::{Authorization, is_repository, is_tag};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio_postgres::{Client, GenericClient};

/// The notification channel of new jobs.
pub const CHANNEL: &str = "bulkhead_jobs";

/// Default attempts before a job ends failed.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// Longest error text kept per job.
const MAX_ERROR_CHARS: usize = 2000;

/// A job's id.
pub type JobId = i64;

/// A scan to queue: an image by digest in a registry.
#[derive(Debug, Clone)]
pub struct ScanJob {
    /// Registry host (`host[:port]`).
    pub registry: String,
    pub repository: String,
    /// Manifest (or index) digest, `sha256:<64 hex>`.
    pub digest: String,
    /// The tag it was found under, if any (for names in listings).
    pub tag: Option<String>,
    /// Plain HTTP or unverified TLS for this registry.
    pub insecure: bool,
    /// Credentials for the registry (sealed before they are stored; needs
    /// the fleet key).
    pub authorization: Option<Authorization>,
    /// Attempts before the job ends failed.
    pub max_attempts: u32,
}

impl ScanJob {
    /// A job for `registry/repository@digest` with the defaults.
    pub fn new(registry: &str, repository: &str, digest: &str) -> ScanJob {
        ScanJob {
            registry: registry.to_string(),
            repository: repository.to_string(),
            digest: digest.to_string(),
            tag: None,
            insecure: false,
            authorization: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }

    /// Check every field (they end up in image references and statements).
    pub fn validate(&self) -> Result<()> {
        let bad = |what: String| Err(Error::Input(what));
        let host_ok = !self.registry.is_empty()
            && self.registry.len() <= 255
            && self.registry.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
            });
        if !host_ok {
            return bad(format!(
                "bad registry {:?}: give host[:port]",
                self.registry.chars().take(100).collect::<String>()
            ));
        }
        if !is_repository(&self.repository) {
            return bad(format!(
                "bad repository name {:?}",
                self.repository.chars().take(100).collect::<String>()
            ));
        }
        if !is_digest(&self.digest) {
            return bad(format!(
                "bad digest {:?}: give sha256:<64 hex digits>",
                self.digest.chars().take(100).collect::<String>()
            ));
        }
        if let Some(t) = &self.tag
            && !is_tag(t)
        {
            return bad(format!(
                "bad tag {:?}",
                t.chars().take(140).collect::<String>()
            ));
        }
        if !(1..=100).contains(&self.max_attempts) {
            return bad(format!(
                "max attempts must be 1 to 100, not {}",
                self.max_attempts
            ));
        }
        Ok(())
    }
}

/// `sha256:` and 64 lowercase hex digits.
pub fn is_digest(d: &str) -> bool {
    d.strip_prefix("sha256:").is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// What [`enqueue`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// A new job.
    Queued(JobId),
    /// The digest already had an open job (this one).
    AlreadyOpen(JobId),
    /// The digest already has a current result: nothing to do.
    AlreadyScanned,
}

impl Enqueued {
    /// The job id, when there is a job.
    pub fn job_id(self) -> Option<JobId> {
        match self {
            Enqueued::Queued(id) | Enqueued::AlreadyOpen(id) => Some(id),
            Enqueued::AlreadyScanned => None,
        }
    }
}

/// A job's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobState {
    /// Every state, in lifecycle order.
    pub const ALL: [JobState; 4] = [
        JobState::Queued,
        JobState::Running,
        JobState::Done,
        JobState::Failed,
    ];

    /// The name stored in `jobs.state`.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<JobState> {
        JobState::ALL
            .into_iter()
            .find(|j| j.as_str() == s)
            .ok_or_else(|| Error::Data(format!("unknown job state {s:?} in the database")))
    }
}

/// A job as stored (credentials excepted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobInfo {
    pub id: JobId,
    pub registry: String,
    pub repository: String,
    pub digest: String,
    pub tag: Option<String>,
    pub state: JobState,
    pub attempts: u32,
    pub max_attempts: u32,
    pub has_credentials: bool,
    pub lease_owner: Option<String>,
    pub last_error: Option<String>,
    /// The digest of its result, once done.
    pub result_digest: Option<String>,
    /// RFC 3339 times (UTC).
    pub created_at: String,
    pub updated_at: String,
}

/// One claim of a job: the job and the token of that claim (its
/// `lease_owner`: the worker's name and the attempt number). Every later
/// step of the claim (heartbeat, complete, fail, release) presents it, so a
/// claim whose lease expired and was taken over, even by the same worker,
/// changes nothing any more.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lease {
    pub id: JobId,
    pub token: String,
}

/// A job a worker claimed.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: JobId,
    /// This claim's lease token (see [`Lease`]).
    pub token: String,
    pub registry: String,
    pub repository: String,
    pub digest: String,
    pub tag: Option<String>,
    pub insecure: bool,
    /// Attempts so far, this one included.
    pub attempts: u32,
    pub max_attempts: u32,
    /// Sealed credentials, when the job came with some.
    pub sealed: Option<Sealed>,
}

impl Claimed {
    /// This claim's lease.
    pub fn lease(&self) -> Lease {
        Lease {
            id: self.id,
            token: self.token.clone(),
        }
    }

    /// `registry/repository@digest`.
    pub fn image(&self) -> String {
        format!("{}/{}@{}", self.registry, self.repository, self.digest)
    }
}

/// SQL for an RFC 3339 UTC rendering of a timestamptz column.
macro_rules! rfc3339 {
    ($col:literal) => {
        concat!(
            "to_char(",
            $col,
            " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        )
    };
}
pub(crate) use rfc3339;

fn to_u32(v: i32) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

fn to_i32(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// Keep the reference (`registry/repository:tag`, or `@digest`) that led
/// to `digest`.
pub(crate) async fn record_ref(
    c: &impl GenericClient,
    registry: &str,
    repository: &str,
    tag: Option<&str>,
    digest: &str,
) -> Result<()> {
    c.execute(
        "INSERT INTO image_refs (registry, repository, tag, digest) VALUES ($1, $2, $3, $4)
         ON CONFLICT (registry, repository, tag)
         DO UPDATE SET digest = EXCLUDED.digest, seen_at = now()",
        &[&registry, &repository, &tag.unwrap_or(digest), &digest],
    )
    .await
    .db("cannot record the image reference")?;
    Ok(())
}

/// Queue a scan of `job` (see the module documentation). `analyzers_key`
/// is the current analyzer versions key: a result made with another one is
/// not current. Credentials need `key`.
pub async fn enqueue(
    client: &mut Client,
    job: &ScanJob,
    key: Option<&SealKey>,
    analyzers_key: &str,
) -> Result<Enqueued> {
    job.validate()?;
    let sealed = match (&job.authorization, key) {
        (None, _) => None,
        (Some(a), Some(k)) => Some(k.seal(&job.registry, a)?),
        (Some(_), None) => {
            return Err(Error::Input(format!(
                "registry credentials came with the scan but {} is not set: set it (64 hex digits, \
                 `openssl rand -hex 32`) on the enqueuer and every worker, so they are stored sealed",
                crate::seal::KEY_ENV
            )));
        }
    };
    // A job that ends between the insert's conflict and the look-up of the
    // open job is retried.
    for _ in 0..3 {
        let tx = client
            .transaction()
            .await
            .db("cannot start the enqueue transaction")?;
        record_ref(
            &tx,
            &job.registry,
            &job.repository,
            job.tag.as_deref(),
            &job.digest,
        )
        .await?;
        let scanned = tx
            .query_opt(
                "SELECT 1 FROM results WHERE digest = $1 AND analyzers_key = $2",
                &[&job.digest, &analyzers_key],
            )
            .await
            .db("cannot look up the result")?
            .is_some();
        if scanned {
            tx.commit().await.db("cannot commit the enqueue")?;
            return Ok(Enqueued::AlreadyScanned);
        }
        let inserted = tx
            .query_opt(
                "INSERT INTO jobs (registry, repository, digest, tag, insecure, has_credentials, max_attempts)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (digest) WHERE state IN ('queued', 'running') DO NOTHING
                 RETURNING id",
                &[
                    &job.registry,
                    &job.repository,
                    &job.digest,
                    &job.tag,
                    &job.insecure,
                    &sealed.is_some(),
                    &to_i32(job.max_attempts),
                ],
            )
            .await
            .db("cannot queue the scan")?;
        if let Some(row) = inserted {
            let id: JobId = row.get(0);
            if let Some(s) = &sealed {
                store_sealed(&tx, id, s).await?;
            }
            tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &id.to_string()])
                .await
                .db("cannot notify the workers")?;
            tx.commit().await.db("cannot commit the enqueue")?;
            return Ok(Enqueued::Queued(id));
        }
        let open = tx
            .query_opt(
                "SELECT id, has_credentials, registry FROM jobs
                 WHERE digest = $1 AND state IN ('queued', 'running')",
                &[&job.digest],
            )
            .await
            .db("cannot look up the open job")?;
        let Some(open) = open else {
            tx.rollback().await.db("cannot roll back the enqueue")?;
            continue;
        };
        let id: JobId = open.get(0);
        let has_credentials: bool = open.get(1);
        let registry: String = open.get(2);
        // Credentials for a job that has none (and the same registry) help
        // it, while it is still open: the update locks the row first, so
        // a job that ended meanwhile gets none (they would outlive it).
        if let Some(s) = &sealed
            && !has_credentials
            && registry == job.registry
        {
            let still_open = tx
                .query_opt(
                    "UPDATE jobs SET has_credentials = true
                     WHERE id = $1 AND state IN ('queued', 'running') RETURNING id",
                    &[&id],
                )
                .await
                .db("cannot attach the credentials")?
                .is_some();
            if still_open {
                store_sealed(&tx, id, s).await?;
            }
        }
        tx.commit().await.db("cannot commit the enqueue")?;
        return Ok(Enqueued::AlreadyOpen(id));
    }
    Err(Error::Internal(
        "the digest's job kept changing while it was being queued".into(),
    ))
}

async fn store_sealed(c: &impl GenericClient, id: JobId, s: &Sealed) -> Result<()> {
    c.execute(
        "INSERT INTO job_credentials (job_id, nonce, sealed) VALUES ($1, $2, $3)
         ON CONFLICT (job_id) DO NOTHING",
        &[&id, &s.nonce, &s.sealed],
    )
    .await
    .db("cannot store the sealed credentials")?;
    Ok(())
}

/// Claim up to `n` jobs for `owner` with a lease of `lease`. Jobs whose
/// leases expired at their last attempt end failed first (see the module
/// documentation). `max_attempts`: the worker's limit, overriding the jobs'.
pub async fn claim(
    client: &mut Client,
    owner: &str,
    lease: Duration,
    n: u32,
    max_attempts: Option<u32>,
) -> Result<Vec<Claimed>> {
    let limit = max_attempts.map(to_i32);
    let tx = client
        .transaction()
        .await
        .db("cannot start the claim transaction")?;
    // Jobs that kept killing (or hanging) their workers.
    let expired = "WITH dead AS (
             UPDATE jobs SET state = 'failed',
                 last_error = 'gave up after ' || attempts || ' attempt(s): the lease expired (the worker died or hung mid-scan)'
                     || COALESCE('; the last error: ' || last_error, ''),
                 lease_owner = NULL, lease_until = NULL, finished_at = now(), updated_at = now()
             WHERE id IN (SELECT id FROM jobs
                          WHERE state = 'running' AND lease_until < now()
                            AND attempts >= COALESCE($1::integer, max_attempts)
                          FOR UPDATE SKIP LOCKED)
             RETURNING id)
         DELETE FROM job_credentials WHERE job_id IN (SELECT id FROM dead)";
    tx.execute(expired, &[&limit])
        .await
        .db("cannot end the jobs whose leases kept expiring")?;
    // The lease token is the owner and the attempt: unique per claim.
    let rows = tx
        .query(
            "UPDATE jobs j SET state = 'running', attempts = j.attempts + 1,
                 lease_owner = $1 || '/' || (j.attempts + 1),
                 lease_until = now() + make_interval(secs => $2),
                 updated_at = now()
             WHERE j.id IN (SELECT id FROM jobs
                            WHERE (state = 'queued' AND run_after <= now())
                               OR (state = 'running' AND lease_until < now()
                                   AND attempts < COALESCE($4::integer, max_attempts))
                            ORDER BY id
                            FOR UPDATE SKIP LOCKED
                            LIMIT $3)
             RETURNING j.id, j.registry, j.repository, j.digest, j.tag, j.insecure,
                       j.attempts, j.max_attempts, j.has_credentials, j.lease_owner",
            &[&owner, &lease.as_secs_f64(), &i64::from(n), &limit],
        )
        .await
        .db("cannot claim jobs")?;
    let mut claimed: Vec<Claimed> = rows
        .iter()
        .map(|r| Claimed {
            id: r.get(0),
            token: r.get(9),
            registry: r.get(1),
            repository: r.get(2),
            digest: r.get(3),
            tag: r.get(4),
            insecure: r.get(5),
            attempts: to_u32(r.get(6)),
            max_attempts: max_attempts.unwrap_or_else(|| to_u32(r.get(7))),
            sealed: None,
        })
        .collect();
    claimed.sort_by_key(|c| c.id);
    let with_creds: Vec<JobId> = rows
        .iter()
        .filter(|r| r.get::<_, bool>(8))
        .map(|r| r.get(0))
        .collect();
    if !with_creds.is_empty() {
        let creds = tx
            .query(
                "SELECT job_id, nonce, sealed FROM job_credentials WHERE job_id = ANY($1)",
                &[&with_creds],
            )
            .await
            .db("cannot read the jobs' sealed credentials")?;
        for r in creds {
            let id: JobId = r.get(0);
            if let Some(c) = claimed.iter_mut().find(|c| c.id == id) {
                c.sealed = Some(Sealed {
                    nonce: r.get(1),
                    sealed: r.get(2),
                });
            }
        }
    }
    tx.commit().await.db("cannot commit the claim")?;
    Ok(claimed)
}

/// The ids and tokens of `leases`, as two arrays for `unnest`.
fn lease_arrays(leases: &[Lease]) -> (Vec<JobId>, Vec<&str>) {
    (
        leases.iter().map(|l| l.id).collect(),
        leases.iter().map(|l| l.token.as_str()).collect(),
    )
}

/// Renew `leases`; returns the ids still held (a job missing from it was
/// taken over after its lease expired).
pub async fn heartbeat(client: &Client, leases: &[Lease], lease: Duration) -> Result<Vec<JobId>> {
    if leases.is_empty() {
        return Ok(Vec::new());
    }
    let (ids, tokens) = lease_arrays(leases);
    let rows = client
        .query(
            "UPDATE jobs j SET lease_until = now() + make_interval(secs => $3), updated_at = now()
             FROM unnest($1::bigint[], $2::text[]) AS l(id, token)
             WHERE j.id = l.id AND j.lease_owner = l.token AND j.state = 'running'
             RETURNING j.id",
            &[&ids, &tokens, &lease.as_secs_f64()],
        )
        .await
        .db("cannot renew the leases")?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Mark the job of `lease` done (inside the transaction that stores its
/// result, before the result is written) and drop its credentials. False
/// when the claim no longer holds it (taken over after its lease expired):
/// the caller then stores nothing.
pub(crate) async fn complete(tx: &impl GenericClient, lease: &Lease, digest: &str) -> Result<bool> {
    let (id, owner) = (lease.id, lease.token.as_str());
    let n = tx
        .execute(
            "UPDATE jobs SET state = 'done', result_digest = $3, lease_owner = NULL,
                 lease_until = NULL, last_error = NULL, finished_at = now(), updated_at = now()
             WHERE id = $1 AND lease_owner = $2 AND state = 'running'",
            &[&id, &owner, &digest],
        )
        .await
        .db("cannot mark the job done")?;
    if n > 0 {
        tx.execute("DELETE FROM job_credentials WHERE job_id = $1", &[&id])
            .await
            .db("cannot delete the job's credentials")?;
    }
    Ok(n > 0)
}

/// Record a failed attempt of the job of `lease`: back to `queued` after
/// `backoff`, or `failed` at its last attempt (credentials dropped).
/// Returns the new state (None when the claim no longer held it).
pub async fn fail(
    client: &mut Client,
    lease: &Lease,
    error: &str,
    backoff: Duration,
    max_attempts: Option<u32>,
) -> Result<Option<JobState>> {
    let (id, owner) = (lease.id, lease.token.as_str());
    let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
    let limit = max_attempts.map(to_i32);
    let tx = client
        .transaction()
        .await
        .db("cannot start the failure transaction")?;
    // The attempt limit is the worker's ($5) when it sets one.
    let sql = "UPDATE jobs SET
             state = CASE WHEN attempts >= COALESCE($5::integer, max_attempts)
                          THEN 'failed' ELSE 'queued' END,
             finished_at = CASE WHEN attempts >= COALESCE($5::integer, max_attempts)
                                THEN now() END,
             last_error = $3, lease_owner = NULL, lease_until = NULL,
             run_after = now() + make_interval(secs => $4), updated_at = now()
         WHERE id = $1 AND lease_owner = $2 AND state = 'running'
         RETURNING state";
    let row = tx
        .query_opt(sql, &[&id, &owner, &error, &backoff.as_secs_f64(), &limit])
        .await
        .db("cannot record the failed attempt")?;
    let state = match row {
        Some(r) => Some(JobState::parse(r.get(0))?),
        None => None,
    };
    match state {
        Some(JobState::Failed) => {
            tx.execute("DELETE FROM job_credentials WHERE job_id = $1", &[&id])
                .await
                .db("cannot delete the job's credentials")?;
        }
        Some(JobState::Queued) => {
            tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &id.to_string()])
                .await
                .db("cannot notify the workers")?;
        }
        _ => {}
    }
    tx.commit().await.db("cannot commit the failed attempt")?;
    Ok(state)
}

/// Put the jobs of `leases` back to `queued` without counting the attempt
/// (a worker shutting down); returns how many were released.
pub async fn release(client: &Client, leases: &[Lease]) -> Result<u64> {
    if leases.is_empty() {
        return Ok(0);
    }
    let (ids, tokens) = lease_arrays(leases);
    let n = client
        .execute(
            "WITH released AS (
                 UPDATE jobs j SET state = 'queued', attempts = GREATEST(j.attempts - 1, 0),
                     lease_owner = NULL, lease_until = NULL, updated_at = now()
                 FROM unnest($1::bigint[], $2::text[]) AS l(id, token)
                 WHERE j.id = l.id AND j.lease_owner = l.token AND j.state = 'running'
                 RETURNING j.id)
             SELECT pg_notify($3, id::text) FROM released",
            &[&ids, &tokens, &CHANNEL],
        )
        .await
        .db("cannot release the jobs")?;
    Ok(n)
}

/// One job (None when there is no such id).
pub async fn job(client: &impl GenericClient, id: JobId) -> Result<Option<JobInfo>> {
    let sql = concat!(
        "SELECT id, registry, repository, digest, tag, state, attempts, max_attempts,
                has_credentials, lease_owner, last_error, result_digest, ",
        rfc3339!("created_at"),
        ", ",
        rfc3339!("updated_at"),
        " FROM jobs WHERE id = $1"
    );
    let row = client
        .query_opt(sql, &[&id])
        .await
        .db("cannot read the job")?;
    row.map(|r| {
        Ok(JobInfo {
            id: r.get(0),
            registry: r.get(1),
            repository: r.get(2),
            digest: r.get(3),
            tag: r.get(4),
            state: JobState::parse(r.get(5))?,
            attempts: to_u32(r.get(6)),
            max_attempts: to_u32(r.get(7)),
            has_credentials: r.get(8),
            lease_owner: r.get(9),
            last_error: r.get(10),
            result_digest: r.get(11),
            created_at: r.get(12),
            updated_at: r.get(13),
        })
    })
    .transpose()
}

/// Jobs by state (every state present).
pub async fn counts(client: &impl GenericClient) -> Result<BTreeMap<JobState, u64>> {
    let rows = client
        .query("SELECT state, count(*) FROM jobs GROUP BY state", &[])
        .await
        .db("cannot count the jobs")?;
    let mut out: BTreeMap<JobState, u64> = JobState::ALL.into_iter().map(|s| (s, 0)).collect();
    for r in rows {
        let n: i64 = r.get(1);
        out.insert(JobState::parse(r.get(0))?, u64::try_from(n).unwrap_or(0));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn digest() -> String {
        format!("sha256:{}", "a1".repeat(32))
    }

    #[test]
    fn jobs_are_validated() {
        assert!(
            ScanJob::new("127.0.0.1:5000", "lib/app", &digest())
                .validate()
                .is_ok()
        );
        let bad = [
            ScanJob::new("", "lib/app", &digest()),
            ScanJob::new("reg/../x", "lib/app", &digest()),
            ScanJob::new("reg", "Lib/App", &digest()),
            ScanJob::new("reg", "lib/app", "sha256:abc"),
            ScanJob::new("reg", "lib/app", &digest().to_uppercase()),
            ScanJob::new("reg", "lib/app", "latest"),
            ScanJob {
                tag: Some("bad tag".into()),
                ..ScanJob::new("reg", "lib/app", &digest())
            },
            ScanJob {
                max_attempts: 0,
                ..ScanJob::new("reg", "lib/app", &digest())
            },
        ];
        for j in bad {
            assert!(j.validate().is_err(), "{j:?}");
        }
    }

    #[test]
    fn states_round_trip() {
        for s in JobState::ALL {
            assert_eq!(JobState::parse(s.as_str()).unwrap(), s);
        }
        assert!(JobState::parse("lost").is_err());
    }
}

//! The scan requests a scan server accepted for Harbor (`harbor_scans`):
//! the id Harbor polls, what it asked for, the job that answers. The server
//! keeps the artifact and capabilities as JSON of its own shape; this crate
//! only stores them.

use crate::error::{DbContext, Result};
use crate::queue::{JobId, rfc3339};
use crate::{Fleet, JobInfo};

/// One accepted request.
#[derive(Debug, Clone, PartialEq)]
pub struct HarborScan {
    pub id: String,
    pub digest: String,
    /// The job scanning the digest (None: a current result already existed).
    pub job_id: Option<JobId>,
    pub artifact: serde_json::Value,
    pub capabilities: serde_json::Value,
    /// RFC 3339 (UTC).
    pub created_at: String,
}

/// Longest request id looked up (ids are UUIDs; anything longer is unknown).
const MAX_ID: usize = 64;

impl Fleet {
    /// Record an accepted request.
    pub async fn record_harbor_scan(&self, scan: &HarborScan) -> Result<()> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO harbor_scans (id, digest, job_id, artifact, capabilities)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &scan.id,
                &scan.digest,
                &scan.job_id,
                &scan.artifact,
                &scan.capabilities,
            ],
        )
        .await
        .db("cannot record the scan request")?;
        // Harbor polls a request for minutes, not months: old ones go.
        c.execute(
            "DELETE FROM harbor_scans WHERE created_at < now() - interval '30 days'",
            &[],
        )
        .await
        .db("cannot forget old scan requests")?;
        Ok(())
    }

    /// A request by id, with its job. `id` is untrusted text: anything not
    /// found (or too long to be an id) is `None`.
    pub async fn harbor_scan(&self, id: &str) -> Result<Option<(HarborScan, Option<JobInfo>)>> {
        if id.is_empty() || id.len() > MAX_ID {
            return Ok(None);
        }
        let c = self.client().await?;
        let row = c
            .query_opt(
                concat!(
                    "SELECT id, digest, job_id, artifact, capabilities, ",
                    rfc3339!("created_at"),
                    " FROM harbor_scans WHERE id = $1"
                ),
                &[&id],
            )
            .await
            .db("cannot read the scan request")?;
        let Some(row) = row else { return Ok(None) };
        let scan = HarborScan {
            id: row.get(0),
            digest: row.get(1),
            job_id: row.get(2),
            artifact: row.get(3),
            capabilities: row.get(4),
            created_at: row.get(5),
        };
        let job = match scan.job_id {
            Some(j) => crate::queue::job(&**c, j).await?,
            None => None,
        };
        Ok(Some((scan, job)))
    }

    /// When the newest advisory database any stored result was matched
    /// with was built (RFC 3339), for a server's metadata.
    pub async fn newest_db_built_at(&self) -> Result<Option<String>> {
        let c = self.client().await?;
        let row = c
            .query_one(
                concat!("SELECT ", rfc3339!("max(db_built_at)"), " FROM results"),
                &[],
            )
            .await
            .db("cannot read the results' database times")?;
        Ok(row.get(0))
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        match self.client().await {
            Ok(c) => c.simple_query("SELECT 1").await.is_ok(),
            Err(_) => false,
        }
    }
}

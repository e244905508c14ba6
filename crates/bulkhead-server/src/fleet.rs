//! [`FleetBackend`]: the [`Backend`] of `bulkhead server --db`. Scans are
//! jobs in the fleet's PostgreSQL queue, run by `bulkhead worker`s on any
//! machine; reports are the results the workers stored by manifest digest.
//! The server itself never scans: every method is a few queries, awaited on
//! the reactor without blocking it (tokio-postgres is async).
//!
//! Harbor's scan id names a row of `harbor_scans` (what Harbor asked for
//! and the job that answers), so every state survives a server restart and
//! any server replica answers a poll. Registry credentials go into the job
//! sealed with the fleet key (`BULKHEAD_FLEET_KEY`), never in clear.

use crate::backend::{
    Backend, BackendError, BackendInfo, BoxFuture, Capabilities, Histogram, Metrics, ReportState,
    ScanId, ScanSubmission, Stored,
};
use bulkhead_fleet::{Fleet, HarborScan, JobState, ScanJob};
use bulkhead_image::registry::Authorization;
use bulkhead_report::harbor::{Artifact, SbomMediaType};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How the fleet backend behaves.
#[derive(Debug, Clone)]
pub struct FleetConfig {
    /// What Harbor is told to wait before polling a pending report again.
    pub retry_after: Duration,
    /// Attempts per job before it ends failed.
    pub max_attempts: u32,
}

impl Default for FleetConfig {
    fn default() -> Self {
        FleetConfig {
            retry_after: Duration::from_secs(5),
            max_attempts: 3,
        }
    }
}

/// Scans through the fleet database (see the module documentation).
#[derive(Debug)]
pub struct FleetBackend {
    fleet: Fleet,
    cfg: FleetConfig,
    closing: AtomicBool,
}

impl FleetBackend {
    /// A backend on a connected fleet (its schema migrated, its seal key
    /// set when Harbor passes registry credentials).
    pub fn new(fleet: Fleet, cfg: FleetConfig) -> FleetBackend {
        FleetBackend {
            fleet,
            cfg,
            closing: AtomicBool::new(false),
        }
    }
}

/// The capabilities as `harbor_scans` keeps them.
#[derive(Debug, Serialize, Deserialize)]
struct StoredCaps {
    vulnerability: bool,
    sbom: bool,
    #[serde(default)]
    sbom_media_types: Vec<String>,
}

impl From<&Capabilities> for StoredCaps {
    fn from(c: &Capabilities) -> Self {
        StoredCaps {
            vulnerability: c.vulnerability,
            sbom: c.sbom,
            sbom_media_types: c
                .sbom_media_types
                .iter()
                .map(|m| m.as_str().to_string())
                .collect(),
        }
    }
}

impl From<StoredCaps> for Capabilities {
    fn from(c: StoredCaps) -> Self {
        Capabilities {
            vulnerability: c.vulnerability,
            sbom: c.sbom,
            sbom_media_types: c
                .sbom_media_types
                .iter()
                .filter_map(|m| SbomMediaType::parse(m))
                .collect(),
        }
    }
}

/// A failure of the fleet's database or its stored data. Its detail
/// (which can name the database's host and port) goes to the server's log
/// only; Harbor, whose users see the message, is told what failed and
/// where to look.
fn internal(what: &str, e: impl std::fmt::Display) -> BackendError {
    tracing::error!("{what}: {e}");
    BackendError::Internal(format!("{what} (details in the scanner's log)"))
}

fn to_json<T: Serialize>(v: &T) -> Result<serde_json::Value, BackendError> {
    serde_json::to_value(v).map_err(|e| internal("cannot encode the scan request", e))
}

impl Backend for FleetBackend {
    fn submit(&self, scan: ScanSubmission) -> BoxFuture<'_, Result<ScanId, BackendError>> {
        Box::pin(async move {
            if self.closing.load(Ordering::SeqCst) {
                return Err(BackendError::Busy(
                    "the server is shutting down: submit the scan to another instance or later"
                        .into(),
                ));
            }
            if scan.authorization.is_some() && !self.fleet.has_key() {
                // The server's set-up, not the request, is at fault.
                // Worded for the log's redaction, which hides the word
                // after a secret-looking name ("credentials", "key").
                tracing::error!(
                    "cannot accept a scan with a registry login: nothing to seal it with \
                     (set {}: 64 hex digits, the same on the server and every worker)",
                    bulkhead_fleet::seal::KEY_ENV
                );
                return Err(BackendError::Internal(format!(
                    "the scanner cannot keep registry credentials: its {} is not set \
                     (details in the scanner's log)",
                    bulkhead_fleet::seal::KEY_ENV
                )));
            }
            let mut job = ScanJob::new(&scan.registry_host, &scan.repository, &scan.digest);
            job.tag = (!scan.tag.is_empty()).then(|| scan.tag.clone());
            job.insecure = scan.plain_http;
            job.max_attempts = self.cfg.max_attempts;
            job.authorization = match &scan.authorization {
                // The request parser already checked the value's shape;
                // the message never repeats it.
                Some(a) => Some(Authorization::parse(a.expose()).map_err(BackendError::Invalid)?),
                None => None,
            };
            let queued = self.fleet.enqueue(&job).await.map_err(|e| match e {
                bulkhead_fleet::Error::Input(m) => BackendError::Invalid(m),
                other => internal("cannot queue the scan", other),
            })?;
            let id = uuid::Uuid::new_v4().to_string();
            let record = HarborScan {
                id: id.clone(),
                digest: scan.digest.clone(),
                job_id: queued.job_id(),
                artifact: to_json(&scan.artifact())?,
                capabilities: to_json(&StoredCaps::from(&scan.capabilities))?,
                created_at: String::new(),
            };
            self.fleet
                .record_harbor_scan(&record)
                .await
                .map_err(|e| internal("cannot record the scan request", e))?;
            tracing::debug!(scan = %id, image = %scan.repository, "scan queued in the fleet");
            Ok(ScanId(id))
        })
    }

    fn report<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<ReportState, BackendError>> {
        Box::pin(async move {
            let Some((scan, job)) = self
                .fleet
                .harbor_scan(id)
                .await
                .map_err(|e| internal("cannot read the scan request", e))?
            else {
                return Ok(ReportState::Unknown);
            };
            let pending = ReportState::Pending {
                retry_after: self.cfg.retry_after,
            };
            if let Some(job) = &job {
                match job.state {
                    JobState::Queued | JobState::Running => return Ok(pending),
                    JobState::Failed => {
                        return Ok(ReportState::Failed(format!(
                            "the scan of {}@{} failed after {} attempt(s): {}",
                            job.repository,
                            job.digest,
                            job.attempts,
                            job.last_error.as_deref().unwrap_or("no error recorded")
                        )));
                    }
                    JobState::Done => {}
                }
            }
            let Some(result) = self
                .fleet
                .report(&scan.digest)
                .await
                .map_err(|e| internal("cannot read the scan result", e))?
            else {
                return Ok(ReportState::Failed(format!(
                    "the result of {} is no longer stored: scan the artifact again",
                    scan.digest
                )));
            };
            let artifact: Artifact = serde_json::from_value(scan.artifact)
                .map_err(|e| internal("cannot decode the stored scan request", e))?;
            let caps: StoredCaps = serde_json::from_value(scan.capabilities)
                .map_err(|e| internal("cannot decode the stored scan request", e))?;
            Ok(ReportState::Ready(Arc::new(Stored {
                report: result.report,
                artifact,
                capabilities: caps.into(),
                generated_at: result.rematched_at.unwrap_or(result.scanned_at),
                db_built_at: result.db_built_at,
            })))
        })
    }

    fn metadata(&self) -> BoxFuture<'_, Result<BackendInfo, BackendError>> {
        Box::pin(async move {
            let built = self
                .fleet
                .newest_db_built_at()
                .await
                .map_err(|e| internal("cannot read the fleet's database times", e))?;
            Ok(BackendInfo {
                db_built_at: built,
                db_checked_at: None,
                // The database's address stays out: Harbor's users need
                // not learn the fleet's infrastructure.
                properties: vec![("bulkhead/backend".into(), "postgresql".into())],
            })
        })
    }

    fn metrics(&self) -> BoxFuture<'_, Result<Metrics, BackendError>> {
        Box::pin(async move {
            let m = self
                .fleet
                .metrics()
                .await
                .map_err(|e| internal("cannot read the fleet counts", e))?;
            let d = self
                .fleet
                .scan_durations(Histogram::SCAN_SECONDS)
                .await
                .map_err(|e| internal("cannot read the scan durations", e))?;
            // Cumulative buckets back to per-bucket counts.
            let mut h = Histogram::new(Histogram::SCAN_SECONDS);
            let mut below = 0u64;
            for (slot, (_, cumulative)) in h.counts.iter_mut().zip(&d.buckets) {
                *slot = cumulative.saturating_sub(below);
                below = *cumulative;
            }
            if let Some(last) = h.counts.last_mut() {
                *last = d.count.saturating_sub(below);
            }
            h.sum = d.sum;
            let seen = m.layers_reused + m.layers_analyzed;
            Ok(Metrics {
                queue_depth: m.queue_depth,
                jobs: m
                    .jobs
                    .iter()
                    .map(|(s, n)| (s.as_str().to_string(), *n))
                    .collect(),
                scan_seconds: h,
                layer_reuse_ratio: (seen > 0).then(|| m.layers_reused as f64 / seen as f64),
            })
        })
    }

    fn ready(&self) -> BoxFuture<'_, bool> {
        Box::pin(async move { !self.closing.load(Ordering::SeqCst) && self.fleet.ping().await })
    }

    fn shutdown(&self, _grace: Duration) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            // The server claims no job: scans belong to the workers, and
            // every accepted request is already stored.
            self.closing.store(true, Ordering::SeqCst);
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn capabilities_round_trip_through_their_stored_form() {
        let c = Capabilities {
            vulnerability: false,
            sbom: true,
            sbom_media_types: vec![SbomMediaType::CycloneDx],
        };
        let v = serde_json::to_value(StoredCaps::from(&c)).unwrap();
        let back: Capabilities = serde_json::from_value::<StoredCaps>(v).unwrap().into();
        assert_eq!(back, c);
        // An unknown media type stored by a newer server is dropped.
        let v = serde_json::json!({"vulnerability": true, "sbom": true,
            "sbom_media_types": ["application/x-new", "application/spdx+json"]});
        let back: Capabilities = serde_json::from_value::<StoredCaps>(v).unwrap().into();
        assert_eq!(back.sbom_media_types, vec![SbomMediaType::Spdx]);
    }
}

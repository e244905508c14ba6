//! What the fleet commands and a server read or do over the whole fleet:
//! metrics and status, queries over stored results, re-matching stored
//! inventories after an advisory update, and queueing a registry's images.

use crate::Fleet;
use crate::codec;
use crate::error::{DbContext, Error, Result};
use crate::queue::{self, Enqueued, JobState, ScanJob, rfc3339};
use crate::results::{self, StoredInventory, finding_keys};
use bulkhead_image::registry::{Registry, RegistryOptions};
use bulkhead_types::fleet::{
    AffectedImage, FailedJob, FleetMatch, FleetQuery, FleetStatus, ImageChange, RegistryScan,
    RematchRun, RematchSummary,
};
use bulkhead_types::{Report, Severity};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Counts for a metrics endpoint. No credential, image name or error text:
/// numbers only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metrics {
    /// Jobs by state (every state present).
    pub jobs: BTreeMap<JobState, u64>,
    /// Jobs waiting to be claimed (`queued`).
    pub queue_depth: u64,
    /// Stored results.
    pub results: u64,
    /// Stored layer analyses.
    pub stored_layers: u64,
    /// Layers the stored results read from the shared store, and analysed:
    /// the reuse ratio is `reused / (reused + analyzed)`.
    pub layers_reused: u64,
    pub layers_analyzed: u64,
}

/// Scan durations of the stored results as a cumulative histogram
/// (Prometheus style).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanDurations {
    /// `(upper bound in seconds, results at or under it)`, in bound order.
    pub buckets: Vec<(f64, u64)>,
    pub count: u64,
    pub sum: f64,
}

/// A question to `fleet query`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// Images with this vulnerability (its id or one of its aliases).
    Cve(String),
    /// Images with a finding in CISA's KEV catalogue.
    Kev,
    /// Images with this package (any version, or this one).
    Package {
        name: String,
        version: Option<String>,
    },
    /// Images with findings of these severities.
    Severity(Vec<Severity>),
}

impl Query {
    /// The question as the command line asks it.
    pub fn describe(&self) -> String {
        match self {
            Query::Cve(id) => format!("--cve {id}"),
            Query::Kev => "--kev".to_string(),
            Query::Package {
                name,
                version: None,
            } => format!("--package {name}"),
            Query::Package {
                name,
                version: Some(v),
            } => format!("--package {name}@{v}"),
            Query::Severity(s) => format!(
                "--severity {}",
                s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
            ),
        }
    }

    /// The question of `fleet query`'s flags (one of them is set; clap
    /// makes them exclusive): `--cve`, `--kev`, `--package`, else
    /// `--severity` (comma-separated names).
    pub fn from_flags(
        cve: Option<String>,
        kev: bool,
        package: Option<String>,
        severity: &[String],
    ) -> Result<Query> {
        if let Some(id) = cve {
            return Ok(Query::Cve(id));
        }
        if kev {
            return Ok(Query::Kev);
        }
        if let Some(p) = package {
            return Query::package(&p);
        }
        let sevs = severity
            .iter()
            .map(|s| s.trim().parse())
            .collect::<std::result::Result<Vec<Severity>, _>>()
            .map_err(|e| {
                Error::Input(format!(
                    "bad --severity ({e}): use UNKNOWN, LOW, MEDIUM, HIGH or CRITICAL"
                ))
            })?;
        if sevs.is_empty() {
            return Err(Error::Input(
                "fleet query needs one question: --cve, --kev, --package or --severity".into(),
            ));
        }
        Ok(Query::Severity(sevs))
    }

    /// `NAME[@VERSION]` of `--package` (the last `@`: scoped npm names
    /// start with one).
    pub fn package(spec: &str) -> Result<Query> {
        let spec = spec.trim();
        let (name, version) = match spec.rfind('@') {
            Some(i) if i > 0 => (
                spec.get(..i).unwrap_or(spec),
                spec.get(i + 1..)
                    .filter(|v| !v.is_empty())
                    .map(str::to_string),
            ),
            _ => (spec, None),
        };
        if name.trim_matches('@').is_empty() {
            return Err(Error::Input(
                "--package needs NAME or NAME@VERSION".to_string(),
            ));
        }
        Ok(Query::Package {
            name: name.to_string(),
            version,
        })
    }
}

/// A registry to queue: `fleet scan-registry URL [--repo GLOB] [--insecure]`.
#[derive(Debug, Clone, Default)]
pub struct RegistryTarget {
    /// `host[:port]`, optionally with `https://` or `http://` (plain HTTP
    /// implies `insecure`).
    pub url: String,
    /// Only repositories matching these globs (`*` within a path segment,
    /// `**` across); none: all.
    pub repo_globs: Vec<String>,
    pub insecure: bool,
    /// Attempts per job.
    pub max_attempts: u32,
}

/// The host of a registry URL and whether it asked for plain HTTP.
pub fn registry_host(url: &str) -> Result<(String, bool)> {
    let url = url.trim();
    let (rest, plain) = if let Some(r) = url.strip_prefix("http://") {
        (r, true)
    } else if let Some(r) = url.strip_prefix("https://") {
        (r, false)
    } else {
        (url, false)
    };
    let host = rest.trim_end_matches('/');
    let ok = !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    if !ok {
        return Err(Error::Input(format!(
            "bad registry {:?}: give HOST[:PORT] (optionally with https:// or http://), without a path",
            url.chars().take(200).collect::<String>()
        )));
    }
    Ok((host.to_string(), plain))
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Fleet {
    /// Counts for a metrics endpoint.
    pub async fn metrics(&self) -> Result<Metrics> {
        let c = self.client().await?;
        let jobs = queue::counts(&**c).await?;
        let row = c
            .query_one(
                "SELECT (SELECT count(*) FROM results),
                        (SELECT count(*) FROM layers),
                        (SELECT COALESCE(sum(layers_reused), 0)::bigint FROM results),
                        (SELECT COALESCE(sum(layers_analyzed), 0)::bigint FROM results)",
                &[],
            )
            .await
            .db("cannot read the fleet counts")?;
        Ok(Metrics {
            queue_depth: jobs.get(&JobState::Queued).copied().unwrap_or(0),
            jobs,
            results: count(row.get(0)),
            stored_layers: count(row.get(1)),
            layers_reused: count(row.get(2)),
            layers_analyzed: count(row.get(3)),
        })
    }

    /// The scan durations of the stored results over `bounds` (seconds,
    /// increasing).
    pub async fn scan_durations(&self, bounds: &[f64]) -> Result<ScanDurations> {
        let c = self.client().await?;
        let bounds_v: Vec<f64> = bounds.to_vec();
        let rows = c
            .query(
                "SELECT b, (SELECT count(*) FROM results WHERE scan_seconds <= b)
                 FROM unnest($1::float8[]) AS b",
                &[&bounds_v],
            )
            .await
            .db("cannot read the scan durations")?;
        let total = c
            .query_one(
                "SELECT count(*), COALESCE(sum(scan_seconds), 0) FROM results",
                &[],
            )
            .await
            .db("cannot read the scan durations")?;
        Ok(ScanDurations {
            buckets: rows.iter().map(|r| (r.get(0), count(r.get(1)))).collect(),
            count: count(total.get(0)),
            sum: total.get(1),
        })
    }

    /// `fleet status`.
    pub async fn status(&self) -> Result<FleetStatus> {
        let m = self.metrics().await?;
        let c = self.client().await?;
        let oldest: Option<String> = c
            .query_one(
                concat!(
                    "SELECT ",
                    rfc3339!("min(created_at)"),
                    " FROM jobs WHERE state = 'queued'"
                ),
                &[],
            )
            .await
            .db("cannot read the queue")?
            .get(0);
        let last = c
            .query_opt(
                concat!(
                    "SELECT id, ",
                    rfc3339!("started_at"),
                    ", ",
                    rfc3339!("finished_at"),
                    ", ",
                    rfc3339!("db_built_at"),
                    ", images, changed FROM rematch_runs ORDER BY id DESC LIMIT 1"
                ),
                &[],
            )
            .await
            .db("cannot read the re-match runs")?
            .map(|r| RematchRun {
                id: r.get(0),
                started_at: r.get(1),
                finished_at: r.get(2),
                db_built_at: r.get(3),
                images: count(i64::from(r.get::<_, i32>(4))),
                changed: count(i64::from(r.get::<_, i32>(5))),
            });
        let failures = c
            .query(
                "SELECT id, registry || '/' || repository || '@' || digest, attempts,
                        COALESCE(last_error, '')
                 FROM jobs WHERE state = 'failed' ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT 5",
                &[],
            )
            .await
            .db("cannot read the failed jobs")?
            .iter()
            .map(|r| FailedJob {
                id: r.get(0),
                image: r.get(1),
                attempts: u32::try_from(r.get::<_, i32>(2)).unwrap_or(0),
                error: r.get(3),
            })
            .collect();
        Ok(FleetStatus {
            jobs: m
                .jobs
                .iter()
                .map(|(s, n)| (s.as_str().to_string(), *n))
                .collect(),
            oldest_queued: oldest,
            results: m.results,
            stored_layers: m.stored_layers,
            layers_reused: m.layers_reused,
            layers_analyzed: m.layers_analyzed,
            last_rematch: last,
            recent_failures: failures,
        })
    }

    /// The names each digest was seen under (`registry/repository:tag`).
    async fn names(
        &self,
        c: &tokio_postgres::Client,
        digests: &[String],
    ) -> Result<BTreeMap<String, Vec<String>>> {
        let rows = c
            .query(
                "SELECT digest, registry, repository, tag FROM image_refs
                 WHERE digest = ANY($1) ORDER BY registry, repository, tag",
                &[&digests],
            )
            .await
            .db("cannot read the image names")?;
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in rows {
            let (digest, reg, repo, tag): (String, String, String, String) =
                (r.get(0), r.get(1), r.get(2), r.get(3));
            let name = if tag.starts_with("sha256:") {
                format!("{reg}/{repo}@{tag}")
            } else {
                format!("{reg}/{repo}:{tag}")
            };
            out.entry(digest).or_default().push(name);
        }
        Ok(out)
    }

    /// `fleet query`: the stored images `q` matches, by digest.
    pub async fn query(&self, q: &Query) -> Result<FleetQuery> {
        let c = self.client().await?;
        let finding_sql = "SELECT f.digest, f.vuln_id, f.pkg_name, f.installed_version,
                                  f.fixed_version, f.severity, f.kev
                           FROM findings f";
        let rows = match q {
            Query::Cve(id) => {
                let id = id.trim().to_string();
                c.query(
                    &format!(
                        "{finding_sql} WHERE f.vuln_id = $1 OR f.aliases @> ARRAY[$1]::text[]
                         ORDER BY f.digest, f.pkg_name"
                    ),
                    &[&id],
                )
                .await
            }
            Query::Kev => {
                c.query(
                    &format!("{finding_sql} WHERE f.kev ORDER BY f.digest, f.vuln_id"),
                    &[],
                )
                .await
            }
            Query::Severity(sevs) => {
                let names: Vec<&str> = sevs.iter().map(|s| s.as_str()).collect();
                c.query(
                    &format!(
                        "{finding_sql} WHERE f.severity = ANY($1) ORDER BY f.digest, f.vuln_id"
                    ),
                    &[&names],
                )
                .await
            }
            Query::Package { name, version } => {
                c.query(
                    "SELECT digest, '', name, version, '', NULL::text, false FROM packages
                     WHERE name = $1 AND ($2::text IS NULL OR version = $2)
                     ORDER BY digest, name, version",
                    &[&name.as_str(), &version.as_deref()],
                )
                .await
            }
        }
        .db("cannot run the query")?;
        let mut by_digest: BTreeMap<String, Vec<FleetMatch>> = BTreeMap::new();
        for r in &rows {
            let severity: Option<String> = r.get(5);
            by_digest.entry(r.get(0)).or_default().push(FleetMatch {
                id: r.get(1),
                package: r.get(2),
                version: r.get(3),
                fixed_version: r.get(4),
                severity: severity.and_then(|s| s.parse().ok()),
                kev: r.get(6),
            });
        }
        let digests: Vec<String> = by_digest.keys().cloned().collect();
        let mut names = self.names(&c, &digests).await?;
        let scanned = c
            .query(
                concat!(
                    "SELECT digest, ",
                    rfc3339!("scanned_at"),
                    " FROM results WHERE digest = ANY($1)"
                ),
                &[&digests],
            )
            .await
            .db("cannot read the results")?;
        let mut scanned_at: BTreeMap<String, String> =
            scanned.iter().map(|r| (r.get(0), r.get(1))).collect();
        let images = by_digest
            .into_iter()
            .map(|(digest, matches)| AffectedImage {
                names: names.remove(&digest).unwrap_or_default(),
                scanned_at: scanned_at.remove(&digest).unwrap_or_default(),
                digest,
                matches,
            })
            .collect();
        Ok(FleetQuery {
            query: q.describe(),
            images,
        })
    }

    /// `fleet rematch`: match every stored inventory against the local
    /// advisory database `db_path` again (no registry is touched), update
    /// the reports whose findings or ratings changed, and record the
    /// images whose findings were added or removed (`rematch_changes`).
    /// Blocking work on the calling thread (see the crate documentation).
    pub async fn rematch(
        &self,
        db_path: &Path,
        progress: &dyn bulkhead_engine::Progress,
    ) -> Result<RematchSummary> {
        let db = bulkhead_osv::Database::open(db_path).map_err(|e| {
            Error::AdvisoryDb(format!(
                "cannot open the advisory database ({e}): run `bulkhead db update` first"
            ))
        })?;
        let built_at = db.meta("built_at").ok().flatten();
        // One matcher for the whole run: its cache reads each package's
        // advisories once for every image that has the package.
        let mut matcher = bulkhead_engine::Matcher::new(&db);
        let mut c = self.client().await?;
        let total: i64 = c
            .query_one("SELECT count(*) FROM results", &[])
            .await
            .db("cannot count the results")?
            .get(0);
        let run_id: i64 = c
            .query_one(
                "INSERT INTO rematch_runs (db_built_at) VALUES ($1::text::timestamptz) RETURNING id",
                &[&built_at],
            )
            .await
            .db("cannot start the re-match run")?
            .get(0);
        progress.start(&format!("re-matching {total} stored inventories"), None);
        let mut summary = RematchSummary {
            run_id,
            db_built_at: built_at.clone(),
            ..RematchSummary::default()
        };
        let mut after = String::new();
        loop {
            let rows = c
                .query(
                    "SELECT digest, inventory, inventory_codec, report, report_codec,
                            scanned_at::text
                     FROM results WHERE digest > $1 ORDER BY digest LIMIT 100",
                    &[&after],
                )
                .await
                .db("cannot read the stored results")?;
            let Some(last) = rows.last() else { break };
            after = last.get(0);
            let tx = c
                .transaction()
                .await
                .db("cannot start the re-match transaction")?;
            for r in &rows {
                let digest: String = r.get(0);
                // The scan this report came from: a worker that stores a
                // new scan meanwhile wins, and this re-match skips it.
                let scanned_at: String = r.get(5);
                summary.images += 1;
                progress.position(summary.images);
                let decoded = codec::decode::<StoredInventory>(r.get(1), r.get(2), "inventory")
                    .and_then(|inv| {
                        codec::decode::<Report>(r.get(3), r.get(4), "report").map(|rep| (inv, rep))
                    });
                let (inventory, mut report) = match decoded {
                    Ok(v) => v,
                    Err(e) => {
                        summary.warnings.push(format!("{digest}: {e}"));
                        continue;
                    }
                };
                let Some(change) = rematch_one(&mut matcher, &inventory, &mut report) else {
                    summary.warnings.push(format!(
                        "{digest}: the stored report does not line up with its inventory; rescan it"
                    ));
                    continue;
                };
                let updated = if change.report_changed {
                    let (bytes, codec) = codec::encode(&report)?;
                    let findings =
                        i32::try_from(results::finding_rows(&report).len()).unwrap_or(i32::MAX);
                    let n = tx
                        .execute(
                            "UPDATE results SET report = $2, report_codec = $3, findings = $4,
                                 db_built_at = $5::text::timestamptz, rematched_at = now()
                             WHERE digest = $1 AND scanned_at = $6::text::timestamptz",
                            &[&digest, &bytes, &codec, &findings, &built_at, &scanned_at],
                        )
                        .await
                        .db("cannot update the report")?;
                    if n > 0 {
                        results::write_findings(&*tx, &digest, &report).await?;
                    }
                    n
                } else {
                    tx.execute(
                        "UPDATE results SET db_built_at = $2::text::timestamptz, rematched_at = now()
                         WHERE digest = $1 AND scanned_at = $3::text::timestamptz",
                        &[&digest, &built_at, &scanned_at],
                    )
                    .await
                    .db("cannot update the result")?
                };
                if updated == 0 {
                    // Rescanned (or deleted) since it was read.
                    continue;
                }
                if !change.added.is_empty() || !change.removed.is_empty() {
                    tx.execute(
                        "INSERT INTO rematch_changes (run_id, digest, added, removed)
                         VALUES ($1, $2, $3, $4)",
                        &[&run_id, &digest, &change.added, &change.removed],
                    )
                    .await
                    .db("cannot record the change")?;
                    summary.changed.push(ImageChange {
                        digest,
                        names: Vec::new(),
                        added: change.added,
                        removed: change.removed,
                    });
                }
            }
            tx.commit().await.db("cannot commit the re-match")?;
        }
        progress.finish();
        let digests: Vec<String> = summary.changed.iter().map(|c| c.digest.clone()).collect();
        let mut names = self.names(&c, &digests).await?;
        for ch in &mut summary.changed {
            ch.names = names.remove(&ch.digest).unwrap_or_default();
        }
        c.execute(
            "UPDATE rematch_runs SET finished_at = now(), images = $2, changed = $3 WHERE id = $1",
            &[
                &run_id,
                &i32::try_from(summary.images).unwrap_or(i32::MAX),
                &i32::try_from(summary.changed.len()).unwrap_or(i32::MAX),
            ],
        )
        .await
        .db("cannot finish the re-match run")?;
        Ok(summary)
    }

    /// `fleet scan-registry`: list the registry's repositories (or those
    /// matching the globs) and their tags, resolve each tag to its digest,
    /// and queue every digest without a current result or an open job.
    /// Listings use this machine's Docker login for the registry, if any;
    /// the jobs carry no credentials (workers use their own login).
    /// Blocking registry calls on the calling thread (see the crate
    /// documentation).
    pub async fn scan_registry(
        &self,
        target: &RegistryTarget,
        progress: &dyn bulkhead_engine::Progress,
    ) -> Result<RegistryScan> {
        let (host, plain) = registry_host(&target.url)?;
        let insecure = target.insecure || plain;
        let globs = build_globs(&target.repo_globs)?;
        let reg = Registry::new(
            &host,
            RegistryOptions {
                insecure,
                ..RegistryOptions::default()
            },
        )?;
        progress.start(&format!("listing the repositories of {host}"), None);
        let catalog = reg.catalog();
        progress.finish();
        let catalog = catalog?;
        let mut summary = RegistryScan {
            registry: host.clone(),
            ..RegistryScan::default()
        };
        if !catalog.complete {
            summary.warnings.push(format!(
                "the catalog of {host} was cut at {} repositories",
                catalog.tags.len()
            ));
        }
        let repos: Vec<String> = catalog
            .tags
            .into_iter()
            .filter(|r| globs.as_ref().is_none_or(|g| g.is_match(r)))
            .collect();
        summary.repositories = repos.len() as u64;
        progress.start(
            &format!(
                "resolving the tags of {} repositories and queueing",
                repos.len()
            ),
            None,
        );
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for (i, repo) in repos.iter().enumerate() {
            progress.position(i as u64);
            let tags = match reg.tags(repo) {
                Ok(t) => t,
                Err(e) => {
                    summary.warnings.push(format!("{repo}: {e}"));
                    continue;
                }
            };
            if !tags.complete {
                summary.warnings.push(format!(
                    "{repo}: the tag list was cut at {} tags",
                    tags.tags.len()
                ));
            }
            for tag in tags.tags {
                summary.tags += 1;
                let digest = match reg.manifest(repo, &tag) {
                    Ok((_, _, d)) => d,
                    Err(e) => {
                        summary.warnings.push(format!("{repo}:{tag}: {e}"));
                        continue;
                    }
                };
                let job = ScanJob {
                    tag: Some(tag.clone()),
                    insecure,
                    max_attempts: target.max_attempts,
                    ..ScanJob::new(&host, repo, &digest)
                };
                let outcome = self.enqueue(&job).await?;
                if !seen.insert(digest) {
                    continue;
                }
                match outcome {
                    Enqueued::Queued(_) => summary.enqueued += 1,
                    Enqueued::AlreadyOpen(_) => summary.already_queued += 1,
                    Enqueued::AlreadyScanned => summary.already_scanned += 1,
                }
            }
        }
        progress.finish();
        summary.digests = seen.len() as u64;
        Ok(summary)
    }
}

fn build_globs(globs: &[String]) -> Result<Option<globset::GlobSet>> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut b = globset::GlobSetBuilder::new();
    for g in globs {
        let glob = globset::GlobBuilder::new(g)
            .literal_separator(true)
            .build()
            .map_err(|e| Error::Input(format!("bad --repo glob {g:?}: {e}")))?;
        b.add(glob);
    }
    b.build()
        .map(Some)
        .map_err(|e| Error::Input(format!("bad --repo globs: {e}")))
}

/// What re-matching one stored image changed.
struct Change {
    added: Vec<String>,
    removed: Vec<String>,
    report_changed: bool,
}

/// Re-match `report`'s package results against `db` (None when the report
/// does not line up with the inventory: one package result per set, in
/// order, as the engine writes them).
fn rematch_one(
    matcher: &mut bulkhead_engine::Matcher<'_>,
    inventory: &StoredInventory,
    report: &mut Report,
) -> Option<Change> {
    let n = inventory.package_sets.len();
    let lines_up = report.results.len() >= n
        && report
            .results
            .iter()
            .zip(&inventory.package_sets)
            .all(|(r, s)| r.kind == s.kind);
    if !lines_up {
        return None;
    }
    let before = finding_keys(report);
    let old: Vec<_> = report
        .results
        .iter()
        .take(n)
        .map(|r| r.vulnerabilities.clone())
        .collect();
    let results = report.results.get_mut(..n)?;
    for r in results.iter_mut() {
        r.vulnerabilities.clear();
    }
    // Notes (no data for an ecosystem…) were the scan's warnings; the
    // report keeps those.
    let _notes = bulkhead_engine::match_packages_with(
        matcher,
        inventory.os.as_ref(),
        &inventory.package_sets,
        results,
    );
    let after = finding_keys(report);
    let report_changed = report.results.iter().take(n).zip(&old).any(|(r, o)| {
        serde_json::to_value(&r.vulnerabilities).ok() != serde_json::to_value(o).ok()
    });
    Some(Change {
        added: after.difference(&before).cloned().collect(),
        removed: before.difference(&after).cloned().collect(),
        report_changed,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn package_specs() {
        assert_eq!(
            Query::package("zlib1g@1:1.2").unwrap(),
            Query::Package {
                name: "zlib1g".into(),
                version: Some("1:1.2".into())
            }
        );
        assert_eq!(
            Query::package("@types/node@20.1.0").unwrap(),
            Query::Package {
                name: "@types/node".into(),
                version: Some("20.1.0".into())
            }
        );
        assert_eq!(
            Query::package("@types/node").unwrap(),
            Query::Package {
                name: "@types/node".into(),
                version: None
            }
        );
        assert!(Query::package("").is_err());
        assert!(Query::package("@").is_err());
    }

    #[test]
    fn registry_urls() {
        assert_eq!(
            registry_host("127.0.0.1:5000").unwrap(),
            ("127.0.0.1:5000".into(), false)
        );
        assert_eq!(
            registry_host("http://reg:80/").unwrap(),
            ("reg:80".into(), true)
        );
        assert_eq!(
            registry_host("https://reg.example").unwrap(),
            ("reg.example".into(), false)
        );
        for bad in ["", "https://", "reg/path", "reg?x", "user@reg"] {
            assert!(registry_host(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn globs_match_path_segments() {
        let g = build_globs(&["lib/*".into()]).unwrap().unwrap();
        assert!(g.is_match("lib/base"));
        assert!(!g.is_match("lib/a/b"));
        let g = build_globs(&["team/**".into()]).unwrap().unwrap();
        assert!(g.is_match("team/a/b"));
        assert!(build_globs(&["a[".into()]).is_err());
        assert!(build_globs(&[]).unwrap().is_none());
    }
}

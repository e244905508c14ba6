//! Per-layer analyses shared by every worker: the `layers` table as the
//! engine's [`bulkhead_engine::SharedLayers`], so a base layer one worker
//! analysed is read, not analysed again, by every other.
//!
//! Keys are sha256 of the diff_id, the analyzer versions key and the
//! options key (limits, the content scanner's key), like the file-backed
//! layer cache's. Analyses hold redacted secret findings only (the content
//! scanner's invariant), so the table holds no raw secret either. Two
//! workers that start the same new layer at the same moment both analyse
//! it; the second write is a no-op (`ON CONFLICT DO NOTHING`).
//!
//! **Blocking pipeline, async client**: the image pipeline calls its store
//! from the scan's blocking threads (the engine runs on tokio's blocking
//! pool). Each call spawns its query on the worker's runtime (through its
//! [`tokio::runtime::Handle`]) and waits for the answer on a channel:
//! `Handle::block_on` without its one trap (a panic when called from a
//! runtime thread), one client library and one pool for the whole worker
//! instead of a second, synchronous client with connections of its own.

use crate::codec;
use crate::db::client;
use crate::error::DbContext;
use bulkhead_scan::{LayerAnalysis, LayerStore};
use deadpool_postgres::Pool;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Longest wait for one store call; past it the layer counts as a miss (or
/// the write is skipped), the scan goes on.
const CALL_TIMEOUT: Duration = Duration::from_secs(120);

/// The shared layer store of one scan (or more): counts what it served.
#[derive(Debug)]
pub struct PgLayers {
    pool: Pool,
    shown: String,
    handle: tokio::runtime::Handle,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl PgLayers {
    /// A store over `pool`, running its queries on `handle`'s runtime.
    pub fn new(pool: Pool, shown: String, handle: tokio::runtime::Handle) -> PgLayers {
        PgLayers {
            pool,
            shown,
            handle,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// Layers read from the store so far.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// Layers not found in the store (analysed by this scan) so far.
    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }

    /// Run `f` on the runtime and wait for it (see the module docs).
    fn call<T: Send + 'static>(
        &self,
        what: &str,
        f: impl std::future::Future<Output = crate::Result<T>> + Send + 'static,
    ) -> Option<T> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.handle.spawn(async move {
            let _ = tx.send(f.await);
        });
        match rx.recv_timeout(CALL_TIMEOUT) {
            Ok(Ok(v)) => Some(v),
            Ok(Err(e)) => {
                tracing::warn!("shared layer store: cannot {what}: {e}");
                None
            }
            Err(_) => {
                tracing::warn!("shared layer store: no answer to {what} within {CALL_TIMEOUT:?}");
                None
            }
        }
    }
}

/// The key of a layer's row.
pub fn key(diff_id: &str, versions_key: &str, options_key: &str) -> String {
    let mut h = Sha256::new();
    for part in [
        "bulkhead-fleet-layer-v1",
        diff_id,
        versions_key,
        options_key,
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

impl bulkhead_engine::SharedLayers for PgLayers {
    fn store(&self, versions_key: &str, options_key: &str) -> Box<dyn LayerStore + '_> {
        Box::new(Store {
            layers: self,
            versions_key: versions_key.to_string(),
            options_key: options_key.to_string(),
        })
    }
}

struct Store<'a> {
    layers: &'a PgLayers,
    versions_key: String,
    options_key: String,
}

impl LayerStore for Store<'_> {
    fn contains(&self, diff_id: &str) -> bool {
        let k = key(diff_id, &self.versions_key, &self.options_key);
        let (pool, shown) = (self.layers.pool.clone(), self.layers.shown.clone());
        self.layers
            .call("look up a layer", async move {
                let c = client(&pool, &shown).await?;
                let row = c
                    .query_opt("SELECT 1 FROM layers WHERE key = $1", &[&k])
                    .await
                    .db("cannot look up the layer")?;
                Ok(row.is_some())
            })
            .unwrap_or(false)
    }

    fn get(&self, diff_id: &str) -> Option<LayerAnalysis> {
        let k = key(diff_id, &self.versions_key, &self.options_key);
        let (pool, shown) = (self.layers.pool.clone(), self.layers.shown.clone());
        let row = self
            .layers
            .call("read a layer", async move {
                let c = client(&pool, &shown).await?;
                let row = c
                    .query_opt("SELECT analysis, codec FROM layers WHERE key = $1", &[&k])
                    .await
                    .db("cannot read the layer")?;
                Ok(row.map(|r| (r.get::<_, Vec<u8>>(0), r.get::<_, String>(1))))
            })
            .flatten();
        let found = row.and_then(|(bytes, codec)| {
            codec::decode::<LayerAnalysis>(&bytes, &codec, &format!("analysis of layer {diff_id}"))
                .map_err(|e| tracing::warn!("shared layer store: {e}; analysing it again"))
                .ok()
        });
        let counter = if found.is_some() {
            &self.layers.hits
        } else {
            &self.layers.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    fn put(&self, diff_id: &str, analysis: &LayerAnalysis) {
        let (bytes, codec) = match codec::encode(analysis) {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!("shared layer store: {e}");
                return;
            }
        };
        let k = key(diff_id, &self.versions_key, &self.options_key);
        let (pool, shown) = (self.layers.pool.clone(), self.layers.shown.clone());
        let (diff_id, versions) = (diff_id.to_string(), self.versions_key.clone());
        self.layers.call("write a layer", async move {
            let c = client(&pool, &shown).await?;
            c.execute(
                "INSERT INTO layers (key, diff_id, analyzers_key, analysis, codec)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING",
                &[&k, &diff_id, &versions, &bytes, &codec],
            )
            .await
            .db("cannot write the layer")?;
            Ok(())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_separate_their_parts() {
        assert_ne!(key("ab", "c", ""), key("a", "bc", ""));
        assert_eq!(key("d", "v", "o"), key("d", "v", "o"));
        assert_eq!(key("d", "v", "o").len(), 64);
    }
}

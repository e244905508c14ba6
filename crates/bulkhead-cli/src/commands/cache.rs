//! `bulkhead cache info|clean`: the layer cache (`<cache-dir>/layers`).

use crate::args::GlobalArgs;
use anyhow::{Context, Result};
use bulkhead_cache::LayerCache;
use clap::{Args, Subcommand};

/// Flags of `bulkhead cache`.
#[derive(Debug, Args)]
pub struct CacheArgs {
    #[command(subcommand)]
    pub action: CacheAction,
}

/// What to do with the cache.
#[derive(Debug, Subcommand)]
pub enum CacheAction {
    /// Show where the layer cache is, how many layers it holds and its size.
    Info,
    /// Remove every cached layer analysis (the advisory database stays).
    Clean,
}

fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS.get(unit).copied().unwrap_or("B"))
}

pub fn run(global: &GlobalArgs, args: CacheArgs) -> Result<i32> {
    let root = super::db::cache_dir(global);
    let cache = LayerCache::existing(&root);
    let json = matches!(global.format.as_deref(), Some("json"));
    let text = match args.action {
        CacheAction::Info => {
            let info = cache.info().with_context(|| {
                format!("cannot read the layer cache {}", cache.dir().display())
            })?;
            if json {
                serde_json::json!({
                    "Path": cache.dir(),
                    "Entries": info.entries,
                    "Bytes": info.bytes,
                })
                .to_string()
                    + "\n"
            } else {
                format!(
                    "Layer cache: {}\nEntries:     {}\nSize:        {} ({} bytes)\n",
                    cache.dir().display(),
                    info.entries,
                    human(info.bytes),
                    info.bytes
                )
            }
        }
        CacheAction::Clean => {
            let removed = cache.clean().with_context(|| {
                format!("cannot clean the layer cache {}", cache.dir().display())
            })?;
            if json {
                serde_json::json!({"Removed": removed.entries, "Bytes": removed.bytes}).to_string()
                    + "\n"
            } else {
                format!(
                    "Removed {} cached layers ({}) from {}\n",
                    removed.entries,
                    human(removed.bytes),
                    cache.dir().display()
                )
            }
        }
    };
    crate::output::write_text(global, &text)?;
    Ok(0)
}

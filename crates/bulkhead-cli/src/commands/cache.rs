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

pub fn run(global: &GlobalArgs, args: CacheArgs) -> Result<i32> {
    let root = global.cache_dir();
    let cache = LayerCache::existing(&root);
    let json = matches!(global.format.as_deref(), Some("json"));
    let text = match args.action {
        CacheAction::Info => {
            let info = cache.info().with_context(|| {
                format!("cannot read the layer cache {}", cache.dir().display())
            })?;
            bulkhead_report::cache::info(cache.dir(), info.entries, info.bytes, json)
                .context("cannot render the layer cache info")?
        }
        CacheAction::Clean => {
            let removed = cache.clean().with_context(|| {
                format!("cannot clean the layer cache {}", cache.dir().display())
            })?;
            bulkhead_report::cache::cleaned(cache.dir(), removed.entries, removed.bytes, json)
        }
    };
    crate::output::write_text(global, &text)?;
    Ok(0)
}

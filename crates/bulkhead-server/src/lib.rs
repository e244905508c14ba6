//! `bulkhead server`: Harbor's Pluggable Scanner API v1.2 over HTTP.
//!
//! ```text
//! Harbor job service ──HTTP──► api (axum, tokio) ──► Backend (trait)
//!   GET  /api/v1/metadata                              ├─ LocalBackend: memory queue,
//!   POST /api/v1/scan            → 202 {id}            │  bulkhead_engine::scan on the
//!   GET  /api/v1/scan/{id}/report → 302 … 200          │  blocking pool, bounded
//!   /probe/healthy, /probe/ready, /metrics             └─ FleetBackend: jobs and results
//!                                                         in PostgreSQL, scans on
//!                                                         `bulkhead worker`s
//! ```
//!
//! [`api::router`] is the application; [`backend::Backend`] the seam to
//! whatever runs scans; [`local::LocalBackend`] the in-process one,
//! [`fleet::FleetBackend`] the PostgreSQL one (`--db`);
//! [`request`] parses Harbor's scan request; [`media`] the media types and
//! `Accept` matching; [`metrics`] the Prometheus text. The report documents
//! themselves are `bulkhead_report::harbor`'s.
//!
//! **Invariants**: the server never blocks its reactor (scans and large
//! renders run on the blocking pool or elsewhere) and never calls the CLI;
//! a registry credential from a request lives in an
//! [`backend::Authorization`] (redacted, zeroed on drop) and reaches only
//! the registry client; the API token is kept as a SHA-256 digest and
//! compared in constant time.

pub mod api;
pub mod backend;
pub mod fleet;
pub mod local;
pub mod media;
pub mod metrics;
pub mod request;

pub use api::router;
pub use backend::{Backend, ScanSubmission};
pub use fleet::{FleetBackend, FleetConfig};
pub use local::{LocalBackend, LocalConfig};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;

/// The API token: only its SHA-256 digest is kept; presented tokens are
/// hashed and compared in constant time (the digests have one length, so
/// neither the content nor the length of the token leaks through timing).
#[derive(Clone)]
pub struct Token([u8; 32]);

impl Token {
    /// From the configured token text (surrounding spaces are not part of
    /// it). None for an empty token.
    pub fn new(token: &str) -> Option<Token> {
        let t = token.trim();
        if t.is_empty() {
            return None;
        }
        Some(Token(Sha256::digest(t.as_bytes()).into()))
    }

    /// Whether `presented` is the token.
    pub fn matches(&self, presented: &str) -> bool {
        let d: [u8; 32] = Sha256::digest(presented.trim().as_bytes()).into();
        bool::from(d.ct_eq(&self.0))
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Settings of the HTTP side.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Require `Authorization: Bearer <token>` on `/api/v1/*`.
    pub token: Option<Token>,
    /// Largest scan request body, in bytes.
    pub max_body: usize,
    /// The scanner the metadata and reports name.
    pub scanner: bulkhead_report::harbor::Scanner,
    /// How long running scans may take to finish once the server stops.
    pub shutdown_grace: Duration,
}

impl ServerConfig {
    /// Defaults: no token, 1 MiB bodies, Bulkhead at `version`, 60 s grace.
    pub fn new(version: &str) -> ServerConfig {
        ServerConfig {
            token: None,
            max_body: 1 << 20,
            scanner: bulkhead_report::harbor::Scanner::bulkhead(version),
            shutdown_grace: Duration::from_secs(60),
        }
    }
}

/// Serve on `listener` until `shutdown` resolves: then stop accepting, let
/// in-flight requests finish, and give the backend `shutdown_grace` to
/// finish running scans.
pub async fn serve(
    listener: tokio::net::TcpListener,
    backend: Arc<dyn Backend>,
    cfg: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let grace = cfg.shutdown_grace;
    let app = router(backend.clone(), cfg);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
        .context("the HTTP server stopped with an error")?;
    tracing::info!("no more requests accepted; waiting for running scans");
    backend.shutdown(grace).await;
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot watch SIGTERM ({e}): stop the server with SIGINT");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        r = tokio::signal::ctrl_c() => {
            if let Err(e) = r {
                tracing::warn!("cannot watch SIGINT: {e}");
                std::future::pending::<()>().await;
            }
        }
        () = term => {}
    }
    eprintln!("bulkhead server: stopping (no new requests; running scans may finish)");
}

/// Run a server on its own tokio runtime until SIGINT or SIGTERM: bind
/// `listen`, announce the address on stderr (unless `quiet`), serve.
/// `backend` is built inside the runtime.
pub fn run(
    listen: &str,
    cfg: ServerConfig,
    quiet: bool,
    backend: impl std::future::Future<Output = Result<Arc<dyn Backend>>>,
) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("bulkhead-server")
        .build()
        .context("cannot start the async runtime")?;
    let result = rt.block_on(async {
        let backend = backend.await?;
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| {
                format!("cannot listen on {listen}: choose a free address with --listen HOST:PORT")
            })?;
        let addr = listener
            .local_addr()
            .context("cannot read the listening address")?;
        if !quiet {
            eprintln!("bulkhead server listening on http://{addr}");
        }
        serve(listener, backend, cfg, shutdown_signal()).await
    });
    // Scans past the grace period are abandoned with the process.
    rt.shutdown_timeout(Duration::from_secs(1));
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_by_digest() {
        let t = Token::new(" s3cret ").unwrap();
        assert!(t.matches("s3cret"));
        assert!(!t.matches("s3cre"));
        assert!(!t.matches(""));
        assert!(Token::new("  ").is_none());
        assert_eq!(format!("{t:?}"), "Token(<redacted>)");
    }
}

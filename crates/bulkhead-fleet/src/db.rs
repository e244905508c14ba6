//! Connections and schema migrations.
//!
//! Migrations are SQL files embedded in the binary (`migrations/NNNN_*.sql`,
//! in order). [`migrate`] applies the missing ones at start, all in one
//! transaction that first takes `pg_advisory_xact_lock(MIGRATION_LOCK)`: two
//! processes starting at once queue on the lock, and the second finds
//! everything applied. Each applied version is a row of
//! `schema_migrations`; a database with a version this build does not know
//! (a newer Bulkhead migrated it) is refused.

use crate::error::{DbContext, Error, Result};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use std::time::Duration;
use tokio_postgres::NoTls;

/// One migration: version (applied in increasing order), name, SQL.
pub struct Migration {
    pub version: i32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in order. Append only: an applied migration never
/// changes (a change is a new file).
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "fleet",
        sql: include_str!("../migrations/0001_fleet.sql"),
    },
    Migration {
        version: 2,
        name: "harbor_scans",
        sql: include_str!("../migrations/0002_harbor_scans.sql"),
    },
];

/// The advisory lock key migrations hold (`pg_advisory_xact_lock`):
/// "bulkhead" in ASCII.
pub const MIGRATION_LOCK: i64 = 0x6275_6c6b_6865_6164;

/// How to connect.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Most connections of the pool.
    pub pool_size: usize,
    /// Longest wait to open a connection, or to borrow one from the pool.
    pub connect_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            pool_size: 8,
            connect_timeout: Duration::from_secs(15),
        }
    }
}

/// Parse a database URL (`postgres://user[:password]@host[:port]/db` or
/// libpq's `key=value` form).
pub fn parse_url(url: &str) -> Result<tokio_postgres::Config> {
    url.parse::<tokio_postgres::Config>().map_err(|e| {
        Error::Input(format!(
            "bad database URL ({e}): use postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
        ))
    })
}

/// `host:port/database` of a config, for messages: never the password.
pub fn describe(cfg: &tokio_postgres::Config) -> String {
    let host = cfg
        .get_hosts()
        .first()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(h) => h.clone(),
            tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".to_string());
    let port = cfg.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}/{}", cfg.get_dbname().unwrap_or("(default)"))
}

/// A connection pool for `url` (nothing is opened yet).
pub fn pool(url: &str, opts: &ConnectOptions) -> Result<(Pool, String)> {
    let mut cfg = parse_url(url)?;
    if cfg.get_connect_timeout().is_none() {
        cfg.connect_timeout(opts.connect_timeout);
    }
    if cfg.get_application_name().is_none() {
        cfg.application_name("bulkhead");
    }
    // A connection a failover left half-open is noticed in about a minute,
    // not after the kernel's two hours of keepalive silence.
    cfg.keepalives(true);
    cfg.keepalives_idle(Duration::from_secs(30));
    cfg.keepalives_interval(Duration::from_secs(10));
    cfg.keepalives_retries(3);
    let shown = describe(&cfg);
    let mgr = Manager::from_config(
        cfg,
        NoTls,
        ManagerConfig {
            // A pooled connection is checked (a round trip) before it is
            // handed out again: a database restart leaves dead ones.
            recycling_method: RecyclingMethod::Verified,
        },
    );
    let pool = Pool::builder(mgr)
        .max_size(opts.pool_size.max(1))
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(opts.connect_timeout))
        .create_timeout(Some(opts.connect_timeout))
        .recycle_timeout(Some(opts.connect_timeout))
        .build()
        .map_err(|e| Error::Internal(format!("cannot build the connection pool: {e}")))?;
    Ok((pool, shown))
}

/// Borrow a connection.
pub(crate) async fn client(pool: &Pool, shown: &str) -> Result<deadpool_postgres::Object> {
    pool.get().await.map_err(|e| {
        let why = match &e {
            deadpool_postgres::PoolError::Backend(pg) => crate::error::pg_message(pg),
            other => other.to_string(),
        };
        Error::Connect(format!(
            "cannot connect to PostgreSQL at {shown}: {why}; check --db (or BULKHEAD_DB_URL) and that the server is up"
        ))
    })
}

/// What [`migrate`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Migrated {
    /// Versions applied now.
    pub applied: Vec<i32>,
    /// The schema version after the run.
    pub version: i32,
}

/// Apply the missing migrations (see the module documentation).
pub async fn migrate(client: &mut tokio_postgres::Client) -> Result<Migrated> {
    let tx = client
        .transaction()
        .await
        .db("cannot start the schema migration")?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .db("cannot take the migration lock")?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    integer PRIMARY KEY,
             name       text        NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await
    .db("cannot create schema_migrations")?;
    let rows = tx
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .db("cannot read schema_migrations")?;
    let done: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
    let known = MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0);
    if let Some(newer) = done.iter().find(|v| **v > known) {
        return Err(Error::Data(format!(
            "the fleet database has schema version {newer}, newer than this Bulkhead knows ({known}): upgrade Bulkhead"
        )));
    }
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        if done.contains(&m.version) {
            continue;
        }
        tx.batch_execute(m.sql)
            .await
            .db(&format!("migration {} ({}) failed", m.version, m.name))?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[&m.version, &m.name],
        )
        .await
        .db("cannot record the migration")?;
        tracing::info!(
            version = m.version,
            name = m.name,
            "applied fleet schema migration"
        );
        applied.push(m.version);
    }
    tx.commit().await.db("cannot commit the schema migration")?;
    Ok(Migrated {
        applied,
        version: known.max(done.iter().copied().max().unwrap_or(0)),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn migrations_are_ordered_and_unique() {
        let v: Vec<i32> = MIGRATIONS.iter().map(|m| m.version).collect();
        let mut sorted = v.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(v, sorted);
        assert!(MIGRATIONS.iter().all(|m| !m.sql.trim().is_empty()));
    }

    #[test]
    fn urls_are_described_without_passwords() {
        let cfg = parse_url("postgres://u:hunter2@db.example:6543/fleet").unwrap();
        let shown = describe(&cfg);
        assert_eq!(shown, "db.example:6543/fleet");
        let e = parse_url("postgres://u:hunter2@db.example:notaport/fleet").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(parse_url("host=/run/postgresql dbname=x").is_ok());
    }
}

//! The fleet's errors: what went wrong and what to do, never a credential
//! or the database URL's password.

/// An error of the fleet library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database refused or failed a statement, or the connection broke.
    #[error("{context}: {message}")]
    Db { context: String, message: String },
    /// No connection could be made or borrowed.
    #[error("{0}")]
    Connect(String),
    /// Bad input from the caller (URL, key, glob, digest, job fields).
    #[error("{0}")]
    Input(String),
    /// Stored data that does not decode (a corrupt row, a newer schema).
    #[error("{0}")]
    Data(String),
    /// The registry failed (listing, resolving a tag).
    #[error(transparent)]
    Registry(#[from] bulkhead_image::ImageError),
    /// The local advisory database.
    #[error("{0}")]
    AdvisoryDb(String),
    /// A scan failed (the engine's error chain, one line).
    #[error("{0}")]
    Scan(String),
    /// A task of ours failed (a bug).
    #[error("internal error: {0} (please report this)")]
    Internal(String),
}

/// Results of the fleet library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Whether this is the fleet's own fault (exit code 3), not the input's
    /// or the environment's.
    pub fn is_internal(&self) -> bool {
        matches!(self, Error::Internal(_))
    }
}

/// The text of a PostgreSQL error: the server's message (and detail) when
/// there is one, else the client's. Values in messages are the server's
/// (keys of a violated constraint are digests, never credentials: those
/// are sealed before they reach a statement).
pub(crate) fn pg_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(d) => format!("{} ({d})", db.message()),
            None => db.message().to_string(),
        },
        None => {
            let mut msg = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(s) = src {
                msg.push_str(&format!(": {s}"));
                src = s.source();
            }
            msg
        }
    }
}

/// `.db("context")` on a tokio-postgres result.
pub(crate) trait DbContext<T> {
    fn db(self, context: &str) -> Result<T>;
}

impl<T> DbContext<T> for std::result::Result<T, tokio_postgres::Error> {
    fn db(self, context: &str) -> Result<T> {
        self.map_err(|e| Error::Db {
            context: context.to_string(),
            message: pg_message(&e),
        })
    }
}

use std::path::PathBuf;

/// Errors reading an image.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    NotAnImage(String),
    #[error("{path} is not a readable tar archive: {reason}")]
    BadTar { path: PathBuf, reason: String },
    #[error(
        "the image names {0}, which is not in the archive or layout (the file is incomplete: save or copy the image again)"
    )]
    MissingBlob(String),
    #[error(
        "{name} does not match its digest: expected {expected}, got {actual} (the file is corrupt or was tampered with)"
    )]
    DigestMismatch {
        name: String,
        expected: String,
        actual: String,
    },
    #[error("{name} is not valid JSON: {reason}")]
    BadJson { name: String, reason: String },
    #[error("{name} is larger than {limit} bytes, which no real image needs")]
    TooLarge { name: String, limit: u64 },
    #[error("{0}")]
    Malformed(String),
    #[error(
        "no image for platform {wanted}; the image has: {available} (choose one with --platform)"
    )]
    NoPlatform { wanted: String, available: String },
    #[error("{0}")]
    Unsupported(String),
    /// The source answered, and has no such image (try the next source).
    #[error("{0}")]
    NotFound(String),
    /// The source cannot be reached (daemon socket, registry host).
    #[error("{0}")]
    Unreachable(String),
    /// The registry refused our credentials, or wants some we do not have.
    #[error("{0}")]
    Auth(String),
    /// Any other registry or daemon failure (bad answer, timeout, limits).
    #[error("{0}")]
    Remote(String),
}

//! The engine's errors: one type whose variant tells a caller (the CLI, a
//! server, a worker) what happened, so it can choose an exit code, an HTTP
//! status or a retry without reading the message.
//!
//! Every variant carries the whole message: the context first, then each
//! cause, joined with `: ` (what `anyhow` prints with `{:#}`), saying what
//! is wrong and what to do. The error has no `source()`: the message is
//! the chain already, so a caller that prints causes does not repeat them.
//!
//! The kind comes from the typed errors of the crates below (an image
//! source's "not found" or "unreachable", a layer's size budget, the
//! advisory database, the Docker daemon), taken from the outermost typed
//! cause of the chain; the engine's own checks name their kind. What no
//! typed cause classifies is [`Error::Input`]: what was read or asked for
//! could not be used.

use std::fmt::Display;

/// What went wrong, without the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    Input,
    NotFound,
    Unreachable,
    Auth,
    Database,
    Limit,
    Cancelled,
    Internal,
}

/// An error of the engine. See the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The target, a file or a request value is unreadable or invalid (a
    /// missing file, a corrupt archive, a bad size, an unknown scanner):
    /// the caller's input must change.
    #[error("{0}")]
    Input(String),
    /// The image is in none of the sources tried (the message lists them).
    #[error("{0}")]
    NotFound(String),
    /// The Docker daemon or a registry could not be reached, or failed
    /// while answering: check it, or retry later.
    #[error("{0}")]
    Unreachable(String),
    /// Access was refused: registry credentials (`docker login`) or the
    /// permissions of the Docker socket.
    #[error("{0}")]
    Auth(String),
    /// The advisory database is missing, could not be updated, or is
    /// broken; the message says what to run (`bulkhead db update`, …).
    #[error("{0}")]
    Database(String),
    /// A size or entry budget was exceeded (a decompression bomb, or a
    /// genuinely huge image); the message names the limit to raise.
    #[error("{0}")]
    Limit(String),
    /// The work was cancelled before it finished (the caller's runtime shut
    /// down, or it cancelled the task).
    #[error("{0}")]
    Cancelled(String),
    /// Bulkhead's own fault, whatever the input: worth a bug report.
    #[error("{0}")]
    Internal(String),
}

/// A `Result` with the engine's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        let m = message.into();
        match kind {
            ErrorKind::Input => Error::Input(m),
            ErrorKind::NotFound => Error::NotFound(m),
            ErrorKind::Unreachable => Error::Unreachable(m),
            ErrorKind::Auth => Error::Auth(m),
            ErrorKind::Database => Error::Database(m),
            ErrorKind::Limit => Error::Limit(m),
            ErrorKind::Cancelled => Error::Cancelled(m),
            ErrorKind::Internal => Error::Internal(m),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Input(_) => ErrorKind::Input,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::Unreachable(_) => ErrorKind::Unreachable,
            Error::Auth(_) => ErrorKind::Auth,
            Error::Database(_) => ErrorKind::Database,
            Error::Limit(_) => ErrorKind::Limit,
            Error::Cancelled(_) => ErrorKind::Cancelled,
            Error::Internal(_) => ErrorKind::Internal,
        }
    }

    /// The whole message (context and causes).
    pub fn message(&self) -> &str {
        match self {
            Error::Input(m)
            | Error::NotFound(m)
            | Error::Unreachable(m)
            | Error::Auth(m)
            | Error::Database(m)
            | Error::Limit(m)
            | Error::Cancelled(m)
            | Error::Internal(m) => m,
        }
    }

    /// The same kind, with `context` in front of the message
    /// (`context: message`).
    pub fn context(self, context: impl Display) -> Error {
        let kind = self.kind();
        Error::new(kind, format!("{context}: {}", self.message()))
    }

    /// Classify any error by the typed causes in its chain (the outermost
    /// one that tells), with the whole chain as the message. An engine
    /// [`Error`] in the chain keeps its kind, so a caller's wrapper (an
    /// `anyhow` context, say) can be classified again without loss.
    pub fn classify(err: &(dyn std::error::Error + 'static)) -> Error {
        let mut message = err.to_string();
        let mut kind = None;
        let mut cur = Some(err);
        let mut first = true;
        while let Some(e) = cur {
            if !first {
                message.push_str(": ");
                message.push_str(&e.to_string());
            }
            first = false;
            if kind.is_none() {
                kind = kind_of(e);
            }
            cur = e.source();
        }
        Error::new(kind.unwrap_or(ErrorKind::Input), message)
    }
}

/// The kind one error says, if its type tells; `None` for wrappers and
/// untyped messages (the chain is read further).
fn kind_of(e: &(dyn std::error::Error + 'static)) -> Option<ErrorKind> {
    use bulkhead_audit::engine::EngineError;
    if let Some(e) = e.downcast_ref::<Error>() {
        return Some(e.kind());
    }
    if let Some(e) = e.downcast_ref::<bulkhead_image::ImageError>() {
        return Some(image_kind(e));
    }
    if let Some(e) = e.downcast_ref::<bulkhead_scan::PipelineError>() {
        return Some(match e {
            bulkhead_scan::PipelineError::Scan(s) => scan_kind(s),
            bulkhead_scan::PipelineError::Image(i) => image_kind(i),
            bulkhead_scan::PipelineError::Layer { source, .. } => layer_kind(source),
            bulkhead_scan::PipelineError::Mismatch(_) => ErrorKind::Input,
        });
    }
    if let Some(e) = e.downcast_ref::<bulkhead_scan::ScanError>() {
        return Some(scan_kind(e));
    }
    if let Some(e) = e.downcast_ref::<bulkhead_layerfs::LayerError>() {
        return Some(layer_kind(e));
    }
    if e.downcast_ref::<bulkhead_osv::Error>().is_some() {
        return Some(ErrorKind::Database);
    }
    if let Some(e) = e.downcast_ref::<EngineError>() {
        return Some(match e {
            EngineError::PermissionDenied(_) => ErrorKind::Auth,
            EngineError::Unreachable(..) | EngineError::Api { .. } => ErrorKind::Unreachable,
            EngineError::NoSuchContainer(_) => ErrorKind::NotFound,
            EngineError::NotRunning(_) => ErrorKind::Input,
            EngineError::Refused { status: 404, .. } => ErrorKind::NotFound,
            EngineError::Refused { status, .. } if *status >= 500 => ErrorKind::Unreachable,
            EngineError::Refused { .. } => ErrorKind::Input,
        });
    }
    if e.downcast_ref::<bulkhead_secrets::ConfigError>().is_some()
        || e.downcast_ref::<std::io::Error>().is_some()
    {
        return Some(ErrorKind::Input);
    }
    None
}

fn image_kind(e: &bulkhead_image::ImageError) -> ErrorKind {
    use bulkhead_image::ImageError as E;
    match e {
        E::NotFound(_) => ErrorKind::NotFound,
        // `Remote`: the daemon or registry failed while answering (bad
        // answer, timeout, its own limits).
        E::Unreachable(_) | E::Remote(_) => ErrorKind::Unreachable,
        E::Auth(_) => ErrorKind::Auth,
        E::TooLarge { .. } => ErrorKind::Limit,
        E::Io { .. }
        | E::NotAnImage(_)
        | E::BadTar { .. }
        | E::MissingBlob(_)
        | E::DigestMismatch { .. }
        | E::BadJson { .. }
        | E::Malformed(_)
        | E::NoPlatform { .. }
        | E::Unsupported(_) => ErrorKind::Input,
    }
}

fn scan_kind(e: &bulkhead_scan::ScanError) -> ErrorKind {
    match e {
        bulkhead_scan::ScanError::Layer { source, .. }
        | bulkhead_scan::ScanError::Dir { source, .. } => layer_kind(source),
        bulkhead_scan::ScanError::Open { .. } => ErrorKind::Input,
    }
}

fn layer_kind(e: &bulkhead_layerfs::LayerError) -> ErrorKind {
    use bulkhead_layerfs::LayerError as E;
    match e {
        E::TooLarge { .. } | E::TooManyEntries { .. } => ErrorKind::Limit,
        E::Io(_)
        | E::BadTar(_)
        | E::Truncated(_)
        | E::DigestMismatch { .. }
        | E::DiffIdMismatch { .. }
        | E::Callback(_) => ErrorKind::Input,
    }
}

/// `?` on the typed errors of the crates below: classified as
/// [`Error::classify`] does.
macro_rules! classified {
    ($($t:ty),* $(,)?) => {
        $(impl From<$t> for Error {
            fn from(e: $t) -> Error {
                Error::classify(&e)
            }
        })*
    };
}

classified!(
    bulkhead_image::ImageError,
    bulkhead_scan::PipelineError,
    bulkhead_scan::ScanError,
    bulkhead_osv::Error,
    bulkhead_audit::engine::EngineError,
    bulkhead_secrets::ConfigError,
    bulkhead_lint::LintError,
    bulkhead_audit::report::BaselineError,
    bulkhead_sign::verify::VerifyError,
    std::io::Error,
);

/// `context`/`with_context` for engine results, as `anyhow` has them: the
/// error is classified ([`Error::classify`]) and the context goes in front
/// of its message. On an `Option`, `None` is an [`Error::Input`] with the
/// context as its message.
pub(crate) trait Context<T> {
    fn context(self, context: impl Display) -> Result<T>;
    fn with_context<C: Display>(self, f: impl FnOnce() -> C) -> Result<T>;
}

impl<T, E: std::error::Error + 'static> Context<T> for std::result::Result<T, E> {
    fn context(self, context: impl Display) -> Result<T> {
        self.map_err(|e| Error::classify(&e).context(context))
    }
    fn with_context<C: Display>(self, f: impl FnOnce() -> C) -> Result<T> {
        self.map_err(|e| Error::classify(&e).context(f()))
    }
}

impl<T> Context<T> for Option<T> {
    fn context(self, context: impl Display) -> Result<T> {
        self.ok_or_else(|| Error::Input(context.to_string()))
    }
    fn with_context<C: Display>(self, f: impl FnOnce() -> C) -> Result<T> {
        self.ok_or_else(|| Error::Input(f().to_string()))
    }
}

/// `return Err(Error::Input(format!(…)))`.
macro_rules! bail {
    ($($arg:tt)*) => {
        return Err($crate::Error::Input(format!($($arg)*)))
    };
}
pub(crate) use bail;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use bulkhead_image::ImageError;
    use bulkhead_layerfs::LayerError;

    fn kind<E: std::error::Error + 'static>(e: E) -> ErrorKind {
        Error::classify(&e).kind()
    }

    #[test]
    fn image_sources_say_not_found_unreachable_or_auth() {
        assert_eq!(kind(ImageError::NotFound("x".into())), ErrorKind::NotFound);
        assert_eq!(
            kind(ImageError::Unreachable("x".into())),
            ErrorKind::Unreachable
        );
        assert_eq!(kind(ImageError::Remote("x".into())), ErrorKind::Unreachable);
        assert_eq!(kind(ImageError::Auth("x".into())), ErrorKind::Auth);
        assert_eq!(
            kind(ImageError::BadTar {
                path: "a.tar".into(),
                reason: "short".into()
            }),
            ErrorKind::Input
        );
        assert_eq!(
            kind(ImageError::TooLarge {
                name: "manifest".into(),
                limit: 1
            }),
            ErrorKind::Limit
        );
    }

    #[test]
    fn layer_budgets_are_limits_through_every_wrapper() {
        let layer = || LayerError::TooLarge { limit: 10 };
        assert_eq!(kind(layer()), ErrorKind::Limit);
        let scan = bulkhead_scan::ScanError::Layer {
            index: 0,
            diff_id: "sha256:00".into(),
            source: layer(),
        };
        assert_eq!(
            kind(bulkhead_scan::PipelineError::Scan(scan)),
            ErrorKind::Limit
        );
        let e = Error::from(bulkhead_scan::PipelineError::Layer {
            name: "x".into(),
            source: layer(),
        });
        assert_eq!(e.kind(), ErrorKind::Limit);
        assert_eq!(kind(LayerError::Truncated("header")), ErrorKind::Input);
    }

    #[test]
    fn database_errors() {
        let e = Error::from(bulkhead_osv::Error::Missing("db.sqlite".into()));
        assert_eq!(e.kind(), ErrorKind::Database);
        assert!(e.message().contains("bulkhead db update"), "{e}");
    }

    #[test]
    fn daemon_errors() {
        use bulkhead_audit::engine::EngineError;
        assert_eq!(
            kind(EngineError::NoSuchContainer("web".into())),
            ErrorKind::NotFound
        );
        assert_eq!(
            kind(EngineError::PermissionDenied("/var/run/docker.sock".into())),
            ErrorKind::Auth
        );
        assert_eq!(
            kind(EngineError::NotRunning("web".into())),
            ErrorKind::Input
        );
        let refused = |status| EngineError::Refused {
            what: "inspect".into(),
            status,
            message: "no".into(),
        };
        assert_eq!(kind(refused(404)), ErrorKind::NotFound);
        assert_eq!(kind(refused(500)), ErrorKind::Unreachable);
        assert_eq!(kind(refused(409)), ErrorKind::Input);
    }

    #[test]
    fn files_and_untyped_messages_are_input() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        assert_eq!(Error::from(io).kind(), ErrorKind::Input);
        #[derive(Debug, thiserror::Error)]
        #[error("something else")]
        struct Other;
        assert_eq!(kind(Other), ErrorKind::Input);
    }

    #[test]
    fn every_kind_round_trips() {
        for k in [
            ErrorKind::Input,
            ErrorKind::NotFound,
            ErrorKind::Unreachable,
            ErrorKind::Auth,
            ErrorKind::Database,
            ErrorKind::Limit,
            ErrorKind::Cancelled,
            ErrorKind::Internal,
        ] {
            let e = Error::new(k, "m");
            assert_eq!(e.kind(), k);
            assert_eq!(e.message(), "m");
            // Classifying an engine error again keeps its kind.
            assert_eq!(Error::classify(&e), e);
            assert_eq!(e.clone().context("c").kind(), k);
        }
    }

    /// The message is the chain as `anyhow` prints it with `{:#}`: context
    /// first, then each cause.
    #[test]
    fn the_message_is_the_whole_chain() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let e: Result<()> = Err(ImageError::Io {
            path: "a.tar".into(),
            source: io,
        })
        .context("cannot read image a.tar");
        let e = e.unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot read image a.tar: cannot read a.tar: No such file: No such file"
        );
        assert!(std::error::Error::source(&e).is_none());
        let none: Result<u8> = None.context("nothing there");
        assert_eq!(none.unwrap_err(), Error::Input("nothing there".into()));
    }
}

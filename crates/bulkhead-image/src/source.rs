//! Where an image by name comes from: one [`ImageSource`] trait for the
//! Docker daemon and registries, and [`open_first`], the one place where
//! sources are tried in order (`--image-src docker,remote`). Image files
//! are a target of their own, read by [`crate::open_input`] (paths need
//! not be UTF-8, names here are).
//!
//! A source that answers "no such image" ([`ImageError::NotFound`]) or
//! cannot be reached ([`ImageError::Unreachable`]) passes to the next one;
//! any other error (a corrupt image, refused credentials) stops the chain,
//! since another source would only hide it. When every source passes, the
//! error names each one and why.

use crate::daemon::{self, DaemonImage};
use crate::registry::{self, RegistryOptions};
use crate::{Image, ImageError, Platform, Reference};
use std::io::Read;

/// An image opened by a source, ready for the analysis pipeline.
pub enum Opened {
    /// Layers are reopenable blobs (files, registries): the pipeline reads
    /// them in parallel, and only those it has not analyzed before.
    Blobs(Image),
    /// The Docker daemon's export: one `docker save` stream, read once in
    /// arrival order, with what the daemon's inspect said (its diff_ids
    /// tell the pipeline which layers it may only hash).
    DockerExport {
        stream: Box<dyn Read + Send>,
        inspect: DaemonImage,
    },
}

/// One place images come from.
pub trait ImageSource: Send + Sync {
    /// The source's name in `--image-src` and in messages.
    fn id(&self) -> &'static str;
    /// What a progress line says while this source opens `name`.
    fn describe(&self, name: &str) -> String;
    /// Open `name`. `NotFound` and `Unreachable` mean "try the next
    /// source"; other errors stop the chain.
    fn open(&self, name: &str, platform: Option<&Platform>) -> Result<Opened, ImageError>;
}

/// The local Docker daemon (`docker`): inspect, then export.
#[derive(Debug, Clone, Copy, Default)]
pub struct DaemonSource;

impl ImageSource for DaemonSource {
    fn id(&self) -> &'static str {
        "docker"
    }

    fn describe(&self, name: &str) -> String {
        format!("reading {name} from the Docker daemon")
    }

    fn open(&self, name: &str, _platform: Option<&Platform>) -> Result<Opened, ImageError> {
        let inspect = daemon::inspect(name)?;
        let stream = daemon::export(name)?;
        Ok(Opened::DockerExport { stream, inspect })
    }
}

/// The image's registry (`remote`): manifest and config now, layers when
/// the pipeline reads them.
#[derive(Debug, Clone)]
pub struct RegistrySource {
    pub options: RegistryOptions,
}

impl ImageSource for RegistrySource {
    fn id(&self) -> &'static str {
        "remote"
    }

    fn describe(&self, name: &str) -> String {
        match Reference::parse(name) {
            Ok(r) => format!("fetching {r}"),
            Err(_) => format!("fetching {name}"),
        }
    }

    fn open(&self, name: &str, platform: Option<&Platform>) -> Result<Opened, ImageError> {
        let reference = Reference::parse(name).map_err(ImageError::Unsupported)?;
        registry::pull(&reference, platform, self.options.clone()).map(Opened::Blobs)
    }
}

/// The sources of an `--image-src` list (`docker`, `remote`), in order.
pub fn sources(
    ids: &[String],
    registry: &RegistryOptions,
) -> Result<Vec<Box<dyn ImageSource>>, ImageError> {
    if ids.is_empty() {
        return Err(ImageError::Unsupported(
            "--image-src is empty: use docker, remote or both".into(),
        ));
    }
    ids.iter()
        .map(|id| -> Result<Box<dyn ImageSource>, ImageError> {
            match id.trim() {
                "docker" => Ok(Box::new(DaemonSource)),
                "remote" => Ok(Box::new(RegistrySource {
                    options: registry.clone(),
                })),
                other => Err(ImageError::Unsupported(format!(
                    "unknown image source {other:?} in --image-src: use docker and/or remote"
                ))),
            }
        })
        .collect()
}

/// Open `name` from the first source that has it. `on_try` is called
/// before each attempt (for a progress line); the id of the source that
/// answered is returned with the image.
pub fn open_first(
    sources: &[Box<dyn ImageSource>],
    name: &str,
    platform: Option<&Platform>,
    on_try: &mut dyn FnMut(&dyn ImageSource),
) -> Result<(Opened, &'static str), ImageError> {
    if sources.is_empty() {
        return Err(ImageError::Unsupported(
            "--image-src is empty: use docker, remote or both".into(),
        ));
    }
    let mut tried: Vec<String> = Vec::new();
    let mut answered = false;
    for src in sources {
        on_try(src.as_ref());
        match src.open(name, platform) {
            Ok(opened) => return Ok((opened, src.id())),
            Err(e @ (ImageError::NotFound(_) | ImageError::Unreachable(_))) => {
                answered |= matches!(e, ImageError::NotFound(_));
                tracing::info!("{}: {e}", src.id());
                tried.push(format!("  - {}: {e}", src.id()));
            }
            Err(e) => return Err(e),
        }
    }
    // Not found only when a source said so; when none answered, the image
    // may well exist (a caller retries later, a server reports the outage).
    if !answered {
        return Err(ImageError::Unreachable(format!(
            "image {name} could not be looked up: no source answered. Tried:\n{}\n(is the Docker daemon running? is the registry reachable from here?)",
            tried.join("\n")
        )));
    }
    Err(ImageError::NotFound(format!(
        "image {name} was not found. Looked in:\n{}\n(a file path? check it exists; a private registry? run `docker login`)",
        tried.join("\n")
    )))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A scripted source: answers with `result` and counts its calls.
    struct Fake {
        id: &'static str,
        result: fn(&str) -> Result<Opened, ImageError>,
        calls: AtomicUsize,
    }

    impl ImageSource for Fake {
        fn id(&self) -> &'static str {
            self.id
        }
        fn describe(&self, name: &str) -> String {
            format!("{} {name}", self.id)
        }
        fn open(&self, name: &str, _: Option<&Platform>) -> Result<Opened, ImageError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            (self.result)(name)
        }
    }

    fn fake(
        id: &'static str,
        result: fn(&str) -> Result<Opened, ImageError>,
    ) -> Box<dyn ImageSource> {
        Box::new(Fake {
            id,
            result,
            calls: AtomicUsize::new(0),
        })
    }

    fn found(_: &str) -> Result<Opened, ImageError> {
        Ok(Opened::DockerExport {
            stream: Box::new(std::io::empty()),
            inspect: DaemonImage {
                id: "sha256:0".into(),
                repo_tags: Vec::new(),
                repo_digests: Vec::new(),
                diff_ids: Vec::new(),
            },
        })
    }

    #[test]
    fn the_first_source_that_has_the_image_answers() {
        let chain = vec![
            fake("a", |n| Err(ImageError::NotFound(format!("no {n} in a")))),
            fake("b", |_| Err(ImageError::Unreachable("b is down".into()))),
            fake("c", found),
        ];
        let mut tried = Vec::new();
        let (_, id) = open_first(&chain, "img", None, &mut |s| tried.push(s.id())).unwrap();
        assert_eq!(id, "c");
        assert_eq!(tried, ["a", "b", "c"]);
    }

    #[test]
    fn every_source_is_named_when_none_has_it() {
        let chain = vec![
            fake("a", |n| Err(ImageError::NotFound(format!("no {n} in a")))),
            fake("b", |_| Err(ImageError::Unreachable("b is down".into()))),
        ];
        let Err(ImageError::NotFound(m)) = open_first(&chain, "img", None, &mut |_| {}) else {
            panic!("not NotFound");
        };
        assert!(
            m.starts_with(
                "image img was not found. Looked in:\n  - a: no img in a\n  - b: b is down\n"
            ),
            "{m}"
        );
    }

    #[test]
    fn no_source_answering_is_unreachable_not_missing() {
        let chain = vec![
            fake("a", |_| Err(ImageError::Unreachable("a is down".into()))),
            fake("b", |_| Err(ImageError::Unreachable("b is down".into()))),
        ];
        let Err(ImageError::Unreachable(m)) = open_first(&chain, "img", None, &mut |_| {}) else {
            panic!("not Unreachable");
        };
        assert!(
            m.starts_with("image img could not be looked up: no source answered. Tried:\n  - a: a is down\n  - b: b is down\n"),
            "{m}"
        );
    }

    #[test]
    fn other_errors_stop_the_chain() {
        let chain = vec![
            fake("a", |_| Err(ImageError::Auth("denied".into()))),
            fake("b", found),
        ];
        let Err(ImageError::Auth(m)) = open_first(&chain, "img", None, &mut |_| {}) else {
            panic!("not Auth");
        };
        assert_eq!(m, "denied");
    }

    #[test]
    fn source_lists_are_checked() {
        let opts = RegistryOptions::default();
        assert!(sources(&[], &opts).is_err());
        let err = sources(&["docker".into(), "ftp".into()], &opts)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("unknown image source \"ftp\""), "{err}");
        let ok = sources(&["remote".into(), " docker".into()], &opts).unwrap();
        let ids: Vec<&str> = ok.iter().map(|s| s.id()).collect();
        assert_eq!(ids, ["remote", "docker"]);
    }
}

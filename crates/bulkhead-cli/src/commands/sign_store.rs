//! `bulkhead_sign::Store` over the registry client: where `sign` writes and
//! `verify` reads signatures (one repository of one registry), plus the
//! tag-to-digest resolution both commands start with.

use crate::args::GlobalArgs;
use crate::progress;
use anyhow::{Context, Result, bail};
use bulkhead_image::registry::{Registry, RegistryOptions};
use bulkhead_image::{ImageError, Reference};
use bulkhead_sign::{Descriptor, Fetched, SignError, Store};
use clap::Args;

/// Registry flags of `sign`, `verify` and `image --verify`.
#[derive(Debug, Args, Clone)]
pub struct RegistryArgs {
    /// Allow plain HTTP and unverified TLS for the image's registry
    /// (registries on localhost may always use plain HTTP).
    #[arg(long)]
    pub insecure: bool,
    /// Give up on the registry after this long (e.g. 90s, 10m, 1h).
    #[arg(long, value_name = "DURATION", default_value = "10m")]
    pub timeout: String,
}

/// Signatures of images in one repository of one registry.
pub struct RegistryStore {
    registry: Registry,
    repo: String,
}

fn store_error(e: ImageError) -> SignError {
    SignError::Store(e.to_string())
}

impl RegistryStore {
    pub fn new(registry: Registry, repo: &str) -> RegistryStore {
        RegistryStore {
            registry,
            repo: repo.to_string(),
        }
    }
}

impl Store for RegistryStore {
    fn manifest(&self, reference: &str) -> Result<Option<Fetched>, SignError> {
        match self.registry.manifest(&self.repo, reference) {
            Ok((bytes, media_type, digest)) => Ok(Some(Fetched {
                bytes,
                media_type,
                digest,
            })),
            Err(ImageError::NotFound(_)) => Ok(None),
            Err(e) => Err(store_error(e)),
        }
    }

    fn blob(&self, digest: &str, limit: u64) -> Result<Vec<u8>, SignError> {
        // small_blob caps the size and checks the digest.
        self.registry
            .small_blob(&self.repo, digest, limit)
            .map_err(store_error)
    }

    fn referrers(
        &self,
        digest: &str,
        artifact_type: Option<&str>,
    ) -> Result<Option<Vec<Descriptor>>, SignError> {
        self.registry
            .referrers(&self.repo, digest, artifact_type)
            .map(|o| o.map(|index| index.manifests().clone()))
            .map_err(store_error)
    }

    fn push_blob(&self, bytes: &[u8]) -> Result<String, SignError> {
        self.registry
            .push_blob(&self.repo, bytes)
            .map_err(store_error)
    }

    fn push_manifest(
        &self,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<String, SignError> {
        self.registry
            .push_manifest(&self.repo, reference, media_type, bytes)
            .map_err(store_error)
    }
}

/// An image in a registry, its tag resolved to the manifest digest.
pub struct Resolved {
    pub reference: Reference,
    /// `registry/repository`, what policies match and payloads name.
    pub name: String,
    /// The manifest digest, computed from the bytes the registry sent.
    pub digest: String,
    pub store: RegistryStore,
}

impl Resolved {
    /// `registry/repository@sha256:…`.
    pub fn pinned(&self) -> String {
        format!("{}@{}", self.name, self.digest)
    }
}

/// Parse `image` as a registry reference and resolve it to a digest.
pub fn resolve(global: &GlobalArgs, image: &str, args: &RegistryArgs) -> Result<Resolved> {
    if std::path::Path::new(image).exists() {
        bail!(
            "{image} is a local path: signatures live in a registry, so name the image there (registry/repository:tag or @sha256:…)"
        );
    }
    let reference = Reference::parse(image).map_err(anyhow::Error::msg)?;
    let opts = RegistryOptions {
        insecure: args.insecure,
        timeout: super::image_source::parse_duration(&args.timeout)?,
        ..RegistryOptions::default()
    };
    let registry = Registry::new(&reference.registry, opts)?;
    let spinner = progress::spinner(global.quiet, &format!("resolving {reference}"));
    let (_, _, digest) = registry
        .manifest(&reference.repository, reference.reference())
        .with_context(|| format!("cannot resolve {reference} to a digest"))?;
    spinner.finish_and_clear();
    let name = format!("{}/{}", reference.registry, reference.repository);
    let store = RegistryStore::new(registry, &reference.repository);
    Ok(Resolved {
        reference,
        name,
        digest,
        store,
    })
}

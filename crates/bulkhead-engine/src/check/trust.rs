//! The trust layer's input: the image's signatures in its registry,
//! verified by `bulkhead_sign::verify` against the signing policy (or only
//! listed without one).

use super::CheckRequest;
use crate::{Progress, Target};
use bulkhead_check::Trust;
use bulkhead_image::registry::Registry;
use bulkhead_image::{ImageError, Reference};
use bulkhead_sign::policy::Policy;
use bulkhead_sign::verify::KeyLoadError;
use bulkhead_sign::{
    Descriptor, Fetched, KeySource, PolicySource, PublicKey, SignError, Store, VerifyRequest,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A signing policy and the file it came from (its key paths are relative
/// to that file's folder).
#[derive(Debug, Clone)]
pub struct SigningPolicy {
    pub policy: Policy,
    pub file: PathBuf,
}

/// Signatures of one repository, read only: `verify` never writes.
///
/// The read half of a `bulkhead_sign::Store` over the registry client;
/// `sign` needs the write half and has its own store in the CLI.
struct ReadOnlyStore {
    registry: Registry,
    repo: String,
}

fn store_error(e: ImageError) -> SignError {
    SignError::Store(e.to_string())
}

impl Store for ReadOnlyStore {
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

    fn push_blob(&self, _bytes: &[u8]) -> Result<String, SignError> {
        Err(SignError::Internal(
            "check only reads signatures".to_string(),
        ))
    }

    fn push_manifest(
        &self,
        _reference: &str,
        _media_type: &str,
        _bytes: &[u8],
    ) -> Result<String, SignError> {
        Err(SignError::Internal(
            "check only reads signatures".to_string(),
        ))
    }
}

/// Reads PEM public keys from files.
struct PemFiles;

impl KeySource for PemFiles {
    fn load(&self, path: &Path, label: &str) -> Result<PublicKey, KeyLoadError> {
        let pem = std::fs::read_to_string(path).map_err(|e| {
            KeyLoadError::from(format!(
                "cannot read public key {label} ({e}): the policy names a PEM public key such as cosign.pub"
            ))
        })?;
        PublicKey::from_pem(&pem)
            .map_err(|e| KeyLoadError::from(format!("public key {label} cannot be used: {e}")))
    }
}

/// Look the image's signatures up, or say why not.
pub(super) fn lookup(req: &CheckRequest, target: &Target, progress: &dyn Progress) -> Trust {
    let name = match target {
        Target::Name(n) => n,
        Target::File(_) | Target::Dir(_) => {
            return Trust::NotChecked(
                "the image is a file: signatures live in a registry, so check the image by its registry name to verify them"
                    .to_string(),
            );
        }
    };
    if req.scan.db.offline {
        return Trust::NotChecked("--offline: the registry is not asked".to_string());
    }
    if !req.scan.sources.iter().any(|s| s.trim() == "remote") {
        return Trust::NotChecked(
            "registry access is off (--image-src without remote): signatures live in the registry"
                .to_string(),
        );
    }
    progress.start(&format!("checking the signatures of {name}"), None);
    let out = verify(req, name);
    progress.finish();
    match out {
        Ok(o) => Trust::Checked(Box::new(o)),
        Err(e) => Trust::Failed(e),
    }
}

fn verify(
    req: &CheckRequest,
    name: &str,
) -> Result<bulkhead_types::signature::VerifyOutcome, String> {
    let reference = Reference::parse(name)?;
    let registry =
        Registry::new(&reference.registry, req.scan.registry.clone()).map_err(|e| e.to_string())?;
    let (_, _, digest) = registry
        .manifest(&reference.repository, reference.reference())
        .map_err(|e| format!("cannot resolve {reference} to a digest in its registry: {e}"))?;
    let repo = format!("{}/{}", reference.registry, reference.repository);
    let store = ReadOnlyStore {
        registry,
        repo: reference.repository.clone(),
    };
    let annotations = BTreeMap::new();
    let vreq = VerifyRequest {
        image: name,
        name: &repo,
        digest: &digest,
        key_files: &[],
        policy: req.policy.as_ref().map(|p| PolicySource {
            policy: &p.policy,
            file: &p.file,
        }),
        annotations: &annotations,
    };
    bulkhead_sign::verify(&vreq, &store, &PemFiles).map_err(|e| {
        let mut s = e.to_string();
        let mut src = std::error::Error::source(&e);
        while let Some(c) = src {
            s.push_str(&format!(": {c}"));
            src = c.source();
        }
        s
    })
}

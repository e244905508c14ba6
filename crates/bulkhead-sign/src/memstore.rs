//! An in-memory [`Store`] for tests and fuzzing.
//!
//! Unlike a registry client it serves whatever it holds without checking
//! digests, so tests can play a registry that lies (tampered blobs).

use crate::manifest::{RawManifest, media_type_of};
use crate::{Descriptor, Fetched, SignError, Store, sha256_digest};
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

#[derive(Clone, Default)]
struct Inner {
    /// tag → manifest digest
    tags: BTreeMap<String, String>,
    /// digest → (media type, bytes)
    manifests: BTreeMap<String, (String, Vec<u8>)>,
    blobs: BTreeMap<String, Vec<u8>>,
}

/// One repository in memory. `referrers_api` decides whether
/// [`Store::referrers`] answers (OCI 1.1 registry) or returns None (a
/// registry without the API, like Debian's docker-registry 2.8).
#[derive(Default)]
pub struct MemStore {
    inner: Mutex<Inner>,
    pub referrers_api: bool,
}

impl MemStore {
    pub fn new(referrers_api: bool) -> MemStore {
        MemStore {
            inner: Mutex::default(),
            referrers_api,
        }
    }

    /// An independent copy of this store's contents.
    pub fn duplicate(&self) -> MemStore {
        MemStore {
            inner: Mutex::new(self.lock().clone()),
            referrers_api: self.referrers_api,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A poisoned lock only means another test thread panicked; the data is plain.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Store a manifest under its digest, and under `reference` when that is a tag.
    pub fn put_manifest(&self, reference: &str, media_type: &str, bytes: &[u8]) -> String {
        let digest = sha256_digest(bytes);
        let mut inner = self.lock();
        inner
            .manifests
            .insert(digest.clone(), (media_type.to_string(), bytes.to_vec()));
        if !reference.starts_with("sha256:") {
            inner.tags.insert(reference.to_string(), digest.clone());
        }
        digest
    }

    /// Store a blob under its digest.
    pub fn put_blob(&self, bytes: &[u8]) -> String {
        let digest = sha256_digest(bytes);
        self.lock().blobs.insert(digest.clone(), bytes.to_vec());
        digest
    }

    /// Replace what is served for `digest` (a lying registry).
    pub fn tamper_blob(&self, digest: &str, bytes: &[u8]) {
        self.lock().blobs.insert(digest.to_string(), bytes.to_vec());
    }

    /// Point `tag` at raw manifest bytes, which need not be valid JSON.
    pub fn tamper_tag(&self, tag: &str, bytes: &[u8]) {
        self.put_manifest(tag, "application/vnd.oci.image.manifest.v1+json", bytes);
    }

    /// The manifest bytes at a tag or digest.
    pub fn manifest_bytes(&self, reference: &str) -> Option<Vec<u8>> {
        let inner = self.lock();
        let digest = inner.tags.get(reference).map_or(reference, String::as_str);
        inner.manifests.get(digest).map(|(_, b)| b.clone())
    }

    pub fn blob_bytes(&self, digest: &str) -> Option<Vec<u8>> {
        self.lock().blobs.get(digest).cloned()
    }
}

impl Store for MemStore {
    fn manifest(&self, reference: &str) -> Result<Option<Fetched>, SignError> {
        let inner = self.lock();
        let digest = inner
            .tags
            .get(reference)
            .cloned()
            .unwrap_or_else(|| reference.to_string());
        Ok(inner.manifests.get(&digest).map(|(mt, b)| Fetched {
            bytes: b.clone(),
            media_type: mt.clone(),
            digest: digest.clone(),
        }))
    }

    fn blob(&self, digest: &str, limit: u64) -> Result<Vec<u8>, SignError> {
        match self.lock().blobs.get(digest) {
            Some(b) if b.len() as u64 > limit => Err(SignError::Store(format!(
                "blob {digest} is {} bytes, over the {limit}-byte limit",
                b.len()
            ))),
            Some(b) => Ok(b.clone()),
            None => Err(SignError::Store(format!("blob {digest} not found"))),
        }
    }

    fn referrers(
        &self,
        digest: &str,
        artifact_type: Option<&str>,
    ) -> Result<Option<Vec<Descriptor>>, SignError> {
        if !self.referrers_api {
            return Ok(None);
        }
        let inner = self.lock();
        let mut out = Vec::new();
        for (d, (mt, bytes)) in &inner.manifests {
            let Ok(m) = serde_json::from_slice::<RawManifest>(bytes) else {
                continue;
            };
            if m.subject.as_ref().and_then(|s| s.digest.as_deref()) != Some(digest) {
                continue;
            }
            let at = m
                .artifact_type
                .clone()
                .or_else(|| m.config.as_ref().and_then(|c| c.media_type.clone()));
            if artifact_type.is_some() && at.as_deref() != artifact_type {
                continue;
            }
            let desc = serde_json::json!({
                "mediaType": media_type_of(bytes, mt),
                "digest": d,
                "size": bytes.len(),
                "artifactType": at,
                "annotations": m.annotations.unwrap_or_default(),
            });
            if let Ok(desc) = serde_json::from_value::<Descriptor>(desc) {
                out.push(desc);
            }
        }
        Ok(Some(out))
    }

    fn push_blob(&self, bytes: &[u8]) -> Result<String, SignError> {
        Ok(self.put_blob(bytes))
    }

    fn push_manifest(
        &self,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<String, SignError> {
        let digest = sha256_digest(bytes);
        if reference.starts_with("sha256:") && reference != digest {
            return Err(SignError::Store(format!(
                "manifest pushed as {reference} but its digest is {digest}"
            )));
        }
        Ok(self.put_manifest(reference, media_type, bytes))
    }
}

//! OCI/Docker manifest and index shapes used by signatures: lenient readers
//! (hostile registries), and the small builders for what Bulkhead writes.

use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";
pub const EMPTY_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";
pub const EMPTY_DIGEST: &str =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
pub const EMPTY_BLOB: &[u8] = b"{}";
pub const CREATED_ANNOTATION: &str = "org.opencontainers.image.created";
pub const BUNDLE_CONTENT_ANNOTATION: &str = "dev.sigstore.bundle.content";
pub const BUNDLE_PREDICATE_ANNOTATION: &str = "dev.sigstore.bundle.predicateType";

/// A descriptor as read from an untrusted manifest: every field optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawDescriptor {
    pub media_type: Option<String>,
    pub digest: Option<String>,
    pub size: Option<u64>,
    pub artifact_type: Option<String>,
    pub annotations: Option<BTreeMap<String, String>>,
}

impl RawDescriptor {
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.as_ref()?.get(key).map(String::as_str)
    }
}

/// An image manifest (OCI or Docker schema 2) as read from a registry.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawManifest {
    pub media_type: Option<String>,
    pub artifact_type: Option<String>,
    pub config: Option<RawDescriptor>,
    #[serde(default)]
    pub layers: Vec<RawDescriptor>,
    pub subject: Option<RawDescriptor>,
    pub annotations: Option<BTreeMap<String, String>>,
}

/// An image index (OCI or Docker manifest list) as read from a registry.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawIndex {
    pub media_type: Option<String>,
    #[serde(default)]
    pub manifests: Vec<RawDescriptor>,
}

/// The image config blob of a legacy signature manifest: what
/// go-containerregistry's `mutate.Append` on an empty image produces (cosign's
/// signature images are built that way): zero times, empty platform, one
/// history entry and one diff_id per signature layer (layers are uncompressed,
/// so diff_id = layer digest).
pub fn legacy_config(layer_digests: &[String]) -> Vec<u8> {
    const ZERO_TIME: &str = "0001-01-01T00:00:00Z";
    let history: Vec<Value> = layer_digests
        .iter()
        .map(|_| json!({ "created": ZERO_TIME }))
        .collect();
    json!({
        "architecture": "",
        "created": ZERO_TIME,
        "history": history,
        "os": "",
        "rootfs": {"type": "layers", "diff_ids": layer_digests},
        "config": {},
    })
    .to_string()
    .into_bytes()
}

/// The media type to believe for a fetched manifest: its own `mediaType`
/// field, else what the registry said.
pub fn media_type_of(bytes: &[u8], served: &str) -> String {
    #[derive(Deserialize)]
    struct M {
        #[serde(rename = "mediaType")]
        media_type: Option<String>,
    }
    serde_json::from_slice::<M>(bytes)
        .ok()
        .and_then(|m| m.media_type)
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| {
            if served.is_empty() {
                OCI_MANIFEST.to_string()
            } else {
                served.to_string()
            }
        })
}

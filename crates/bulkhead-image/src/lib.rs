//! Image sources: where an image's config and layers come from.
//!
//! [`open_input`] reads a `docker save` tarball (legacy `manifest.json`
//! layout and the newer OCI-in-docker-save layout), an OCI image layout
//! directory or tarball, including multi-platform indexes. The result is an
//! [`Image`]: its raw config, history and layers, each layer a [`BlobRef`]
//! that can be opened any number of times (so layers can be read in
//! parallel). Small JSON documents (index, manifest, config) are verified
//! against their digests here; layer blobs are verified by the layer reader
//! while it streams them (`bulkhead-layerfs`), so each byte is read once.
//!
//! Images by name come from [`registry`] (OCI distribution API v2, layers
//! streamed when opened) or from the Docker daemon ([`daemon`], the export
//! stream parsed as it arrives).
//!
//! **Invariant**: nothing here extracts files or writes to disk.

mod blob;
pub mod daemon;
mod error;
mod oci;
mod platform;
pub mod reference;
pub mod registry;
pub mod source;
mod store;

pub use blob::{BlobRef, RemoteBlob};
pub use error::ImageError;
pub use platform::Platform;
pub use reference::Reference;

use bulkhead_types::LayerRef;
use std::path::Path;

/// The largest JSON document (manifest, index, config) we accept.
pub const MAX_JSON_BYTES: u64 = 16 * 1024 * 1024;

/// One layer of an image, in `rootfs.diff_ids` order.
#[derive(Debug, Clone)]
pub struct Layer {
    /// 0-based index in `rootfs.diff_ids`.
    pub index: usize,
    /// `sha256:…` of the uncompressed tar (from the config).
    pub diff_id: String,
    /// `sha256:…` of the blob as stored, when the source names it.
    pub digest: Option<String>,
    /// Media type from the manifest, when known.
    pub media_type: String,
    /// Stored size in bytes.
    pub size: u64,
    /// The history `created_by` paired with this layer.
    pub created_by: String,
    /// Where the bytes are.
    pub blob: BlobRef,
}

impl Layer {
    /// The report's reference to this layer.
    pub fn layer_ref(&self) -> LayerRef {
        LayerRef {
            index: self.index,
            diff_id: self.diff_id.clone(),
            digest: self.digest.clone().unwrap_or_default(),
            created_by: self.created_by.clone(),
        }
    }
}

/// An image read from a source.
#[derive(Debug, Clone)]
pub struct Image {
    /// The image id: `sha256:` of the config blob.
    pub id: String,
    /// The raw image configuration (Docker/OCI), kept whole for the image-config checks.
    pub config: serde_json::Value,
    /// `rootfs.diff_ids`.
    pub diff_ids: Vec<String>,
    /// Layers in `rootfs.diff_ids` order.
    pub layers: Vec<Layer>,
    /// Tags recorded in the source (docker-archive `RepoTags`, OCI ref annotations).
    pub repo_tags: Vec<String>,
    /// Digests of the manifest the image came from, when known.
    pub repo_digests: Vec<String>,
    /// Platform of the image config.
    pub platform: Platform,
}

impl Image {
    /// History `created_by` of each non-empty layer, in order.
    pub fn layer_refs(&self) -> Vec<LayerRef> {
        self.layers.iter().map(Layer::layer_ref).collect()
    }
}

/// Read an image from a file or directory: docker-archive tarball, OCI layout
/// directory, or OCI layout tarball. `platform` picks from multi-platform
/// indexes (default: the host's).
pub fn open_input(path: &Path, platform: Option<&Platform>) -> Result<Image, ImageError> {
    let store = store::Store::open(path)?;
    if store.exists("manifest.json") {
        oci::from_docker_archive(&store, platform)
    } else if store.exists("index.json") {
        oci::from_oci_layout(&store, platform)
    } else if path.is_dir() {
        Err(ImageError::NotAnImage(format!(
            "{} has neither manifest.json (docker save) nor index.json (OCI layout); \
             to scan a root filesystem or project folder use `bulkhead fs {}`",
            path.display(),
            path.display()
        )))
    } else {
        Err(ImageError::NotAnImage(format!(
            "{} is a tar archive without manifest.json or index.json: \
             create it with `docker save IMAGE -o FILE` or an OCI layout tool",
            path.display()
        )))
    }
}

//! Image signing and verification in cosign's formats, key pair only, no
//! transparency log (air-gapped use).
//!
//! - [`keys`]: ECDSA P-256 keys; cosign's encrypted key file (scrypt + nacl/secretbox).
//! - [`simple`]: the legacy simple-signing payload.
//! - [`bundle`]: in-toto statement, DSSE envelope and Sigstore bundle (new format).
//! - [`sign()`]: writes a signature in either format through a [`Store`].
//! - [`discover()`]: finds every signature of an image in both formats and checks each.
//! - [`MemStore`]: an in-memory [`Store`] for tests and fuzzing.
//!
//! The formats as implemented are described in docs/signing-formats.md.

pub mod policy;

pub mod bundle;
mod discover;
#[doc(hidden)]
pub mod fuzzing;
pub mod keys;
pub mod manifest;
mod memstore;
mod sign;
pub mod simple;
#[cfg(test)]
mod tests;
pub mod verify;

use std::collections::BTreeMap;

pub use bulkhead_types::signature::{
    Claims, FoundSignature, KeyInfo, PolicyInfo, SignatureFormat, Signed, Status, VerifyMode,
    VerifyOutcome,
};
pub use discover::discover;
pub use keys::{KeyLimits, PublicKey, SigningKey};
pub use memstore::MemStore;
pub use oci_spec::image::Descriptor;
pub use sign::sign;
pub use verify::{KeySource, PolicySource, VerifyError, VerifyRequest, verify};

/// Largest signature manifest or index read (bytes).
pub const MAX_MANIFEST_BYTES: u64 = 4 << 20;
/// Largest payload or bundle blob read (bytes).
pub const MAX_PAYLOAD_BYTES: u64 = 1 << 20;
/// Most signatures checked per format (bundles, legacy layers) for one
/// image: a hostile registry could list thousands, each fetched and kept.
/// Beyond it one Failed entry says the rest were not checked.
pub const MAX_SIGNATURES: usize = 100;

/// Errors of signing, key handling and discovery. Messages never contain key
/// bytes or passphrases.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The passphrase does not open the encrypted key.
    #[error(
        "wrong passphrase: the encrypted private key could not be opened with it; check the passphrase"
    )]
    WrongPassphrase,
    /// An encrypted key was given without a passphrase.
    #[error("the private key is encrypted: give its passphrase")]
    PassphraseRequired,
    /// A key file that cannot be read (the reason never includes key material).
    #[error("invalid key file: {0}")]
    KeyFile(String),
    /// A well-formed key of an algorithm Bulkhead does not handle.
    #[error("unsupported key type: {0}")]
    UnsupportedKey(String),
    /// A signature that does not verify.
    #[error("{0}")]
    BadSignature(String),
    /// A digest argument that is not "sha256:<64 lowercase hex>".
    #[error(
        "invalid image digest {0:?}: expected sha256:<64 hex digits>; resolve the tag to a digest first"
    )]
    Digest(String),
    /// Existing registry content that signing would have to extend but cannot read.
    #[error("{0}")]
    Conflict(String),
    /// An error from the Store implementation, already worded for the user.
    #[error("{0}")]
    Store(String),
    /// A bug or an environment failure (no randomness, ...).
    #[error("internal error: {0}")]
    Internal(String),
}

/// A fetched manifest.
pub struct Fetched {
    pub bytes: Vec<u8>,
    pub media_type: String,
    pub digest: String,
}

/// Where signatures live: one repository of one registry (implemented by the
/// CLI over the registry client; in memory by [`MemStore`]).
pub trait Store {
    /// Manifest or index by tag or digest; Ok(None) when the registry says 404.
    fn manifest(&self, reference: &str) -> Result<Option<Fetched>, SignError>;
    /// A blob, at most `limit` bytes (larger → error). Implementations check the digest.
    fn blob(&self, digest: &str, limit: u64) -> Result<Vec<u8>, SignError>;
    /// OCI 1.1 referrers API; Ok(None) when the registry does not implement it.
    fn referrers(
        &self,
        digest: &str,
        artifact_type: Option<&str>,
    ) -> Result<Option<Vec<Descriptor>>, SignError>;
    fn push_blob(&self, bytes: &[u8]) -> Result<String, SignError>;
    /// Returns the manifest digest.
    fn push_manifest(
        &self,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<String, SignError>;
}

pub struct SignRequest<'a> {
    /// The manifest digest being signed ("sha256:<hex>"); callers resolve tags first.
    pub digest: &'a str,
    /// "registry/repository" written as critical.identity.docker-reference
    /// (legacy) and as the statement subject's name (bundle).
    pub docker_reference: &'a str,
    /// `-a key=value` annotations (legacy: payload "optional"; bundle:
    /// statement subject annotations).
    pub annotations: &'a BTreeMap<String, String>,
    pub format: SignatureFormat,
}

/// The hex part of a "sha256:<64 lowercase hex>" digest.
pub(crate) fn digest_hex(digest: &str) -> Result<&str, SignError> {
    match digest.strip_prefix("sha256:") {
        Some(h) if h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) => {
            Ok(h)
        }
        _ => Err(SignError::Digest(digest.chars().take(100).collect())),
    }
}

/// "sha256:<hex>" of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

/// Tag of the legacy signature manifest of `digest`: "sha256-<hex>.sig".
pub fn legacy_tag(digest: &str) -> Result<String, SignError> {
    Ok(format!("sha256-{}.sig", digest_hex(digest)?))
}

/// Tag of the referrers fallback index of `digest`: "sha256-<hex>".
pub fn fallback_tag(digest: &str) -> Result<String, SignError> {
    Ok(format!("sha256-{}", digest_hex(digest)?))
}

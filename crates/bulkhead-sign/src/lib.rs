//! Image signing and verification in cosign's formats (key pair only, no transparency log).
//!
//! Skeleton: the API agreed for issue #10; bodies are filled in by later commits.

pub mod policy;

use std::collections::BTreeMap;

pub use oci_spec::image::Descriptor;

/// Errors of signing, key handling and discovery. Messages never contain key bytes or
/// passphrases.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The passphrase does not open the encrypted key.
    #[error(
        "wrong passphrase: the encrypted private key could not be opened; check the passphrase"
    )]
    WrongPassphrase,
    /// An error from the Store implementation, already worded for the user.
    #[error("{0}")]
    Store(String),
    /// Not implemented yet.
    #[error("not implemented yet: {0}")]
    NotImplemented(&'static str),
}

/// An ECDSA P-256 signing key.
pub struct SigningKey {
    _private: (),
}

impl SigningKey {
    pub fn generate() -> SigningKey {
        SigningKey { _private: () }
    }
    pub fn public_key(&self) -> PublicKey {
        PublicKey { _private: () }
    }
    pub fn to_encrypted_pem(&self, _passphrase: &[u8]) -> Result<String, SignError> {
        Err(SignError::NotImplemented("to_encrypted_pem"))
    }
    pub fn from_pem(_pem: &str, _passphrase: Option<&[u8]>) -> Result<SigningKey, SignError> {
        Err(SignError::NotImplemented("from_pem"))
    }
    pub fn sign(&self, _msg: &[u8]) -> Vec<u8> {
        Vec::new()
    }
}

/// An ECDSA P-256 public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    _private: (),
}

impl PublicKey {
    pub fn from_pem(_pem: &str) -> Result<PublicKey, SignError> {
        Err(SignError::NotImplemented("PublicKey::from_pem"))
    }
    pub fn to_pem(&self) -> String {
        String::new()
    }
    pub fn verify(&self, _msg: &[u8], _sig_der: &[u8]) -> Result<(), SignError> {
        Err(SignError::NotImplemented("verify"))
    }
    pub fn fingerprint(&self) -> String {
        String::new()
    }
}

pub struct Fetched {
    pub bytes: Vec<u8>,
    pub media_type: String,
    pub digest: String,
}

/// Where signatures live: one repository of one registry.
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureFormat {
    Bundle,
    Legacy,
}

pub struct SignRequest<'a> {
    pub digest: &'a str,
    pub docker_reference: &'a str,
    pub annotations: &'a BTreeMap<String, String>,
    pub format: SignatureFormat,
}

#[derive(Debug, serde::Serialize)]
pub struct Signed {
    pub format: SignatureFormat,
    pub image_digest: String,
    pub location: String,
}

pub fn sign(
    _store: &dyn Store,
    _key: &SigningKey,
    _req: &SignRequest,
) -> Result<Signed, SignError> {
    Err(SignError::NotImplemented("sign"))
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Claims {
    pub image_digest: String,
    pub docker_reference: Option<String>,
    pub annotations: BTreeMap<String, String>,
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Status {
    Verified { key: String },
    Failed { reason: String },
    Unchecked,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct FoundSignature {
    pub format: SignatureFormat,
    pub location: String,
    pub key_hint: Option<String>,
    pub claims: Option<Claims>,
    pub status: Status,
}

pub fn discover(
    _store: &dyn Store,
    _digest: &str,
    _keys: &[PublicKey],
) -> Result<Vec<FoundSignature>, SignError> {
    Err(SignError::NotImplemented("discover"))
}

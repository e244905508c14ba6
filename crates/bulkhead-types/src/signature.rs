//! Image signatures as found and checked (`bulkhead_sign` fills these,
//! `bulkhead_report` renders them): plain data.

use std::collections::BTreeMap;

/// The two cosign signature formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SignatureFormat {
    Bundle,
    Legacy,
}

impl SignatureFormat {
    /// "bundle" or "legacy", as printed.
    pub fn name(self) -> &'static str {
        match self {
            SignatureFormat::Bundle => "bundle",
            SignatureFormat::Legacy => "legacy",
        }
    }
}

/// A signature written by `bulkhead sign`.
#[derive(Debug, serde::Serialize)]
pub struct Signed {
    pub format: SignatureFormat,
    pub image_digest: String,
    /// "tag sha256-<hex>.sig" or "referrer sha256:<manifest digest>" (+ "
    /// (fallback tag sha256-<hex>)" when the fallback index was updated).
    pub location: String,
}

/// What a signature's payload says.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Claims {
    /// Digest named in the payload / statement subject.
    pub image_digest: String,
    pub docker_reference: Option<String>,
    pub annotations: BTreeMap<String, String>,
    /// The simple-signing payload or the in-toto statement.
    pub payload: serde_json::Value,
}

/// Whether one signature verified.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Status {
    /// Fingerprint of the key that verified it.
    Verified {
        key: String,
    },
    Failed {
        reason: String,
    },
    /// No keys were given: listed only.
    Unchecked,
}

/// One signature of an image, checked against the given keys.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FoundSignature {
    pub format: SignatureFormat,
    /// e.g. "tag sha256-<hex>.sig, layer 1" or "referrer sha256:<digest>".
    pub location: String,
    /// Key hint from a bundle (publicKey.hint) when present.
    pub key_hint: Option<String>,
    /// None when the payload could not be read at all (then status is Failed).
    pub claims: Option<Claims>,
    /// Flattened in JSON: `"status": "verified", "key": "sha256:…"`.
    #[serde(flatten)]
    pub status: Status,
}

/// What a verification checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VerifyMode {
    /// Keys given by the caller (`verify --key`).
    Keys,
    /// The signing policy.
    Policy,
    /// No keys and no policy: signatures listed only.
    List,
}

/// A key that was accepted, by the name users know it by.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KeyInfo {
    /// The key file as given (a flag) or as written in the policy.
    pub path: String,
    pub fingerprint: String,
}

/// The policy that decided.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PolicyInfo {
    /// The policy file, as displayed.
    pub file: String,
    /// The rule that decided, or None when the default did.
    pub rule: Option<String>,
    #[serde(rename = "match")]
    pub pattern: Option<String>,
}

/// The result of verifying one image's signatures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VerifyOutcome {
    /// The image as the user named it.
    pub image: String,
    /// `registry/repository@sha256:…`: what was verified.
    pub reference: String,
    pub digest: String,
    pub mode: VerifyMode,
    /// true when the keys or the policy are satisfied (always true when only listing).
    pub verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyInfo>,
    pub keys: Vec<KeyInfo>,
    pub signatures: Vec<FoundSignature>,
    /// Why verification failed, one line (keys named by their files).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Name keys by their files in messages for people: each key's fingerprint
/// in `text` ("keys: sha256:…") becomes its path ("keys: cosign.pub").
pub fn name_keys(text: &str, keys: &[KeyInfo]) -> String {
    keys.iter()
        .fold(text.to_string(), |t, k| t.replace(&k.fingerprint, &k.path))
}

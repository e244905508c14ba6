//! ECDSA P-256 keys and cosign's encrypted private key file.
//!
//! The key file is go-securesystemslib's `encrypted` envelope, which cosign
//! wraps in a PEM block `ENCRYPTED SIGSTORE PRIVATE KEY` (older cosign:
//! `ENCRYPTED COSIGN PRIVATE KEY`):
//!
//! ```json
//! {"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},"salt":"<b64 32 bytes>"},
//!  "cipher":{"name":"nacl/secretbox","nonce":"<b64 24 bytes>"},
//!  "ciphertext":"<b64 tag || XSalsa20 ciphertext of the PKCS#8 DER>"}
//! ```
//!
//! The primitives come from RustCrypto (p256, scrypt, crypto_secretbox); only
//! the envelope (a few JSON fields) is written here.

use crate::SignError;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::{Key, Nonce, XSalsa20Poly1305};
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

/// PEM label cosign writes for encrypted private keys.
pub const ENCRYPTED_SIGSTORE_LABEL: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
/// PEM label older cosign versions wrote.
pub const ENCRYPTED_COSIGN_LABEL: &str = "ENCRYPTED COSIGN PRIVATE KEY";

/// cosign's (go-securesystemslib's "legacy") scrypt parameters, used when writing.
const WRITE_LOG_N: u8 = 15; // N = 32768
const WRITE_R: u32 = 8;
const WRITE_P: u32 = 1;
const SALT_LEN: usize = 32;
const NONCE_LEN: usize = 24;
/// Largest PEM text accepted (a P-256 key file is well under 1 KiB).
const MAX_PEM_LEN: usize = 64 * 1024;

/// Upper bounds on the scrypt parameters read from a key file: a hostile file
/// must not make us allocate gigabytes or spin for minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyLimits {
    /// Largest N (must be a power of two).
    pub max_n: u64,
    pub max_r: u64,
    pub max_p: u64,
    /// Largest scrypt working memory, 128 * N * r bytes.
    pub max_memory: u64,
    /// Largest N * r * p (the work factor).
    pub max_work: u64,
}

impl Default for KeyLimits {
    /// N ≤ 2^20, r ≤ 32, p ≤ 16, memory ≤ 1 GiB, N·r·p ≤ 2^24. cosign writes
    /// N=2^15 r=8 p=1; go-securesystemslib's strongest preset is N=2^17 r=8 p=1.
    fn default() -> Self {
        KeyLimits {
            max_n: 1 << 20,
            max_r: 32,
            max_p: 16,
            max_memory: 1 << 30,
            max_work: 1 << 24,
        }
    }
}

/// An ECDSA P-256 private key. Its Debug output shows only the public key's
/// fingerprint; the secret scalar is zeroised on drop (p256's SigningKey).
#[derive(Clone)]
pub struct SigningKey {
    inner: p256::ecdsa::SigningKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("public", &self.public_key().fingerprint())
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    kdf: Kdf,
    cipher: Cipher,
    ciphertext: String,
}

#[derive(Serialize, Deserialize)]
struct Kdf {
    name: String,
    params: KdfParams,
    salt: String,
}

#[derive(Serialize, Deserialize)]
struct KdfParams {
    #[serde(rename = "N")]
    n: u64,
    r: u64,
    p: u64,
}

#[derive(Serialize, Deserialize)]
struct Cipher {
    name: String,
    nonce: String,
}

fn key_err(what: impl Into<String>) -> SignError {
    SignError::KeyFile(what.into())
}

/// The parsed, not yet decrypted, envelope: everything checked that can be
/// checked without the passphrase (and without running scrypt).
pub struct EncryptedKey {
    salt: Vec<u8>,
    nonce: [u8; NONCE_LEN],
    ciphertext: Vec<u8>,
    params: scrypt::Params,
}

impl EncryptedKey {
    /// Parse the JSON envelope (the PEM body) and check the scrypt parameters
    /// against `limits`.
    pub fn parse(json: &[u8], limits: &KeyLimits) -> Result<EncryptedKey, SignError> {
        let env: Envelope = serde_json::from_slice(json).map_err(|e| {
            key_err(format!(
                "the encrypted key envelope is not valid JSON ({e})"
            ))
        })?;
        if env.kdf.name != "scrypt" {
            return Err(SignError::UnsupportedKey(format!(
                "key derivation {:?} (only scrypt is supported)",
                truncate(&env.kdf.name)
            )));
        }
        if env.cipher.name != "nacl/secretbox" {
            return Err(SignError::UnsupportedKey(format!(
                "cipher {:?} (only nacl/secretbox is supported)",
                truncate(&env.cipher.name)
            )));
        }
        let salt = B64
            .decode(env.kdf.salt.as_bytes())
            .map_err(|_| key_err("the scrypt salt is not valid base64"))?;
        if salt.is_empty() {
            return Err(key_err("the scrypt salt is empty"));
        }
        let nonce_v = B64
            .decode(env.cipher.nonce.as_bytes())
            .map_err(|_| key_err("the secretbox nonce is not valid base64"))?;
        let nonce: [u8; NONCE_LEN] = nonce_v.as_slice().try_into().map_err(|_| {
            key_err(format!(
                "the secretbox nonce is {} bytes, expected {NONCE_LEN}",
                nonce_v.len()
            ))
        })?;
        let ciphertext = B64
            .decode(env.ciphertext.as_bytes())
            .map_err(|_| key_err("the ciphertext is not valid base64"))?;
        if ciphertext.len() < XSalsa20Poly1305::TAG_SIZE {
            return Err(key_err("the ciphertext is shorter than the secretbox tag"));
        }
        let params = check_params(&env.kdf.params, limits)?;
        Ok(EncryptedKey {
            salt,
            nonce,
            ciphertext,
            params,
        })
    }

    /// Run scrypt and open the secretbox; the plaintext is PKCS#8 DER.
    pub fn decrypt(&self, passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>, SignError> {
        let key = derive(passphrase, &self.salt, &self.params)?;
        let cipher = XSalsa20Poly1305::new(Key::from_slice(key.as_slice()));
        cipher
            .decrypt(Nonce::from_slice(&self.nonce), self.ciphertext.as_slice())
            .map(Zeroizing::new)
            .map_err(|_| SignError::WrongPassphrase)
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

fn check_params(p: &KdfParams, limits: &KeyLimits) -> Result<scrypt::Params, SignError> {
    let beyond = |why: &str| {
        SignError::KeyFile(format!(
            "the key file asks for scrypt N={} r={} p={}, {why}; refusing (Bulkhead reads N ≤ {}, r ≤ {}, p ≤ {}); re-encrypt the key with cosign's default parameters",
            p.n, p.r, p.p, limits.max_n, limits.max_r, limits.max_p
        ))
    };
    if p.n < 2 || !p.n.is_power_of_two() {
        return Err(beyond("N is not a power of two ≥ 2"));
    }
    if p.r == 0 || p.p == 0 {
        return Err(beyond("r and p must be at least 1"));
    }
    if p.n > limits.max_n || p.r > limits.max_r || p.p > limits.max_p {
        return Err(beyond("which is beyond the limits"));
    }
    let memory = 128u64.saturating_mul(p.n).saturating_mul(p.r);
    if memory > limits.max_memory {
        return Err(beyond("which needs too much memory"));
    }
    if p.n.saturating_mul(p.r).saturating_mul(p.p) > limits.max_work {
        return Err(beyond("which is too much work"));
    }
    let log_n = u8::try_from(p.n.trailing_zeros()).map_err(|_| beyond("N is out of range"))?;
    let r = u32::try_from(p.r).map_err(|_| beyond("r is out of range"))?;
    let pp = u32::try_from(p.p).map_err(|_| beyond("p is out of range"))?;
    scrypt::Params::new(log_n, r, pp, 32).map_err(|_| beyond("which scrypt rejects"))
}

fn derive(
    passphrase: &[u8],
    salt: &[u8],
    params: &scrypt::Params,
) -> Result<Zeroizing<[u8; 32]>, SignError> {
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(passphrase, salt, params, key.as_mut_slice())
        .map_err(|_| SignError::Internal("scrypt output length rejected".into()))?;
    Ok(key)
}

impl SigningKey {
    /// A new random key (operating-system RNG).
    pub fn generate() -> SigningKey {
        SigningKey {
            inner: p256::ecdsa::SigningKey::random(&mut OsRng),
        }
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            inner: *self.inner.verifying_key(),
        }
    }

    /// cosign's encrypted key file (scrypt N=32768 r=8 p=1, 32-byte salt,
    /// nacl/secretbox with a 24-byte nonce) over the PKCS#8 DER of the key.
    pub fn to_encrypted_pem(&self, passphrase: &[u8]) -> Result<String, SignError> {
        self.encrypt_with(passphrase, WRITE_LOG_N, WRITE_R, WRITE_P)
    }

    /// The key file with other scrypt parameters (fuzz seeds use tiny ones).
    pub(crate) fn encrypt_with(
        &self,
        passphrase: &[u8],
        log_n: u8,
        r: u32,
        p: u32,
    ) -> Result<String, SignError> {
        let der = self
            .inner
            .to_pkcs8_der()
            .map_err(|e| SignError::Internal(format!("PKCS#8 encoding failed: {e}")))?;
        let mut salt = [0u8; SALT_LEN];
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut salt);
        OsRng.fill_bytes(&mut nonce);
        let params = scrypt::Params::new(log_n, r, p, 32)
            .map_err(|_| SignError::Internal("scrypt parameters rejected".into()))?;
        let key = derive(passphrase, &salt, &params)?;
        let ciphertext = XSalsa20Poly1305::new(Key::from_slice(key.as_slice()))
            .encrypt(Nonce::from_slice(&nonce), der.as_bytes())
            .map_err(|_| SignError::Internal("secretbox encryption failed".into()))?;
        let env = Envelope {
            kdf: Kdf {
                name: "scrypt".into(),
                params: KdfParams {
                    n: 1 << log_n,
                    r: u64::from(r),
                    p: u64::from(p),
                },
                salt: B64.encode(salt),
            },
            cipher: Cipher {
                name: "nacl/secretbox".into(),
                nonce: B64.encode(nonce),
            },
            ciphertext: B64.encode(ciphertext),
        };
        let json = serde_json::to_vec(&env)
            .map_err(|e| SignError::Internal(format!("key envelope encoding failed: {e}")))?;
        pem_rfc7468::encode_string(ENCRYPTED_SIGSTORE_LABEL, LineEnding::LF, &json)
            .map_err(|e| SignError::Internal(format!("PEM encoding failed: {e}")))
    }

    /// Read a private key: cosign's encrypted files (passphrase required, scrypt
    /// parameters bounded by [`KeyLimits::default`]), or unencrypted
    /// `EC PRIVATE KEY` (SEC1) and `PRIVATE KEY` (PKCS#8) PEMs.
    pub fn from_pem(pem: &str, passphrase: Option<&[u8]>) -> Result<SigningKey, SignError> {
        Self::from_pem_with_limits(pem, passphrase, &KeyLimits::default())
    }

    /// [`SigningKey::from_pem`] with explicit scrypt limits.
    pub fn from_pem_with_limits(
        pem: &str,
        passphrase: Option<&[u8]>,
        limits: &KeyLimits,
    ) -> Result<SigningKey, SignError> {
        let pem = pem.trim();
        if pem.len() > MAX_PEM_LEN {
            return Err(key_err("the key file is too large to be a key"));
        }
        let (label, body) = pem_rfc7468::decode_vec(pem.as_bytes())
            .map_err(|e| key_err(format!("not a PEM private key ({e})")))?;
        let body = Zeroizing::new(body);
        let der = match label {
            ENCRYPTED_SIGSTORE_LABEL | ENCRYPTED_COSIGN_LABEL => {
                let enc = EncryptedKey::parse(&body, limits)?;
                let pass = passphrase.ok_or(SignError::PassphraseRequired)?;
                enc.decrypt(pass)?
            }
            "PRIVATE KEY" => body,
            "EC PRIVATE KEY" => {
                let sk = p256::SecretKey::from_sec1_der(&body)
                    .map_err(|_| key_err("the EC PRIVATE KEY is not a valid P-256 SEC1 key"))?;
                return Ok(SigningKey {
                    inner: p256::ecdsa::SigningKey::from(sk),
                });
            }
            "RSA PRIVATE KEY" | "OPENSSH PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => {
                return Err(SignError::UnsupportedKey(format!(
                    "{label} (Bulkhead signs with ECDSA P-256 keys: cosign's default)"
                )));
            }
            other => {
                return Err(key_err(format!(
                    "unexpected PEM type {:?}; expected {ENCRYPTED_SIGSTORE_LABEL}, EC PRIVATE KEY or PRIVATE KEY",
                    truncate(other)
                )));
            }
        };
        let inner = p256::ecdsa::SigningKey::from_pkcs8_der(&der).map_err(|_| {
            SignError::UnsupportedKey(
                "the private key is not an ECDSA P-256 PKCS#8 key (Bulkhead signs with P-256: cosign's default)"
                    .into(),
            )
        })?;
        Ok(SigningKey { inner })
    }

    /// ECDSA P-256 / SHA-256 over `msg` (RFC 6979 nonces), ASN.1 DER encoded.
    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        let sig: Signature = self.inner.sign(msg);
        sig.to_der().as_bytes().to_vec()
    }
}

/// An ECDSA P-256 public key.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    inner: VerifyingKey,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PublicKey")
            .field(&self.fingerprint())
            .finish()
    }
}

/// OIDs of key algorithms other than P-256, for a clear "unsupported" message.
fn algorithm_name(spki_der: &[u8]) -> Option<String> {
    use p256::pkcs8::spki::SubjectPublicKeyInfoRef;
    let info = SubjectPublicKeyInfoRef::try_from(spki_der).ok()?;
    let oid = info.algorithm.oid.to_string();
    let param = info.algorithm.parameters_oid().ok().map(|o| o.to_string());
    Some(match (oid.as_str(), param.as_deref()) {
        ("1.2.840.10045.2.1", Some("1.3.132.0.34")) => "ECDSA P-384".into(),
        ("1.2.840.10045.2.1", Some("1.3.132.0.35")) => "ECDSA P-521".into(),
        ("1.2.840.10045.2.1", Some("1.3.132.0.10")) => "ECDSA secp256k1".into(),
        ("1.2.840.10045.2.1", p) => format!("ECDSA on curve {}", p.unwrap_or("?")),
        ("1.2.840.113549.1.1.1", _) => "RSA".into(),
        ("1.3.101.112", _) => "Ed25519".into(),
        (o, _) => format!("algorithm {o}"),
    })
}

impl PublicKey {
    /// PEM `PUBLIC KEY` (PKIX SubjectPublicKeyInfo) holding a P-256 key.
    pub fn from_pem(pem: &str) -> Result<PublicKey, SignError> {
        let pem = pem.trim();
        if pem.len() > MAX_PEM_LEN {
            return Err(key_err("the public key file is too large to be a key"));
        }
        let (label, der) = pem_rfc7468::decode_vec(pem.as_bytes())
            .map_err(|e| key_err(format!("not a PEM public key ({e})")))?;
        if label != "PUBLIC KEY" {
            return Err(key_err(format!(
                "unexpected PEM type {:?}; expected PUBLIC KEY (cosign.pub)",
                truncate(label)
            )));
        }
        Self::from_spki_der(&der)
    }

    /// A DER SubjectPublicKeyInfo holding a P-256 key.
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, SignError> {
        match VerifyingKey::from_public_key_der(der) {
            Ok(inner) => Ok(PublicKey { inner }),
            Err(_) => match algorithm_name(der) {
                Some(name) => Err(SignError::UnsupportedKey(format!(
                    "{name} public key (Bulkhead verifies ECDSA P-256 keys: cosign's default)"
                ))),
                None => Err(key_err(
                    "the PUBLIC KEY is not a valid SubjectPublicKeyInfo",
                )),
            },
        }
    }

    pub fn to_pem(&self) -> String {
        // Encoding a valid P-256 point cannot fail; fall back to an empty
        // string rather than panic.
        self.inner
            .to_public_key_pem(LineEnding::LF)
            .unwrap_or_default()
    }

    fn spki_der(&self) -> Vec<u8> {
        self.inner
            .to_public_key_der()
            .map(|d| d.as_bytes().to_vec())
            .unwrap_or_default()
    }

    /// Verify an ASN.1 DER ECDSA signature over `msg` (SHA-256).
    pub fn verify(&self, msg: &[u8], sig_der: &[u8]) -> Result<(), SignError> {
        let sig = Signature::from_der(sig_der).map_err(|_| {
            SignError::BadSignature("the signature is not an ASN.1 DER ECDSA signature".into())
        })?;
        self.inner.verify(msg, &sig).map_err(|_| {
            SignError::BadSignature(format!(
                "the signature does not verify with key {}",
                self.fingerprint()
            ))
        })
    }

    /// Verify an ASN.1 DER ECDSA signature over a precomputed SHA-256 digest
    /// (Sigstore bundles with a messageSignature).
    pub fn verify_prehash(&self, sha256: &[u8], sig_der: &[u8]) -> Result<(), SignError> {
        let sig = Signature::from_der(sig_der).map_err(|_| {
            SignError::BadSignature("the signature is not an ASN.1 DER ECDSA signature".into())
        })?;
        if sha256.len() != 32 {
            return Err(SignError::BadSignature(
                "the message digest is not 32 bytes".into(),
            ));
        }
        self.inner.verify_prehash(sha256, &sig).map_err(|_| {
            SignError::BadSignature(format!(
                "the signature does not verify with key {}",
                self.fingerprint()
            ))
        })
    }

    /// "sha256:<hex of the SPKI DER>" — shown to users to name a key.
    pub fn fingerprint(&self) -> String {
        format!("sha256:{}", hex::encode(Sha256::digest(self.spki_der())))
    }

    /// The key hint written into Sigstore bundles: base64 (standard) of the
    /// SHA-256 of the SPKI DER (the same hash as the fingerprint).
    pub fn hint(&self) -> String {
        B64.encode(Sha256::digest(self.spki_der()))
    }
}

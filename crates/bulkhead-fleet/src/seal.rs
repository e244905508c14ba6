//! Registry credentials at rest: sealed with XSalsa20-Poly1305
//! (`crypto_secretbox`, the primitive cosign key files use too) under a
//! 32-byte key every enqueuer and worker of a fleet shares through the
//! environment ([`KEY_ENV`], 64 hex digits: `openssl rand -hex 32`).
//!
//! A sealed value binds its registry: the plaintext is `registry NUL
//! authorization`, and [`SealKey::open`] checks the registry, so a sealed
//! credential copied onto another registry's job does not open there.
//!
//! **Invariant**: the clear value exists only in the memory of the
//! enqueuing process and of the worker running the job; the database holds
//! the nonce and the ciphertext, and only while the job is open.

use crate::error::{Error, Result};
use bulkhead_image::registry::Authorization;
use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::{Key, Nonce, XSalsa20Poly1305};
use rand_core::{OsRng, RngCore};

/// The environment variable holding the key.
pub const KEY_ENV: &str = "BULKHEAD_FLEET_KEY";

const NONCE_LEN: usize = 24;

/// The key that seals registry credentials. Its `Debug` hides it.
#[derive(Clone)]
pub struct SealKey(Key);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(<hidden>)")
    }
}

/// A sealed credential, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub nonce: Vec<u8>,
    pub sealed: Vec<u8>,
}

impl SealKey {
    /// A key from 64 hex digits.
    pub fn from_hex(hex_key: &str) -> Result<SealKey> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| bad_key())?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| bad_key())?;
        Ok(SealKey(arr.into()))
    }

    /// The key of [`KEY_ENV`], if set.
    pub fn from_env() -> Result<Option<SealKey>> {
        match std::env::var(KEY_ENV) {
            Ok(v) if !v.trim().is_empty() => SealKey::from_hex(&v).map(Some),
            Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(bad_key()),
        }
    }

    /// Seal `auth` for `registry`.
    pub fn seal(&self, registry: &str, auth: &Authorization) -> Result<Sealed> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let plain = format!("{registry}\0{}", auth.header_value());
        let sealed = XSalsa20Poly1305::new(&self.0)
            .encrypt(Nonce::from_slice(&nonce), plain.as_bytes())
            .map_err(|_| Error::Internal("sealing the registry credentials failed".into()))?;
        Ok(Sealed {
            nonce: nonce.to_vec(),
            sealed,
        })
    }

    /// Open a sealed credential of `registry`.
    pub fn open(&self, registry: &str, s: &Sealed) -> Result<Authorization> {
        if s.nonce.len() != NONCE_LEN {
            return Err(Error::Data(
                "a stored registry credential has a bad nonce".into(),
            ));
        }
        let plain = XSalsa20Poly1305::new(&self.0)
            .decrypt(Nonce::from_slice(&s.nonce), s.sealed.as_slice())
            .map_err(|_| {
                Error::Input(format!(
                    "cannot open the job's registry credentials: {KEY_ENV} differs from the one they were sealed with"
                ))
            })?;
        let plain = String::from_utf8(plain)
            .map_err(|_| Error::Data("an opened registry credential is not UTF-8".into()))?;
        let (bound, value) = plain
            .split_once('\0')
            .ok_or_else(|| Error::Data("an opened registry credential has no registry".into()))?;
        if bound != registry {
            return Err(Error::Data(
                "a stored registry credential belongs to another registry".into(),
            ));
        }
        Authorization::parse(value).map_err(Error::Data)
    }
}

fn bad_key() -> Error {
    Error::Input(format!(
        "{KEY_ENV} must be 64 hex digits (32 random bytes: `openssl rand -hex 32`), the same on the server and every worker"
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const K: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn seals_and_opens_bound_to_the_registry() {
        let key = SealKey::from_hex(K).unwrap();
        let auth = Authorization::parse("Bearer sekr1t-token").unwrap();
        let s = key.seal("reg.example", &auth).unwrap();
        assert!(!String::from_utf8_lossy(&s.sealed).contains("sekr1t"));
        assert_eq!(key.open("reg.example", &s).unwrap(), auth);
        // Another registry, another key, a flipped bit: refused.
        assert!(key.open("other.example", &s).is_err());
        let other = SealKey::from_hex(&K.replace("00", "ff")).unwrap();
        assert!(other.open("reg.example", &s).is_err());
        let mut bad = s.clone();
        if let Some(b) = bad.sealed.first_mut() {
            *b ^= 1;
        }
        assert!(key.open("reg.example", &bad).is_err());
        bad.nonce.truncate(3);
        assert!(key.open("reg.example", &bad).is_err());
        // Two seals of one value differ (fresh nonces).
        assert_ne!(key.seal("reg.example", &auth).unwrap(), s);
        assert!(!format!("{key:?}").contains("0102"));
    }

    #[test]
    fn keys_must_be_32_hex_bytes() {
        for bad in ["", "xyz", &K[..62], &format!("{K}00")] {
            let e = SealKey::from_hex(bad).unwrap_err();
            assert!(e.to_string().contains("64 hex digits"), "{e}");
        }
    }
}

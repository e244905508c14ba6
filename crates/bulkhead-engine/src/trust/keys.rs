//! Key files: a new ECDSA P-256 key pair written in cosign's files
//! (PREFIX.key encrypted with a passphrase, mode 0600; PREFIX.pub as PEM),
//! and a private key file read for signing. Passphrases come from the
//! caller (environment or prompt); errors name files, never their content.

use crate::error::bail;
use crate::error::{Context, Result};
use bulkhead_report::signing::GeneratedKey;
use bulkhead_sign::{SignError, SigningKey};
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The two files of a key pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPairPaths {
    /// `PREFIX.key`: the encrypted private key.
    pub private: PathBuf,
    /// `PREFIX.pub`: the public key.
    pub public: PathBuf,
}

impl KeyPairPaths {
    /// The files of `prefix`; without `force`, neither may exist yet.
    pub fn new(prefix: &str, force: bool) -> Result<KeyPairPaths> {
        if prefix.is_empty() {
            bail!("--output-key-prefix is empty: give a file name prefix such as `cosign`");
        }
        let paths = KeyPairPaths {
            private: PathBuf::from(format!("{prefix}.key")),
            public: PathBuf::from(format!("{prefix}.pub")),
        };
        if !force {
            for p in [&paths.private, &paths.public] {
                if p.exists() {
                    bail!(
                        "{} already exists: pass --force to replace it, or choose another --output-key-prefix",
                        p.display()
                    );
                }
            }
        }
        Ok(paths)
    }
}

/// Generate a key pair and write it to `paths`, the private key encrypted
/// with `passphrase`. Both files are written in full before either is put
/// in place, so a failure leaves no private key without its public key;
/// with `force` existing files are replaced (never followed, if symlinks).
pub fn write_key_pair(
    paths: &KeyPairPaths,
    passphrase: &[u8],
    force: bool,
) -> Result<GeneratedKey> {
    let key = SigningKey::generate();
    let public = key.public_key();
    let encrypted = Zeroizing::new(
        key.to_encrypted_pem(passphrase)
            .context("cannot encrypt the new private key")?,
    );
    let staged_key = stage(&paths.private, encrypted.as_bytes(), 0o600)?;
    let staged_pub = stage(&paths.public, public.to_pem().as_bytes(), 0o644)?;
    place(staged_key, &paths.private, force)?;
    place(staged_pub, &paths.public, force)?;
    Ok(GeneratedKey {
        private_key: paths.private.display().to_string(),
        public_key: paths.public.display().to_string(),
        fingerprint: public.fingerprint(),
    })
}

/// Write `bytes` to a new temporary file beside `path` with mode `mode` (on
/// Unix), synced, ready to be moved into place with [`place`]. Writing beside
/// the target and renaming means a `--force` over an existing file never
/// follows a symlink planted at `path` and never leaves a half-written key.
fn stage(path: &Path, bytes: &[u8], mode: u32) -> Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut f = tempfile::Builder::new()
        .prefix(".bulkhead-key-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("cannot set the mode of the new {}", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    f.write_all(bytes)
        .and_then(|()| f.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(f)
}

/// Move a staged file to `path`; without `force`, never replace one.
fn place(staged: tempfile::NamedTempFile, path: &Path, force: bool) -> Result<()> {
    let placed = if force {
        staged.persist(path).map(|_| ())
    } else {
        staged.persist_noclobber(path).map(|_| ())
    };
    placed.map_err(|e| {
        crate::Error::classify(&e.error).context(format!(
            "cannot create {}{}",
            path.display(),
            if force {
                ""
            } else {
                " (pass --force to replace an existing file)"
            }
        ))
    })
}

/// Read a private key file for signing: an encrypted key asks `passphrase`
/// (given what it is for, e.g. `for cosign.key`); an unencrypted PEM needs
/// none.
pub fn read_signing_key(
    path: &Path,
    passphrase: &mut dyn FnMut(&str) -> Result<Zeroizing<String>>,
) -> Result<SigningKey> {
    let pem = Zeroizing::new(std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read key file {}: pass the private key written by `bulkhead key generate` (or cosign)",
            path.display()
        )
    })?);
    let pass = if pem.contains("-----BEGIN ENCRYPTED") {
        Some(passphrase(&format!("for {}", path.display()))?)
    } else {
        None
    };
    SigningKey::from_pem(&pem, pass.as_ref().map(|p| p.as_bytes())).map_err(|e| match e {
        SignError::WrongPassphrase => crate::Error::Input(format!(
            "wrong passphrase for key file {}: check BULKHEAD_PASSWORD / COSIGN_PASSWORD (or what you typed)",
            path.display()
        )),
        other => crate::Error::classify(&other).context(format!(
            "cannot use key file {} as a signing key",
            path.display()
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_pair_round_trips_and_is_never_overwritten_unasked() {
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path().join("k");
        let prefix = prefix.to_str().unwrap();
        assert!(KeyPairPaths::new("", false).is_err());
        let paths = KeyPairPaths::new(prefix, false).unwrap();
        let done = write_key_pair(&paths, b"pw", false).unwrap();
        assert_eq!(done.private_key, format!("{prefix}.key"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&paths.private)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let e = KeyPairPaths::new(prefix, false).unwrap_err();
        assert!(e.to_string().contains("already exists"), "{e}");
        // Staged files that lose the race still refuse to replace.
        let e = write_key_pair(&paths, b"pw", false).unwrap_err();
        assert!(format!("{e:#}").contains("pass --force"), "{e:#}");
        let again = write_key_pair(&KeyPairPaths::new(prefix, true).unwrap(), b"pw", true);
        assert_ne!(again.unwrap().fingerprint, done.fingerprint);

        let mut asked = Vec::new();
        let mut good = |what: &str| {
            asked.push(what.to_string());
            Ok(Zeroizing::new("pw".to_string()))
        };
        let key = read_signing_key(&paths.private, &mut good).unwrap();
        assert_eq!(asked, [format!("for {prefix}.key")]);
        let public = std::fs::read_to_string(&paths.public).unwrap();
        assert_eq!(key.public_key().to_pem(), public);
        let mut bad = |_: &str| Ok(Zeroizing::new("nope".to_string()));
        let e = read_signing_key(&paths.private, &mut bad).unwrap_err();
        assert!(
            e.to_string().starts_with("wrong passphrase for key file"),
            "{e}"
        );
        let e = read_signing_key(&dir.path().join("none"), &mut bad).unwrap_err();
        assert!(e.to_string().starts_with("cannot read key file"), "{e}");
    }
}

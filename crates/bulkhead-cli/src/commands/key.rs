//! `bulkhead key generate`: an ECDSA P-256 key pair in cosign's files
//! (PREFIX.key encrypted with a passphrase, PREFIX.pub as PEM), and the
//! passphrase and key-file reading that `sign` shares.

use crate::args::GlobalArgs;
use crate::output;
use anyhow::{Context, Result, bail};
use bulkhead_sign::{SignError, SigningKey};
use clap::{Args, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Environment variables read for the key passphrase, in order.
pub const PASSPHRASE_VARS: [&str; 2] = ["BULKHEAD_PASSWORD", "COSIGN_PASSWORD"];

/// Flags of `bulkhead key`.
#[derive(Debug, Args)]
pub struct KeyArgs {
    #[command(subcommand)]
    pub command: KeyCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate an ECDSA P-256 key pair: PREFIX.key (cosign's encrypted
    /// format, mode 0600) and PREFIX.pub (PEM). The passphrase comes from
    /// BULKHEAD_PASSWORD, else COSIGN_PASSWORD, else a prompt.
    Generate(GenerateArgs),
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Write PREFIX.key and PREFIX.pub.
    #[arg(long, value_name = "PREFIX", default_value = "cosign")]
    pub output_key_prefix: String,
    /// Overwrite existing key files.
    #[arg(long)]
    pub force: bool,
}

/// Run `bulkhead key`.
pub fn run(global: &GlobalArgs, args: KeyArgs) -> Result<i32> {
    match args.command {
        KeyCommand::Generate(g) => generate(global, &g),
    }
}

/// The passphrase from the environment (BULKHEAD_PASSWORD, then
/// COSIGN_PASSWORD; empty is allowed, as cosign allows it), else a prompt on
/// a terminal (`confirm`: ask twice). No terminal and no variable: an error
/// saying what to set.
pub fn passphrase(purpose: &str, confirm: bool) -> Result<Zeroizing<String>> {
    for var in PASSPHRASE_VARS {
        if let Some(v) = std::env::var_os(var) {
            let v = v.into_string().map_err(|_| {
                anyhow::anyhow!("{var} is not valid UTF-8: set it to the passphrase as text")
            })?;
            return Ok(Zeroizing::new(v));
        }
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "a passphrase is needed {purpose} and there is no terminal to ask on: set BULKHEAD_PASSWORD (or COSIGN_PASSWORD) in the environment"
        );
    }
    let first = Zeroizing::new(
        rpassword::prompt_password(format!("Enter passphrase {purpose}: "))
            .context("cannot read the passphrase from the terminal")?,
    );
    if confirm {
        let again = Zeroizing::new(
            rpassword::prompt_password("Enter the passphrase again: ")
                .context("cannot read the passphrase from the terminal")?,
        );
        if *first != *again {
            bail!("the two passphrases differ: run the command again");
        }
    }
    Ok(first)
}

/// Read a private key file for signing: encrypted keys take the passphrase
/// (environment or prompt); unencrypted PEMs need none. Errors name the
/// file, never its content.
pub fn read_signing_key(path: &Path) -> Result<SigningKey> {
    let pem = Zeroizing::new(std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read key file {}: pass the private key written by `bulkhead key generate` (or cosign)",
            path.display()
        )
    })?);
    let encrypted = pem.contains("-----BEGIN ENCRYPTED");
    let pass = if encrypted {
        Some(passphrase(&format!("for {}", path.display()), false)?)
    } else {
        None
    };
    SigningKey::from_pem(&pem, pass.as_ref().map(|p| p.as_bytes())).map_err(|e| match e {
        SignError::WrongPassphrase => anyhow::anyhow!(
            "wrong passphrase for key file {}: check BULKHEAD_PASSWORD / COSIGN_PASSWORD (or what you typed)",
            path.display()
        ),
        other => anyhow::Error::new(other).context(format!(
            "cannot use key file {} as a signing key",
            path.display()
        )),
    })
}

fn with_suffix(prefix: &str, ext: &str) -> PathBuf {
    PathBuf::from(format!("{prefix}.{ext}"))
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
        anyhow::Error::new(e.error).context(format!(
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

fn generate(global: &GlobalArgs, args: &GenerateArgs) -> Result<i32> {
    let format = output::choose_format(global, &["table", "json"])?;
    if args.output_key_prefix.is_empty() {
        bail!("--output-key-prefix is empty: give a file name prefix such as `cosign`");
    }
    let key_path = with_suffix(&args.output_key_prefix, "key");
    let pub_path = with_suffix(&args.output_key_prefix, "pub");
    if !args.force {
        for p in [&key_path, &pub_path] {
            if p.exists() {
                bail!(
                    "{} already exists: pass --force to replace it, or choose another --output-key-prefix",
                    p.display()
                );
            }
        }
    }
    let pass = passphrase(&format!("for the new key {}", key_path.display()), true)?;
    let key = SigningKey::generate();
    let public = key.public_key();
    let encrypted = Zeroizing::new(
        key.to_encrypted_pem(pass.as_bytes())
            .context("cannot encrypt the new private key")?,
    );
    // Both files are written in full before either is put in place, so a
    // failure leaves no private key without its public key.
    let staged_key = stage(&key_path, encrypted.as_bytes(), 0o600)?;
    let staged_pub = stage(&pub_path, public.to_pem().as_bytes(), 0o644)?;
    place(staged_key, &key_path, args.force)?;
    place(staged_pub, &pub_path, args.force)?;
    let done = bulkhead_report::signing::GeneratedKey {
        private_key: key_path.display().to_string(),
        public_key: pub_path.display().to_string(),
        fingerprint: public.fingerprint(),
    };
    let text = bulkhead_report::signing::generated_key(&done, format)?;
    output::write_text(global, &text)?;
    Ok(0)
}

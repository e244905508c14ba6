//! `bulkhead key generate`: an ECDSA P-256 key pair in cosign's files
//! (PREFIX.key encrypted with a passphrase, PREFIX.pub as PEM; written by
//! `bulkhead_engine::trust::keys`), and the passphrase prompt that `sign`
//! shares.

use crate::args::GlobalArgs;
use crate::output;
use anyhow::{Context, Result, bail};
use bulkhead_engine::trust::keys;
use bulkhead_sign::SigningKey;
use clap::{Args, Subcommand};
use std::io::IsTerminal;
use std::path::Path;
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

/// Read a private key file for signing (`bulkhead_engine::trust::keys`),
/// asking for its passphrase when it is encrypted.
pub fn read_signing_key(path: &Path) -> Result<SigningKey> {
    Ok(keys::read_signing_key(path, &mut |purpose| {
        passphrase(purpose, false).map_err(|e| bulkhead_engine::Error::Input(format!("{e:#}")))
    })?)
}

fn generate(global: &GlobalArgs, args: &GenerateArgs) -> Result<i32> {
    let format = output::choose_format(global, &["table", "json"])?;
    let paths = keys::KeyPairPaths::new(&args.output_key_prefix, args.force)?;
    let pass = passphrase(
        &format!("for the new key {}", paths.private.display()),
        true,
    )?;
    let done = keys::write_key_pair(&paths, pass.as_bytes(), args.force)?;
    let text = bulkhead_report::signing::generated_key(&done, format)?;
    output::write_text(global, &text)?;
    Ok(0)
}

//! `bulkhead sign`: sign an image in a registry by digest, in cosign's
//! bundle (default) or legacy `.sig` format.

use super::sign_store::{RegistryArgs, resolve};
use crate::args::GlobalArgs;
use crate::output;
use anyhow::{Context, Result, bail};
use bulkhead_sign::{SignRequest, SignatureFormat};
use clap::{Args, ValueEnum};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `--signature-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// A Sigstore bundle (DSSE + in-toto) stored as an OCI 1.1 referrer
    /// (cosign 3's default).
    Bundle,
    /// The simple-signing payload under the `sha256-<hex>.sig` tag (cosign 2).
    Legacy,
}

/// Flags of `bulkhead sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Image in a registry: registry/repository:tag or @sha256:… (a tag is
    /// resolved to its manifest digest, and the digest is signed).
    pub image: String,
    /// Private key file (cosign's encrypted format, or an unencrypted PEM).
    /// Its passphrase comes from BULKHEAD_PASSWORD, else COSIGN_PASSWORD,
    /// else a prompt.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Where and how to store the signature.
    #[arg(long, value_enum, default_value = "bundle")]
    pub signature_format: FormatArg,
    /// Annotation KEY=VALUE written into the signed payload (repeatable).
    #[arg(short = 'a', long = "annotations", value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// Parse `-a key=value` flags (shared with `verify`).
pub fn parse_annotations(flags: &[String]) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for f in flags {
        let Some((k, v)) = f.split_once('=') else {
            bail!("bad annotation {f:?}: use -a KEY=VALUE");
        };
        if k.is_empty() {
            bail!("bad annotation {f:?}: the key is empty; use -a KEY=VALUE");
        }
        if out.insert(k.to_string(), v.to_string()).is_some() {
            bail!("annotation {k:?} is given twice: give each key once");
        }
    }
    Ok(out)
}

/// Run `bulkhead sign`.
pub fn run(global: &GlobalArgs, args: SignArgs) -> Result<i32> {
    let format = output::choose_format(global, &["table", "json"])?;
    let annotations = parse_annotations(&args.annotations)?;
    // The key first: a wrong passphrase should not cost a registry round trip.
    let key = super::key::read_signing_key(&args.key)?;
    let resolved = resolve(global, &args.image, &args.registry)?;
    let req = SignRequest {
        digest: &resolved.digest,
        docker_reference: &resolved.name,
        annotations: &annotations,
        format: match args.signature_format {
            FormatArg::Bundle => SignatureFormat::Bundle,
            FormatArg::Legacy => SignatureFormat::Legacy,
        },
    };
    let signed = bulkhead_sign::sign(&resolved.store, &key, &req)
        .with_context(|| format!("cannot sign {}", resolved.pinned()))?;
    tracing::info!("signed with key {}", key.public_key().fingerprint());
    let out = bulkhead_report::signing::SignedImage {
        image: &args.image,
        reference: resolved.pinned(),
        signed: &signed,
    };
    let text = bulkhead_report::signing::signed(&out, format)?;
    output::write_text(global, &text)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations() {
        let a = parse_annotations(&["env=prod".into(), "x=a=b".into(), "e=".into()]).unwrap();
        assert_eq!(a["env"], "prod");
        assert_eq!(a["x"], "a=b");
        assert_eq!(a["e"], "");
        assert!(parse_annotations(&["novalue".into()]).is_err());
        assert!(parse_annotations(&["=v".into()]).is_err());
        assert!(parse_annotations(&["k=1".into(), "k=2".into()]).is_err());
    }
}

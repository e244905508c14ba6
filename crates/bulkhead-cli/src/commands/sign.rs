//! `bulkhead sign`: sign an image in a registry by digest, in cosign's
//! bundle (default) or legacy `.sig` format.

use crate::args::GlobalArgs;
use crate::{output, progress};
use anyhow::{Context, Result};
use bulkhead_engine::trust::{self, Access};
use bulkhead_sign::{SignRequest, SignatureFormat};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Registry flags of `sign`, `verify` and `image --verify`.
#[derive(Debug, Args, Clone)]
pub struct RegistryArgs {
    /// Allow plain HTTP and unverified TLS for the image's registry
    /// (registries on localhost may always use plain HTTP).
    #[arg(long)]
    pub insecure: bool,
    /// Give up on the registry after this long (e.g. 90s, 10m, 1h).
    #[arg(long, value_name = "DURATION", default_value = "10m")]
    pub timeout: String,
}

impl RegistryArgs {
    /// Resolve `image` to its digest in its registry
    /// (`bulkhead_engine::trust::resolve`), with a spinner.
    pub fn resolve(&self, global: &GlobalArgs, image: &str) -> Result<trust::Resolved> {
        let access = Access {
            insecure: self.insecure,
            timeout: &self.timeout,
        };
        Ok(trust::resolve(
            image,
            access,
            &progress::Bars::new(global.quiet),
        )?)
    }
}

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

/// Run `bulkhead sign`.
pub fn run(global: &GlobalArgs, args: SignArgs) -> Result<i32> {
    let format = output::choose_format(global, &["table", "json"])?;
    let annotations = trust::parse_annotations(&args.annotations)?;
    // The key first: a wrong passphrase should not cost a registry round trip.
    let key = super::key::read_signing_key(&args.key)?;
    let resolved = args.registry.resolve(global, &args.image)?;
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

//! `bulkhead verify`: find an image's signatures (both cosign formats) and
//! check them against keys (`--key`) or the signing policy (`--policy FILE`
//! or `[policy]` of bulkhead.toml); without either, list them. Also the
//! policy gate of `bulkhead image --verify`.

use super::image::TargetArgs;
use super::settings;
use super::sign_store::{RegistryArgs, Resolved, resolve};
use crate::args::GlobalArgs;
use crate::output;
use anyhow::{Context, Result, bail};
use bulkhead_sign::policy::Policy;
use bulkhead_sign::{KeySource, PolicySource, PublicKey, VerifyOutcome, VerifyRequest};
use clap::Args;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Flags of `bulkhead verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Image in a registry: registry/repository:tag or @sha256:… (a tag is
    /// resolved to its manifest digest first).
    pub image: String,
    /// Public key (PEM) that must have signed the image; repeat to accept
    /// any of several keys.
    #[arg(long = "key", value_name = "FILE")]
    pub keys: Vec<PathBuf>,
    /// Annotation KEY=VALUE the verifying signature must carry (repeatable).
    #[arg(short = 'a', long = "annotations", value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,
    /// Enforce the `[policy]` section of FILE instead of bulkhead.toml's.
    #[arg(long, value_name = "FILE", conflicts_with = "keys")]
    pub policy: Option<PathBuf>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// A policy and where it came from (key paths are relative to its folder).
pub struct LoadedPolicy {
    pub policy: Policy,
    pub file: PathBuf,
}

/// The policy to enforce: `[policy]` of `explicit` when given (it must have
/// one), else of the settings file when it has one.
pub fn load_policy(global: &GlobalArgs, explicit: Option<&Path>) -> Result<Option<LoadedPolicy>> {
    let (file, policy) = match explicit {
        Some(path) => {
            let s = settings::load_file(path)?;
            let Some(p) = s.policy else {
                bail!(
                    "{} has no [policy] section: add one (see docs/signing.md) or pass another --policy",
                    path.display()
                );
            };
            (path.to_path_buf(), p)
        }
        None => {
            let loaded = settings::load(global)?;
            match (loaded.path, loaded.settings.policy) {
                (Some(path), Some(p)) => (path, p),
                _ => return Ok(None),
            }
        }
    };
    policy
        .validate()
        .with_context(|| format!("policy file {}", file.display()))?;
    Ok(Some(LoadedPolicy { policy, file }))
}

use bulkhead_sign::verify::{KeyLoadError, printable as clean};

/// Reads PEM public keys from files; errors name the file and say what to pass.
struct PemFiles;

impl KeySource for PemFiles {
    fn load(&self, path: &Path, label: &str) -> Result<PublicKey, KeyLoadError> {
        let read = || -> Result<PublicKey> {
            let pem = std::fs::read_to_string(path).with_context(|| {
                format!("cannot read public key {label}: pass a PEM public key such as cosign.pub")
            })?;
            PublicKey::from_pem(&pem).with_context(|| format!("public key {label} cannot be used"))
        };
        read().map_err(KeyLoadError::from)
    }
}

/// Verify `resolved` as `req` asks (its name and digest are filled in here).
fn check(
    resolved: &Resolved,
    image: &str,
    key_files: &[PathBuf],
    policy: Option<&LoadedPolicy>,
    annotations: &BTreeMap<String, String>,
) -> Result<VerifyOutcome> {
    let req = VerifyRequest {
        image,
        name: &resolved.name,
        digest: &resolved.digest,
        key_files,
        policy: policy.map(|p| PolicySource {
            policy: &p.policy,
            file: &p.file,
        }),
        annotations,
    };
    Ok(bulkhead_sign::verify(&req, &resolved.store, &PemFiles)?)
}

/// Run `bulkhead verify`.
pub fn run(global: &GlobalArgs, args: VerifyArgs) -> Result<i32> {
    let format = output::choose_format(global, &["table", "json"])?;
    let annotations = super::sign::parse_annotations(&args.annotations)?;
    let policy = if args.keys.is_empty() {
        load_policy(global, args.policy.as_deref())?
    } else {
        None
    };
    bulkhead_sign::verify::mode(!args.keys.is_empty(), policy.is_some(), &annotations)?;
    let resolved = resolve(global, &args.image, &args.registry)?;
    let out = check(
        &resolved,
        &args.image,
        &args.keys,
        policy.as_ref(),
        &annotations,
    )?;
    let text = bulkhead_report::signing::verify(&out, format)?;
    output::write_text(global, &text)?;
    match &out.failure {
        Some(f) => {
            eprintln!(
                "verify: FAILED: {}",
                bulkhead_report::signing::verify_failure(f)
            );
            Ok(1)
        }
        None => Ok(0),
    }
}

/// `bulkhead image --verify`: enforce the policy before a scan. Returns the
/// target and flags to scan (the verified digest, from the registry), or
/// the exit code to stop with after printing why.
pub fn before_scan(
    global: &GlobalArgs,
    target: Option<&str>,
    targs: &TargetArgs,
    policy: Option<&Path>,
) -> Result<std::result::Result<(String, TargetArgs), i32>> {
    let Some(name) = target.filter(|_| targs.input.is_none()) else {
        bail!(
            "--verify needs a registry image: signatures are checked in a registry, so name the image (registry/repository:tag) instead of --input"
        );
    };
    if Path::new(name).exists() {
        bail!(
            "--verify needs a registry image, and {name} is a local file or folder: name the image in its registry instead"
        );
    }
    if !targs.source.image_src.iter().any(|s| s.trim() == "remote") {
        bail!(
            "--verify needs a registry image: the policy is checked against the registry, so allow it with --image-src remote (or docker,remote)"
        );
    }
    let Some(loaded) = load_policy(global, policy)? else {
        bail!(
            "--verify needs a signing policy: add a [policy] section to bulkhead.toml or pass --policy FILE (see docs/signing.md)"
        );
    };
    let reg = RegistryArgs {
        insecure: targs.source.insecure,
        timeout: targs.source.timeout.clone(),
    };
    let resolved = resolve(global, name, &reg)?;
    let out = check(&resolved, name, &[], Some(&loaded), &BTreeMap::new())?;
    if let Some(f) = &out.failure {
        eprintln!("error: {}", clean(f));
        return Ok(Err(1));
    }
    if let Some(n) = &out.note {
        tracing::warn!("{}", clean(n));
    }
    tracing::info!("policy satisfied: scanning {}", resolved.pinned());
    // Scan exactly what was verified: the digest, from the registry.
    let mut pinned = resolved.reference.clone();
    pinned.digest = Some(resolved.digest.clone());
    let pinned = pinned.to_string();
    // The scan reads a target that exists as a path from disk: a file or
    // folder spelt like the pinned reference would be scanned instead of
    // what was verified.
    if Path::new(&pinned).exists() {
        bail!(
            "refusing to scan: a local file or folder named {} exists, and it would be scanned instead of the verified image; run from another folder or remove it",
            clean(&pinned)
        );
    }
    let mut scan_args = targs.clone();
    scan_args.source.image_src = vec!["remote".to_string()];
    Ok(Ok((pinned, scan_args)))
}

//! Image trust around `bulkhead-sign`, which has no registry or file I/O:
//! [`RegistryStore`] (its `Store` over one repository of a registry), tag
//! to digest resolution ([`resolve`]), the signing policy of a settings file
//! ([`load_policy`]), public keys read from PEM files, verification
//! ([`verify`]) and the policy gate before a scan ([`gate`]). Key files
//! (`key generate`, `sign --key`): [`keys`].

pub mod keys;

use crate::Progress;
use crate::error::bail;
use crate::error::{Context, Result};
use bulkhead_image::registry::{Registry, RegistryOptions};
use bulkhead_image::{ImageError, Reference};
use bulkhead_sign::policy::Policy;
use bulkhead_sign::verify::{KeyLoadError, printable};
use bulkhead_sign::{
    Descriptor, Fetched, KeySource, PolicySource, PublicKey, SignError, Store, VerifyOutcome,
    VerifyRequest,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Signatures of images in one repository of one registry.
pub struct RegistryStore {
    registry: Registry,
    repo: String,
}

fn store_error(e: ImageError) -> SignError {
    SignError::Store(e.to_string())
}

impl RegistryStore {
    pub fn new(registry: Registry, repo: &str) -> RegistryStore {
        RegistryStore {
            registry,
            repo: repo.to_string(),
        }
    }
}

impl Store for RegistryStore {
    fn manifest(&self, reference: &str) -> Result<Option<Fetched>, SignError> {
        match self.registry.manifest(&self.repo, reference) {
            Ok((bytes, media_type, digest)) => Ok(Some(Fetched {
                bytes,
                media_type,
                digest,
            })),
            Err(ImageError::NotFound(_)) => Ok(None),
            Err(e) => Err(store_error(e)),
        }
    }

    fn blob(&self, digest: &str, limit: u64) -> Result<Vec<u8>, SignError> {
        // small_blob caps the size and checks the digest.
        self.registry
            .small_blob(&self.repo, digest, limit)
            .map_err(store_error)
    }

    fn referrers(
        &self,
        digest: &str,
        artifact_type: Option<&str>,
    ) -> Result<Option<Vec<Descriptor>>, SignError> {
        self.registry
            .referrers(&self.repo, digest, artifact_type)
            .map(|o| o.map(|index| index.manifests().clone()))
            .map_err(store_error)
    }

    fn push_blob(&self, bytes: &[u8]) -> Result<String, SignError> {
        self.registry
            .push_blob(&self.repo, bytes)
            .map_err(store_error)
    }

    fn push_manifest(
        &self,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<String, SignError> {
        self.registry
            .push_manifest(&self.repo, reference, media_type, bytes)
            .map_err(store_error)
    }
}

/// How to reach the image's registry (`--insecure`, `--timeout`).
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    /// Allow plain HTTP and unverified TLS.
    pub insecure: bool,
    /// Give up after this long (e.g. `90s`, `10m`, `1h`).
    pub timeout: &'a str,
}

/// An image in a registry, its tag resolved to the manifest digest.
pub struct Resolved {
    pub reference: Reference,
    /// `registry/repository`, what policies match and payloads name.
    pub name: String,
    /// The manifest digest, computed from the bytes the registry sent.
    pub digest: String,
    pub store: RegistryStore,
}

impl Resolved {
    /// `registry/repository@sha256:…`.
    pub fn pinned(&self) -> String {
        format!("{}@{}", self.name, self.digest)
    }
}

/// Parse `image` as a registry reference and resolve it to a digest.
pub fn resolve(image: &str, access: Access<'_>, progress: &dyn Progress) -> Result<Resolved> {
    if Path::new(image).exists() {
        bail!(
            "{image} is a local path: signatures live in a registry, so name the image there (registry/repository:tag or @sha256:…)"
        );
    }
    let reference = Reference::parse(image).map_err(|e| crate::Error::Input(e.to_string()))?;
    let opts = RegistryOptions {
        insecure: access.insecure,
        timeout: crate::parse_duration(access.timeout)?,
        ..RegistryOptions::default()
    };
    let registry = Registry::new(&reference.registry, opts)?;
    progress.start(&format!("resolving {reference}"), None);
    let (_, _, digest) = registry
        .manifest(&reference.repository, reference.reference())
        .with_context(|| format!("cannot resolve {reference} to a digest"))?;
    progress.finish();
    let name = format!("{}/{}", reference.registry, reference.repository);
    let store = RegistryStore::new(registry, &reference.repository);
    Ok(Resolved {
        reference,
        name,
        digest,
        store,
    })
}

/// Parse `-a KEY=VALUE` annotations (of `sign` and `verify`).
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

/// A policy and where it came from (key paths are relative to its folder).
pub struct LoadedPolicy {
    pub policy: Policy,
    pub file: PathBuf,
}

/// The policy to enforce: `[policy]` of `explicit` when given (it must have
/// one), else of the settings file (`config`, see
/// [`crate::settings::load`]) when it has one.
pub fn load_policy(config: Option<&Path>, explicit: Option<&Path>) -> Result<Option<LoadedPolicy>> {
    let (file, policy) = match explicit {
        Some(path) => {
            let s = crate::settings::load_file(path)?;
            let Some(p) = s.policy else {
                bail!(
                    "{} has no [policy] section: add one (see docs/signing.md) or pass another --policy",
                    path.display()
                );
            };
            (path.to_path_buf(), p)
        }
        None => {
            let loaded = crate::settings::load(config)?;
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

/// Verify the signatures of `resolved` (named `image` by the user) against
/// `key_files`, else `policy`, else list them; every verifying signature
/// must carry `annotations`.
pub fn verify(
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

/// What the signing policy says about an image about to be scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// The policy holds: scan this reference (the verified digest), from
    /// the registry only.
    Pass(String),
    /// The policy does not hold: why, printable on one line.
    Fail(String),
}

/// `bulkhead image --verify`: check the policy (`policy`, else `[policy]`
/// of the settings file `config`) against the image named `image` before it
/// is scanned. `image` is None when the image was given as a file; sources
/// are `--image-src`. The policy's note, if any, is logged as a warning.
pub fn gate(
    image: Option<&str>,
    sources: &[String],
    config: Option<&Path>,
    policy: Option<&Path>,
    access: Access<'_>,
    progress: &dyn Progress,
) -> Result<Gate> {
    let Some(name) = image else {
        bail!(
            "--verify needs a registry image: signatures are checked in a registry, so name the image (registry/repository:tag) instead of --input"
        );
    };
    if Path::new(name).exists() {
        bail!(
            "--verify needs a registry image, and {name} is a local file or folder: name the image in its registry instead"
        );
    }
    if !sources.iter().any(|s| s.trim() == "remote") {
        bail!(
            "--verify needs a registry image: the policy is checked against the registry, so allow it with --image-src remote (or docker,remote)"
        );
    }
    let Some(loaded) = load_policy(config, policy)? else {
        bail!(
            "--verify needs a signing policy: add a [policy] section to bulkhead.toml or pass --policy FILE (see docs/signing.md)"
        );
    };
    let resolved = resolve(name, access, progress)?;
    let out = verify(&resolved, name, &[], Some(&loaded), &BTreeMap::new())?;
    if let Some(f) = &out.failure {
        return Ok(Gate::Fail(printable(f)));
    }
    if let Some(n) = &out.note {
        tracing::warn!("{}", printable(n));
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
            printable(&pinned)
        );
    }
    Ok(Gate::Pass(pinned))
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

    #[test]
    fn the_gate_refuses_what_is_not_a_registry_image() {
        let access = Access {
            insecure: false,
            timeout: "10s",
        };
        let remote = ["docker".to_string(), "remote".to_string()];
        let no = crate::NoProgress;
        let e = gate(None, &remote, None, None, access, &no).unwrap_err();
        assert!(e.to_string().contains("instead of --input"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let here = dir.path().to_str().unwrap();
        let e = gate(Some(here), &remote, None, None, access, &no).unwrap_err();
        assert!(e.to_string().contains("is a local file or folder"), "{e}");
        let e = gate(Some("r.example/a:1"), &remote[..1], None, None, access, &no).unwrap_err();
        assert!(e.to_string().contains("--image-src remote"), "{e}");
        // A --policy file without [policy].
        let file = dir.path().join("s.toml");
        std::fs::write(&file, "[audit]\nskip = []\n").unwrap();
        let e = gate(
            Some("r.example/a:1"),
            &remote,
            None,
            Some(&file),
            access,
            &no,
        )
        .unwrap_err();
        assert!(e.to_string().contains("has no [policy] section"), "{e}");
        let e = resolve(here, access, &no).err().unwrap();
        assert!(e.to_string().contains("is a local path"), "{e}");
    }
}

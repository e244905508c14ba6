//! Verification of one image's signatures against keys or the signing
//! policy, as a typed [`VerifyOutcome`]: which policy entry applies to the
//! repository, keys given by the caller versus the policy's, extra
//! annotations merged into a rule's. Reading key files and talking to the
//! registry stay the caller's ([`KeySource`], [`Store`]).

use crate::policy::{Decision, DefaultAction, Policy, PolicyError, Require, Requirement, Rule};
use crate::{
    FoundSignature, KeyInfo, PolicyInfo, PublicKey, SignError, Store, VerifyMode, VerifyOutcome,
};
pub use bulkhead_types::signature::name_keys;
use std::collections::BTreeMap;
use std::error::Error;
use std::path::{Path, PathBuf};

/// An error from a [`KeySource`], already worded for the user.
pub type KeyLoadError = Box<dyn Error + Send + Sync + 'static>;

/// Reads public keys (the CLI reads PEM files).
pub trait KeySource {
    /// The public key at `path`, named `label` in messages.
    fn load(&self, path: &Path, label: &str) -> Result<PublicKey, KeyLoadError>;
}

/// Why a verification could not be carried out (a signature that does not
/// verify is not an error: it is in the outcome).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Annotations were asked for with neither keys nor a policy.
    #[error("-a needs --key (or a policy): annotations are checked on verified signatures only")]
    AnnotationsNeedKeys,
    /// The policy cannot decide.
    #[error("policy file {file}")]
    Policy {
        file: String,
        #[source]
        source: PolicyError,
    },
    /// A key given by the caller cannot be read.
    #[error(transparent)]
    Key(KeyLoadError),
    /// A key of a policy rule cannot be read.
    #[error("{rule}")]
    RuleKey {
        /// The rule's label.
        rule: String,
        #[source]
        source: KeyLoadError,
    },
    /// The signatures cannot be read from the store.
    #[error("cannot read the signatures of {reference}")]
    Discover {
        reference: String,
        #[source]
        source: SignError,
    },
    /// Requested annotations contradict the policy's.
    #[error("{0}")]
    Conflict(String),
}

/// The policy to enforce and the file it came from (key paths are relative
/// to its folder).
#[derive(Debug, Clone, Copy)]
pub struct PolicySource<'a> {
    pub policy: &'a Policy,
    pub file: &'a Path,
}

/// One verification: the image (resolved to a digest by the caller) and
/// what to check it against.
pub struct VerifyRequest<'a> {
    /// The image as the user named it.
    pub image: &'a str,
    /// `registry/repository`: what policies match.
    pub name: &'a str,
    /// The manifest digest.
    pub digest: &'a str,
    /// Key files given by the caller; when any, the policy is not used.
    pub key_files: &'a [PathBuf],
    /// The policy, used when no key files are given.
    pub policy: Option<PolicySource<'a>>,
    /// Annotations the verifying signature must carry (added to a rule's).
    pub annotations: &'a BTreeMap<String, String>,
}

impl VerifyRequest<'_> {
    /// What the request checks against: keys, else the policy, else nothing
    /// (listing). Fails when annotations are asked for without either;
    /// callers check this before reaching the registry.
    pub fn mode(&self) -> Result<VerifyMode, VerifyError> {
        mode(
            !self.key_files.is_empty(),
            self.policy.is_some(),
            self.annotations,
        )
    }
}

/// [`VerifyRequest::mode`] before the request exists.
pub fn mode(
    keys: bool,
    policy: bool,
    annotations: &BTreeMap<String, String>,
) -> Result<VerifyMode, VerifyError> {
    match (keys, policy) {
        (true, _) => Ok(VerifyMode::Keys),
        (false, true) => Ok(VerifyMode::Policy),
        (false, false) if !annotations.is_empty() => Err(VerifyError::AnnotationsNeedKeys),
        (false, false) => Ok(VerifyMode::List),
    }
}

/// Find the signatures of the image in `store` and check them.
pub fn verify(
    req: &VerifyRequest<'_>,
    store: &dyn Store,
    keys: &dyn KeySource,
) -> Result<VerifyOutcome, VerifyError> {
    let mut out = match (req.mode()?, req.policy) {
        (VerifyMode::Keys, _) => by_keys(req, store, keys)?,
        (VerifyMode::Policy, Some(p)) => by_policy(req, p, store, keys)?,
        _ => {
            let mut out = outcome(req, VerifyMode::List);
            out.signatures = discover(req, store, &[])?;
            out
        }
    };
    out.failure = out.failure.map(|f| name_keys(&f, &out.keys));
    Ok(out)
}

/// Printable in one line: registry data may hold escape sequences, and a
/// hostile registry may send very long values.
pub fn printable(s: &str) -> String {
    bulkhead_types::text::terminal_safe_capped(s, 8192)
}

/// `registry/repository@sha256:…`.
fn pinned(req: &VerifyRequest<'_>) -> String {
    format!("{}@{}", req.name, req.digest)
}

fn outcome(req: &VerifyRequest<'_>, mode: VerifyMode) -> VerifyOutcome {
    VerifyOutcome {
        image: req.image.to_string(),
        reference: pinned(req),
        digest: req.digest.to_string(),
        mode,
        verified: true,
        policy: None,
        keys: Vec::new(),
        signatures: Vec::new(),
        failure: None,
        note: None,
    }
}

fn discover(
    req: &VerifyRequest<'_>,
    store: &dyn Store,
    keys: &[(String, PublicKey)],
) -> Result<Vec<FoundSignature>, VerifyError> {
    let plain: Vec<PublicKey> = keys.iter().map(|(_, k)| k.clone()).collect();
    crate::discover(store, req.digest, &plain).map_err(|source| VerifyError::Discover {
        reference: pinned(req),
        source,
    })
}

fn key_infos(keys: &[(String, PublicKey)]) -> Vec<KeyInfo> {
    keys.iter()
        .map(|(l, k)| KeyInfo {
            path: l.clone(),
            fingerprint: k.fingerprint(),
        })
        .collect()
}

/// Check against the caller's key files and annotations.
fn by_keys(
    req: &VerifyRequest<'_>,
    store: &dyn Store,
    source: &dyn KeySource,
) -> Result<VerifyOutcome, VerifyError> {
    let keys = req
        .key_files
        .iter()
        .map(|p| {
            let label = p.display().to_string();
            source
                .load(p, &label)
                .map(|k| (label, k))
                .map_err(VerifyError::Key)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = outcome(req, VerifyMode::Keys);
    out.signatures = discover(req, store, &keys)?;
    let check = Requirement {
        keys: &keys,
        require: Require::Any,
        annotations: req.annotations,
    };
    out.failure = check.check(&out.signatures).err().map(|unmet| {
        format!(
            "verification of {} failed: it {}: {unmet}",
            pinned(req),
            check.describe()
        )
    });
    out.verified = out.failure.is_none();
    out.keys = key_infos(&keys);
    Ok(out)
}

/// Check against the policy.
fn by_policy(
    req: &VerifyRequest<'_>,
    loaded: PolicySource<'_>,
    store: &dyn Store,
    source: &dyn KeySource,
) -> Result<VerifyOutcome, VerifyError> {
    let file = loaded.file.display().to_string();
    let decision = loaded
        .policy
        .decide(req.name)
        .map_err(|source| VerifyError::Policy {
            file: file.clone(),
            source,
        })?;
    let info = |rule: Option<&Rule>| PolicyInfo {
        file: file.clone(),
        rule: rule.map(|r| r.name.clone()),
        pattern: rule.map(|r| r.pattern.clone()),
    };
    let extra = req.annotations;
    let mut out = outcome(req, VerifyMode::Policy);
    match decision {
        Decision::Default(action) => {
            out.policy = Some(info(None));
            out.signatures = discover(req, store, &[])?;
            match action {
                DefaultAction::Allow => {
                    out.note = Some(format!(
                        "no policy rule matches {}; the policy default is \"allow\"",
                        req.name
                    ));
                    out.failure = unverifiable(
                        extra,
                        &format!(
                            "no policy rule matches {} (the default \"allow\" names no keys)",
                            req.name
                        ),
                    );
                }
                DefaultAction::Deny => {
                    out.failure = Some(format!(
                        "no policy rule matches {} and the policy default is \"deny\" (policy file {file}): add a rule for it, or set default = \"allow\"",
                        req.name
                    ));
                }
            }
        }
        Decision::Rule(rule) if !rule.signed => {
            out.policy = Some(info(Some(rule)));
            out.signatures = discover(req, store, &[])?;
            out.note = Some(format!("exempt from signing by {}", rule.label()));
            out.failure = unverifiable(
                extra,
                &format!(
                    "{} exempts it from signing (it names no keys)",
                    rule.label()
                ),
            );
        }
        Decision::Rule(rule) => {
            out.policy = Some(info(Some(rule)));
            let base = loaded.file.parent().unwrap_or(Path::new("."));
            let keys = rule
                .keys
                .iter()
                .map(|k| source.load(&base.join(k), k).map(|key| (k.clone(), key)))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|source| VerifyError::RuleKey {
                    rule: rule.label(),
                    source,
                })?;
            let annotations = merge_annotations(rule, extra)?;
            out.signatures = discover(req, store, &keys)?;
            let check = Requirement {
                keys: &keys,
                require: rule.require,
                annotations: &annotations,
            };
            if let Err(unmet) = check.check(&out.signatures) {
                out.failure = Some(format!("{} {}: {unmet}", rule.label(), check.describe()));
            }
            out.keys = key_infos(&keys);
        }
    }
    out.verified = out.failure.is_none();
    Ok(out)
}

/// The rule's annotations plus the caller's: extra annotations add
/// requirements, and never replace one of the rule's.
fn merge_annotations(
    rule: &Rule,
    extra: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, VerifyError> {
    let mut annotations = rule.annotations.clone();
    for (k, v) in extra {
        match annotations.get(k) {
            Some(want) if want != v => {
                return Err(VerifyError::Conflict(format!(
                    "-a {}={} conflicts with {}, which requires {}={}: drop the -a flag or change the policy",
                    printable(k),
                    printable(v),
                    rule.label(),
                    printable(k),
                    printable(want)
                )));
            }
            _ => {
                annotations.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(annotations)
}

/// Annotations ask for a verified signature; where the policy verifies
/// nothing (`why`), that cannot hold.
fn unverifiable(extra: &BTreeMap<String, String>, why: &str) -> Option<String> {
    if extra.is_empty() {
        return None;
    }
    let asked: Vec<String> = extra
        .iter()
        .map(|(k, v)| format!("{}={}", printable(k), printable(v)))
        .collect();
    Some(format!(
        "-a {} cannot be checked: {why}, so no signature is verified; drop -a, or verify with --key",
        asked.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::{MemStore, SignRequest, SignatureFormat, SigningKey, Status};

    struct Keys(Vec<(PathBuf, PublicKey)>);

    impl KeySource for Keys {
        fn load(&self, path: &Path, label: &str) -> Result<PublicKey, KeyLoadError> {
            self.0
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, k)| k.clone())
                .ok_or_else(|| format!("cannot read public key {label}").into())
        }
    }

    fn signed_store(key: &SigningKey) -> (MemStore, String) {
        let store = MemStore::new(true);
        let digest = store.put_manifest("v1", "application/vnd.oci.image.manifest.v1+json", b"{}");
        let ann = BTreeMap::from([("env".to_string(), "prod".to_string())]);
        let req = SignRequest {
            digest: &digest,
            docker_reference: "reg.example/app",
            annotations: &ann,
            format: SignatureFormat::Bundle,
        };
        crate::sign(&store, key, &req).unwrap();
        (store, digest)
    }

    fn request<'a>(
        digest: &'a str,
        key_files: &'a [PathBuf],
        policy: Option<PolicySource<'a>>,
        annotations: &'a BTreeMap<String, String>,
    ) -> VerifyRequest<'a> {
        VerifyRequest {
            image: "reg.example/app:v1",
            name: "reg.example/app",
            digest,
            key_files,
            policy,
            annotations,
        }
    }

    #[test]
    fn annotations_need_keys_or_a_policy() {
        let ann = BTreeMap::from([("a".to_string(), "b".to_string())]);
        assert!(matches!(
            mode(false, false, &ann),
            Err(VerifyError::AnnotationsNeedKeys)
        ));
        assert_eq!(
            mode(false, false, &BTreeMap::new()).unwrap(),
            VerifyMode::List
        );
        assert_eq!(mode(true, true, &ann).unwrap(), VerifyMode::Keys);
        assert_eq!(mode(false, true, &ann).unwrap(), VerifyMode::Policy);
    }

    #[test]
    fn keys_verify_and_name_the_key_file() {
        let key = SigningKey::generate();
        let (store, digest) = signed_store(&key);
        let files = [PathBuf::from("cosign.pub")];
        let source = Keys(vec![(files[0].clone(), key.public_key())]);
        let none = BTreeMap::new();
        let out = verify(&request(&digest, &files, None, &none), &store, &source).unwrap();
        assert!(out.verified);
        assert_eq!(out.mode, VerifyMode::Keys);
        assert_eq!(out.keys[0].path, "cosign.pub");
        assert!(matches!(out.signatures[0].status, Status::Verified { .. }));
        // A missing annotation fails, naming the key by its file.
        let want = BTreeMap::from([("env".to_string(), "dev".to_string())]);
        let out = verify(&request(&digest, &files, None, &want), &store, &source).unwrap();
        assert!(!out.verified);
        let failure = out.failure.unwrap();
        assert!(failure.contains("cosign.pub"), "{failure}");
        let fingerprint = key.public_key().fingerprint();
        assert!(!failure.contains(&fingerprint), "{failure}");
    }

    #[test]
    fn policy_rules_merge_annotations_and_default_deny_fails() {
        let key = SigningKey::generate();
        let (store, digest) = signed_store(&key);
        let policy: Policy = serde_json::from_value(serde_json::json!({
            "default": "deny",
            "rules": [{"name": "app", "match": "reg.example/app", "keys": ["team.pub"],
                       "annotations": {"env": "prod"}}]
        }))
        .unwrap();
        let file = PathBuf::from("/etc/bulkhead/bulkhead.toml");
        let source = Keys(vec![(
            PathBuf::from("/etc/bulkhead/team.pub"),
            key.public_key(),
        )]);
        let src = PolicySource {
            policy: &policy,
            file: &file,
        };
        let none = BTreeMap::new();
        let out = verify(&request(&digest, &[], Some(src), &none), &store, &source).unwrap();
        assert!(out.verified, "{:?}", out.failure);
        assert_eq!(out.policy.unwrap().rule.as_deref(), Some("app"));
        let clash = BTreeMap::from([("env".to_string(), "dev".to_string())]);
        assert!(matches!(
            verify(&request(&digest, &[], Some(src), &clash), &store, &source),
            Err(VerifyError::Conflict(_))
        ));
        let other = VerifyRequest {
            name: "reg.example/other",
            ..request(&digest, &[], Some(src), &none)
        };
        let out = verify(&other, &store, &source).unwrap();
        assert!(!out.verified);
        assert!(out.failure.unwrap().contains("\"deny\""));
    }
}

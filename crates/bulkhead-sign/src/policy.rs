//! The verification policy: which registries and repositories must be signed
//! by which keys (the `[policy]` section of `bulkhead.toml`, or `--policy
//! FILE`). Format and semantics are documented in `docs/signing.md`:
//!
//! ```toml
//! [policy]
//! default = "deny"                  # images no rule matches: "deny" (default) or "allow"
//!
//! [[policy.rules]]
//! name = "team-images"
//! match = "registry.example:5000/team/*"   # glob over "registry/repository"
//! keys = ["keys/team.pub"]          # PEM public keys, relative to the policy file
//! require = "any"                   # "any" (default) or "all" of the keys
//! annotations = { env = "prod" }    # required on the verifying signature
//!
//! [[policy.rules]]
//! name = "scratch"
//! match = "registry.example:5000/scratch/**"
//! signed = false                    # exempt
//! ```
//!
//! Rules are tried in order; the first whose `match` fits the image's
//! `registry/repository` decides. This module is pure: it parses and checks
//! rules, picks the rule for a name and judges discovered signatures; reading
//! key files and talking to registries is the caller's.

use crate::{FoundSignature, PublicKey, Status};
use std::collections::BTreeMap;

/// The `[policy]` section.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// What happens to images that no rule matches.
    #[serde(default)]
    pub default: DefaultAction,
    /// Ordered rules; the first match wins.
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// The verdict for images that no rule matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DefaultAction {
    /// Unmatched images fail (the safe default).
    #[default]
    Deny,
    /// Unmatched images pass unchecked.
    Allow,
}

/// How many of a rule's keys must have signed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Require {
    /// A verified signature by any one of the keys.
    #[default]
    Any,
    /// A verified signature by each of the keys.
    All,
}

fn yes() -> bool {
    true
}

/// One `[[policy.rules]]` entry.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Named in every message about this rule.
    pub name: String,
    /// Glob over `registry/repository`: `*` and `?` stay within one path
    /// segment, `**` spans segments, `[abc]` and `{a,b}` as usual; case is
    /// ignored.
    #[serde(rename = "match")]
    pub pattern: String,
    /// PEM public key files, relative to the policy file's folder.
    #[serde(default)]
    pub keys: Vec<String>,
    #[serde(default)]
    pub require: Require,
    /// Annotations the verifying signature must carry (exact values).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// `false` exempts matching images from signing.
    #[serde(default = "yes")]
    pub signed: bool,
}

/// A policy that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("[policy] rule {0}: fix it in the policy file (see docs/signing.md)")]
    Invalid(String),
}

/// What the policy says about one image.
#[derive(Debug, Clone, Copy)]
pub enum Decision<'a> {
    /// This rule matched first.
    Rule(&'a Rule),
    /// No rule matched.
    Default(DefaultAction),
}

impl Rule {
    fn glob(&self) -> Result<globset::GlobMatcher, PolicyError> {
        // Case-insensitive: registry host names are (REG.EXAMPLE reaches
        // reg.example, and must not slip past its rule to default = "allow"),
        // and repository names are lowercase anyway.
        globset::GlobBuilder::new(&self.pattern)
            .literal_separator(true)
            .backslash_escape(true)
            .case_insensitive(true)
            .build()
            .map(|g| g.compile_matcher())
            .map_err(|e| {
                PolicyError::Invalid(format!(
                    "{:?}: match {:?} is not a valid glob ({})",
                    self.name,
                    self.pattern,
                    e.kind()
                ))
            })
    }

    /// `policy rule "NAME" (match "PATTERN")`, the prefix of every message.
    pub fn label(&self) -> String {
        format!(
            "policy rule {:?} (match {:?})",
            clean(&self.name),
            clean(&self.pattern)
        )
    }
}

/// Keep user text printable in one-line messages.
fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(200).collect()
}

impl Policy {
    /// Check every rule: names present and unique, globs valid, keys given
    /// for signed rules and absent for exempt ones.
    pub fn validate(&self) -> Result<(), PolicyError> {
        let mut names = std::collections::BTreeSet::new();
        for (i, rule) in self.rules.iter().enumerate() {
            let n = i + 1;
            if rule.name.trim().is_empty() {
                return Err(PolicyError::Invalid(format!("#{n} has no name")));
            }
            if !names.insert(rule.name.as_str()) {
                return Err(PolicyError::Invalid(format!(
                    "{:?} is named twice: rule names must be unique",
                    clean(&rule.name)
                )));
            }
            if rule.pattern.trim().is_empty() {
                return Err(PolicyError::Invalid(format!(
                    "{:?} has an empty match",
                    clean(&rule.name)
                )));
            }
            rule.glob()?;
            if rule.signed && rule.keys.is_empty() {
                return Err(PolicyError::Invalid(format!(
                    "{:?} requires signatures but lists no keys: add keys = [\"path/to/key.pub\"] or set signed = false",
                    clean(&rule.name)
                )));
            }
            if !rule.signed && (!rule.keys.is_empty() || !rule.annotations.is_empty()) {
                return Err(PolicyError::Invalid(format!(
                    "{:?} has signed = false but also keys or annotations: drop one or the other",
                    clean(&rule.name)
                )));
            }
            if rule.keys.iter().any(|k| k.trim().is_empty()) {
                return Err(PolicyError::Invalid(format!(
                    "{:?} lists an empty key path",
                    clean(&rule.name)
                )));
            }
        }
        Ok(())
    }

    /// The rule for `name` ("registry/repository"): the first that matches.
    pub fn decide(&self, name: &str) -> Result<Decision<'_>, PolicyError> {
        self.validate()?;
        for rule in &self.rules {
            if rule.glob()?.is_match(name) {
                return Ok(Decision::Rule(rule));
            }
        }
        Ok(Decision::Default(self.default))
    }
}

/// What must hold of an image's signatures: a rule's, or `verify --key`'s.
#[derive(Debug, Clone, Copy)]
pub struct Requirement<'a> {
    /// The accepted keys, each with the name users know it by (its path).
    pub keys: &'a [(String, PublicKey)],
    pub require: Require,
    pub annotations: &'a BTreeMap<String, String>,
}

/// Why a [`Requirement`] is not met.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unmet {
    /// e.g. "none of 2 signatures verified".
    pub summary: String,
    /// One line per signature that did not count, naming its location.
    pub reasons: Vec<String>,
}

impl std::fmt::Display for Unmet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary)?;
        if !self.reasons.is_empty() {
            write!(f, " ({})", self.reasons.join("; "))?;
        }
        Ok(())
    }
}

fn pairs(m: &BTreeMap<String, String>) -> String {
    m.iter()
        .map(|(k, v)| format!("{}={}", clean(k), clean(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Requirement<'_> {
    fn label_of(&self, fingerprint: &str) -> String {
        self.keys
            .iter()
            .find(|(_, k)| k.fingerprint() == fingerprint)
            .map_or_else(|| fingerprint.to_string(), |(l, _)| l.clone())
    }

    fn key_list(&self) -> String {
        self.keys
            .iter()
            .map(|(l, _)| l.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// "requires a signature by keys/team.pub with annotations env=prod".
    pub fn describe(&self) -> String {
        let who = match (self.require, self.keys.len()) {
            (_, 1) => format!("a signature by {}", self.key_list()),
            (Require::Any, _) => format!("a signature by one of {}", self.key_list()),
            (Require::All, _) => format!("signatures by all of {}", self.key_list()),
        };
        if self.annotations.is_empty() {
            format!("requires {who}")
        } else {
            format!(
                "requires {who} with annotations {}",
                pairs(self.annotations)
            )
        }
    }

    /// The annotations `found` lacks, as "k=v" (empty: it has them all).
    fn missing(&self, found: &FoundSignature) -> Vec<String> {
        let have = found.claims.as_ref().map(|c| &c.annotations);
        self.annotations
            .iter()
            .filter(|(k, v)| have.and_then(|h| h.get(*k)) != Some(*v))
            .map(|(k, v)| format!("{}={}", clean(k), clean(v)))
            .collect()
    }

    /// The key label a signature satisfies this requirement with, or why not.
    fn judge(&self, found: &FoundSignature) -> Result<String, String> {
        let at = clean(&found.location);
        match &found.status {
            Status::Failed { reason } => Err(format!("{at}: {}", clean(reason))),
            Status::Unchecked => Err(format!("{at}: not checked against any key")),
            Status::Verified { key } => {
                let label = self.label_of(key);
                if !self.keys.iter().any(|(_, k)| k.fingerprint() == *key) {
                    return Err(format!("{at}: verified by {key}, which is not a key here"));
                }
                let missing = self.missing(found);
                if missing.is_empty() {
                    Ok(label)
                } else {
                    let has = found
                        .claims
                        .as_ref()
                        .map(|c| pairs(&c.annotations))
                        .filter(|s| !s.is_empty())
                        .unwrap_or_else(|| "none".to_string());
                    Err(format!(
                        "{at}: verified by {label} but lacks annotation {} (has {has})",
                        missing.join(", ")
                    ))
                }
            }
        }
    }

    /// Indices of the signatures that satisfy the requirement, or why it is
    /// not met.
    pub fn check(&self, found: &[FoundSignature]) -> Result<Vec<usize>, Unmet> {
        let n = found.len();
        if n == 0 {
            return Err(Unmet {
                summary: "the image has no signatures".to_string(),
                reasons: Vec::new(),
            });
        }
        let mut good: Vec<(usize, String)> = Vec::new();
        let mut reasons = Vec::new();
        for (i, f) in found.iter().enumerate() {
            match self.judge(f) {
                Ok(label) => good.push((i, label)),
                Err(r) => reasons.push(r),
            }
        }
        let plural = if n == 1 { "signature" } else { "signatures" };
        let missing_keys: Vec<&str> = match self.require {
            Require::Any => Vec::new(),
            Require::All => self
                .keys
                .iter()
                // A key is judged by its fingerprint: two files holding the
                // same key are both satisfied by one signature with it.
                .filter(|(_, k)| {
                    let label = self.label_of(&k.fingerprint());
                    !good.iter().any(|(_, g)| *g == label)
                })
                .map(|(l, _)| l.as_str())
                .collect(),
        };
        if good.is_empty() {
            let any_verified = found
                .iter()
                .any(|f| matches!(f.status, Status::Verified { .. }));
            let summary = if any_verified && !self.annotations.is_empty() {
                format!("none of {n} {plural} verified with the required annotations")
            } else {
                format!("none of {n} {plural} verified")
            };
            return Err(Unmet { summary, reasons });
        }
        if !missing_keys.is_empty() {
            return Err(Unmet {
                summary: format!("no verified signature by {}", missing_keys.join(", ")),
                reasons,
            });
        }
        Ok(good.into_iter().map(|(i, _)| i).collect())
    }
}

/// The body of the `policy` fuzz target (also replayed by the CLI's
/// fuzz_replay test): a policy from arbitrary JSON (the serde shape the
/// settings file uses) is validated, and a valid one decides for the names
/// below and for its own patterns without panicking.
#[doc(hidden)]
pub fn fuzz_exercise(data: &[u8]) {
    let Ok(policy) = serde_json::from_slice::<Policy>(data) else {
        return;
    };
    if policy.validate().is_err() {
        assert!(policy.decide("x/y").is_err());
        return;
    }
    let none = BTreeMap::new();
    let mut names: Vec<String> = [
        "docker.io/library/debian",
        "127.0.0.1:5000/team/app",
        "",
        "a/b/c",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    names.extend(policy.rules.iter().map(|r| r.pattern.clone()));
    for name in &names {
        let decided = policy.decide(name);
        assert!(decided.is_ok(), "a validated policy failed to decide");
        let req = match decided {
            Ok(Decision::Rule(rule)) => {
                let _ = rule.label();
                Requirement {
                    keys: &[],
                    require: rule.require,
                    annotations: &rule.annotations,
                }
            }
            _ => Requirement {
                keys: &[],
                require: Require::Any,
                annotations: &none,
            },
        };
        let _ = req.describe();
        let _ = req.check(&[]);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::{Claims, SignatureFormat};

    fn policy(text: &str) -> Policy {
        #[derive(serde::Deserialize)]
        struct F {
            policy: Policy,
        }
        toml_like::<F>(text).policy
    }

    // The tests build policies from JSON (serde_json is a dependency here;
    // the CLI reads the same serde shape from TOML).
    fn toml_like<T: serde::de::DeserializeOwned>(json: &str) -> T {
        serde_json::from_str(json).unwrap()
    }

    fn team() -> Policy {
        policy(
            r#"{"policy": {"rules": [
                {"name": "scratch", "match": "reg:5000/team/scratch", "signed": false},
                {"name": "team-images", "match": "reg:5000/team/*", "keys": ["keys/team.pub"]},
                {"name": "deep", "match": "reg:5000/deep/**", "keys": ["a.pub", "b.pub"], "require": "all"}
            ]}}"#,
        )
    }

    fn name_of(d: Decision<'_>) -> String {
        match d {
            Decision::Rule(r) => r.name.clone(),
            Decision::Default(a) => format!("default {a:?}"),
        }
    }

    #[test]
    fn first_matching_rule_wins_and_star_stays_in_a_segment() {
        let p = team();
        assert_eq!(
            name_of(p.decide("reg:5000/team/scratch").unwrap()),
            "scratch"
        );
        assert_eq!(
            name_of(p.decide("reg:5000/team/app").unwrap()),
            "team-images"
        );
        assert_eq!(
            name_of(p.decide("reg:5000/team/a/b").unwrap()),
            "default Deny"
        );
        assert_eq!(name_of(p.decide("reg:5000/deep/a/b/c").unwrap()), "deep");
        assert_eq!(name_of(p.decide("other/team/app").unwrap()), "default Deny");
        let allow = policy(r#"{"policy": {"default": "allow"}}"#);
        assert_eq!(name_of(allow.decide("x/y").unwrap()), "default Allow");
    }

    #[test]
    fn registry_host_case_does_not_escape_a_rule() {
        // Host names are case-insensitive (REG.EXAMPLE reaches reg.example),
        // so an upper-case spelling must not fall through to default = "allow".
        let p = policy(
            r#"{"policy": {"default": "allow", "rules": [
                {"name": "team", "match": "reg.example:5000/team/*", "keys": ["k.pub"]}
            ]}}"#,
        );
        for name in [
            "reg.example:5000/team/app",
            "REG.EXAMPLE:5000/team/app",
            "Reg.Example:5000/team/app",
        ] {
            assert_eq!(name_of(p.decide(name).unwrap()), "team", "{name}");
        }
        let upper = policy(
            r#"{"policy": {"default": "allow", "rules": [
                {"name": "team", "match": "REG.example:5000/team/*", "keys": ["k.pub"]}
            ]}}"#,
        );
        assert_eq!(
            name_of(upper.decide("reg.example:5000/team/app").unwrap()),
            "team"
        );
    }

    #[test]
    fn invalid_policies_are_named() {
        for (json, needle) in [
            (r#"[{"name": "", "match": "a"}]"#, "no name"),
            (
                r#"[{"name": "a", "match": "x", "keys": ["k"]}, {"name": "a", "match": "y", "keys": ["k"]}]"#,
                "named twice",
            ),
            (r#"[{"name": "a", "match": "x"}]"#, "lists no keys"),
            (
                r#"[{"name": "a", "match": "x", "signed": false, "keys": ["k"]}]"#,
                "signed = false",
            ),
            (
                r#"[{"name": "a", "match": "x[", "keys": ["k"]}]"#,
                "not a valid glob",
            ),
            (
                r#"[{"name": "a", "match": " ", "keys": ["k"]}]"#,
                "empty match",
            ),
            (
                r#"[{"name": "a", "match": "x", "keys": [""]}]"#,
                "empty key path",
            ),
        ] {
            let p = policy(&format!(r#"{{"policy": {{"rules": {json}}}}}"#));
            let e = p.validate().unwrap_err().to_string();
            assert!(e.contains(needle), "{json}: {e}");
            assert!(p.decide("x").is_err());
        }
        assert!(
            serde_json::from_str::<Policy>(
                r#"{"rules": [{"name": "a", "match": "x", "kyes": []}]}"#
            )
            .is_err()
        );
    }

    fn sig(status: Status, ann: &[(&str, &str)]) -> FoundSignature {
        FoundSignature {
            format: SignatureFormat::Legacy,
            location: "tag sha256-x.sig, layer 1".to_string(),
            key_hint: None,
            claims: Some(Claims {
                image_digest: "sha256:x".to_string(),
                docker_reference: None,
                annotations: ann
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                payload: serde_json::Value::Null,
            }),
            status,
        }
    }

    #[test]
    fn unmet_requirements_say_why() {
        let none = BTreeMap::new();
        let req = Requirement {
            keys: &[],
            require: Require::Any,
            annotations: &none,
        };
        let e = req.check(&[]).unwrap_err();
        assert_eq!(e.summary, "the image has no signatures");
        let failed = sig(
            Status::Failed {
                reason: "payload names sha256:a but the image is sha256:b".into(),
            },
            &[],
        );
        let e = req.check(&[failed.clone(), failed]).unwrap_err();
        assert_eq!(e.summary, "none of 2 signatures verified");
        assert_eq!(e.reasons.len(), 2);
        assert!(e.to_string().contains("payload names sha256:a"), "{e}");
        let e = req.check(&[sig(Status::Unchecked, &[])]).unwrap_err();
        assert!(e.reasons[0].contains("not checked"), "{e}");
    }

    fn verified_by(k: &PublicKey, ann: &[(&str, &str)]) -> FoundSignature {
        sig(
            Status::Verified {
                key: k.fingerprint(),
            },
            ann,
        )
    }

    #[test]
    fn any_and_all_count_verified_signatures_per_key() {
        let a = crate::SigningKey::generate().public_key();
        let b = crate::SigningKey::generate().public_key();
        let keys = vec![
            ("a.pub".to_string(), a.clone()),
            ("b.pub".to_string(), b.clone()),
        ];
        let none = BTreeMap::new();
        let any = Requirement {
            keys: &keys,
            require: Require::Any,
            annotations: &none,
        };
        let all = Requirement {
            require: Require::All,
            ..any
        };
        let failed = sig(
            Status::Failed {
                reason: "signature does not verify with any given key".into(),
            },
            &[],
        );
        let only_a = [failed.clone(), verified_by(&a, &[])];
        assert_eq!(any.check(&only_a).unwrap(), vec![1]);
        let e = all.check(&only_a).unwrap_err();
        assert_eq!(e.summary, "no verified signature by b.pub");
        assert_eq!(e.reasons.len(), 1);
        let both = [verified_by(&b, &[]), failed, verified_by(&a, &[])];
        assert_eq!(all.check(&both).unwrap(), vec![0, 2]);
        // A fingerprint that is not one of the keys never counts.
        let c = crate::SigningKey::generate().public_key();
        let e = any.check(&[verified_by(&c, &[])]).unwrap_err();
        assert!(e.reasons[0].contains("not a key here"), "{e}");
        assert_eq!(
            any.describe(),
            "requires a signature by one of a.pub, b.pub"
        );
        assert_eq!(all.describe(), "requires signatures by all of a.pub, b.pub");
    }

    #[test]
    fn all_counts_a_key_held_in_two_files_once() {
        let a = crate::SigningKey::generate().public_key();
        let keys = vec![
            ("a.pub".to_string(), a.clone()),
            ("copy-of-a.pub".to_string(), a.clone()),
        ];
        let none = BTreeMap::new();
        let all = Requirement {
            keys: &keys,
            require: Require::All,
            annotations: &none,
        };
        assert_eq!(all.check(&[verified_by(&a, &[])]).unwrap(), vec![0]);
    }

    #[test]
    fn required_annotations_are_exact() {
        let a = crate::SigningKey::generate().public_key();
        let keys = vec![("a.pub".to_string(), a.clone())];
        let mut ann = BTreeMap::new();
        ann.insert("env".to_string(), "prod".to_string());
        let req = Requirement {
            keys: &keys,
            require: Require::Any,
            annotations: &ann,
        };
        assert!(
            req.check(&[verified_by(&a, &[("env", "prod"), ("x", "y")])])
                .is_ok()
        );
        let e = req
            .check(&[
                verified_by(&a, &[("env", "production")]),
                verified_by(&a, &[]),
            ])
            .unwrap_err();
        assert_eq!(
            e.summary,
            "none of 2 signatures verified with the required annotations"
        );
        assert!(
            e.reasons[0].ends_with("lacks annotation env=prod (has env=production)"),
            "{e}"
        );
        assert!(e.reasons[1].ends_with("(has none)"), "{e}");
        // Control characters from registry data do not reach messages.
        let e = req
            .check(&[verified_by(&a, &[("env", "\u{1b}[31mprod")])])
            .unwrap_err();
        assert!(!e.to_string().contains('\u{1b}'), "{e}");
        assert_eq!(
            req.describe(),
            "requires a signature by a.pub with annotations env=prod"
        );
    }

    #[test]
    fn describe_names_keys_and_annotations() {
        let mut ann = BTreeMap::new();
        ann.insert("env".to_string(), "prod".to_string());
        let req = Requirement {
            keys: &[],
            require: Require::All,
            annotations: &ann,
        };
        assert!(req.describe().ends_with("with annotations env=prod"));
        let p = team();
        let Decision::Rule(r) = p.decide("reg:5000/team/app").unwrap() else {
            panic!()
        };
        assert_eq!(
            r.label(),
            "policy rule \"team-images\" (match \"reg:5000/team/*\")"
        );
    }
}

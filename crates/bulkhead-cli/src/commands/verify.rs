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
use bulkhead_sign::policy::{Decision, DefaultAction, Policy, Require, Requirement, Rule};
use bulkhead_sign::{FoundSignature, PublicKey, SignatureFormat, Status};
use clap::Args;
use std::collections::BTreeMap;
use std::fmt::Write as _;
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

/// Read a PEM public key; errors name the file and say what to pass.
fn read_public_key(path: &Path, label: &str) -> Result<(String, PublicKey)> {
    let pem = std::fs::read_to_string(path).with_context(|| {
        format!("cannot read public key {label}: pass a PEM public key such as cosign.pub")
    })?;
    let key =
        PublicKey::from_pem(&pem).with_context(|| format!("public key {label} cannot be used"))?;
    Ok((label.to_string(), key))
}

/// Printable in one line: registry data may hold escape sequences
/// ([`bulkhead_types::text::terminal_safe`]), and a hostile registry may
/// send a great many signatures.
fn clean(s: &str) -> String {
    const MAX: usize = 8192;
    let mut out: String = bulkhead_types::text::terminal_safe(s)
        .chars()
        .take(MAX)
        .collect();
    if s.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
enum Mode {
    Keys,
    Policy,
    List,
}

#[derive(serde::Serialize)]
struct KeyInfo {
    path: String,
    fingerprint: String,
}

#[derive(serde::Serialize)]
struct PolicyInfo {
    file: String,
    /// The rule that decided, or None when the default did.
    rule: Option<String>,
    #[serde(rename = "match")]
    pattern: Option<String>,
}

/// The result of a verification, as printed.
#[derive(serde::Serialize)]
struct Outcome {
    image: String,
    /// `registry/repository@sha256:…`: what was verified.
    reference: String,
    digest: String,
    mode: Mode,
    /// true when the keys or the policy are satisfied (always true when only listing).
    verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<PolicyInfo>,
    keys: Vec<KeyInfo>,
    signatures: Vec<FoundSignature>,
    /// Why verification failed, one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    failure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

fn discover(r: &Resolved, keys: &[(String, PublicKey)]) -> Result<Vec<FoundSignature>> {
    let plain: Vec<PublicKey> = keys.iter().map(|(_, k)| k.clone()).collect();
    bulkhead_sign::discover(&r.store, &r.digest, &plain)
        .with_context(|| format!("cannot read the signatures of {}", r.pinned()))
}

/// Name keys by their files in messages for people ("keys: sha256:…" from
/// the library becomes "keys: cosign.pub").
fn name_keys(text: &str, keys: &[KeyInfo]) -> String {
    keys.iter()
        .fold(text.to_string(), |t, k| t.replace(&k.fingerprint, &k.path))
}

fn key_infos(keys: &[(String, PublicKey)]) -> Vec<KeyInfo> {
    keys.iter()
        .map(|(l, k)| KeyInfo {
            path: l.clone(),
            fingerprint: k.fingerprint(),
        })
        .collect()
}

/// Check `r` against `--key` files and `-a` annotations.
fn by_keys(
    r: &Resolved,
    paths: &[PathBuf],
    annotations: &BTreeMap<String, String>,
) -> Result<Outcome> {
    let keys = paths
        .iter()
        .map(|p| read_public_key(p, &p.display().to_string()))
        .collect::<Result<Vec<_>>>()?;
    let signatures = discover(r, &keys)?;
    let req = Requirement {
        keys: &keys,
        require: Require::Any,
        annotations,
    };
    let failure = req.check(&signatures).err().map(|unmet| {
        format!(
            "verification of {} failed: it {}: {unmet}",
            r.pinned(),
            req.describe()
        )
    });
    Ok(Outcome {
        image: String::new(),
        reference: r.pinned(),
        digest: r.digest.clone(),
        mode: Mode::Keys,
        verified: failure.is_none(),
        policy: None,
        keys: key_infos(&keys),
        signatures,
        failure,
        note: None,
    })
}

/// Check `r` against the policy.
fn by_policy(
    r: &Resolved,
    loaded: &LoadedPolicy,
    extra: &BTreeMap<String, String>,
) -> Result<Outcome> {
    let decision = loaded
        .policy
        .decide(&r.name)
        .with_context(|| format!("policy file {}", loaded.file.display()))?;
    let file = loaded.file.display().to_string();
    let info = |rule: Option<&Rule>| PolicyInfo {
        file: file.clone(),
        rule: rule.map(|r| r.name.clone()),
        pattern: rule.map(|r| r.pattern.clone()),
    };
    let mut out = Outcome {
        image: String::new(),
        reference: r.pinned(),
        digest: r.digest.clone(),
        mode: Mode::Policy,
        verified: true,
        policy: None,
        keys: Vec::new(),
        signatures: Vec::new(),
        failure: None,
        note: None,
    };
    match decision {
        Decision::Default(action) => {
            out.policy = Some(info(None));
            out.signatures = discover(r, &[])?;
            match action {
                DefaultAction::Allow => {
                    out.note = Some(format!(
                        "no policy rule matches {}; the policy default is \"allow\"",
                        r.name
                    ));
                    out.failure = unverifiable(
                        extra,
                        &format!(
                            "no policy rule matches {} (the default \"allow\" names no keys)",
                            r.name
                        ),
                    );
                }
                DefaultAction::Deny => {
                    out.verified = false;
                    out.failure = Some(format!(
                        "no policy rule matches {} and the policy default is \"deny\" (policy file {file}): add a rule for it, or set default = \"allow\"",
                        r.name
                    ));
                }
            }
        }
        Decision::Rule(rule) if !rule.signed => {
            out.policy = Some(info(Some(rule)));
            out.signatures = discover(r, &[])?;
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
                .map(|k| read_public_key(&base.join(k), k))
                .collect::<Result<Vec<_>>>()
                .with_context(|| rule.label())?;
            // `-a` adds requirements; it never replaces one of the rule's.
            let mut annotations = rule.annotations.clone();
            for (k, v) in extra {
                match annotations.get(k) {
                    Some(want) if want != v => bail!(
                        "-a {}={} conflicts with {}, which requires {}={}: drop the -a flag or change the policy",
                        clean(k),
                        clean(v),
                        rule.label(),
                        clean(k),
                        clean(want)
                    ),
                    _ => {
                        annotations.insert(k.clone(), v.clone());
                    }
                }
            }
            out.signatures = discover(r, &keys)?;
            let req = Requirement {
                keys: &keys,
                require: rule.require,
                annotations: &annotations,
            };
            if let Err(unmet) = req.check(&out.signatures) {
                out.verified = false;
                out.failure = Some(format!("{} {}: {unmet}", rule.label(), req.describe()));
            }
            out.keys = key_infos(&keys);
        }
    }
    out.verified = out.failure.is_none();
    Ok(out)
}

/// `-a` asks for annotations on a verified signature; where the policy
/// verifies nothing (`why`), that cannot hold.
fn unverifiable(extra: &BTreeMap<String, String>, why: &str) -> Option<String> {
    if extra.is_empty() {
        return None;
    }
    let asked: Vec<String> = extra
        .iter()
        .map(|(k, v)| format!("{}={}", clean(k), clean(v)))
        .collect();
    Some(format!(
        "-a {} cannot be checked: {why}, so no signature is verified; drop -a, or verify with --key",
        asked.join(", ")
    ))
}

fn format_name(f: SignatureFormat) -> &'static str {
    match f {
        SignatureFormat::Bundle => "bundle",
        SignatureFormat::Legacy => "legacy",
    }
}

fn table(out: &Outcome) -> String {
    let mut s = String::new();
    let label_of = |fp: &str| {
        out.keys.iter().find(|k| k.fingerprint == fp).map_or_else(
            || clean(fp),
            |k| format!("{} ({})", clean(&k.path), clean(fp)),
        )
    };
    let _ = writeln!(s, "image:  {}", clean(&out.image));
    let _ = writeln!(s, "digest: {}", clean(&out.digest));
    if let Some(p) = &out.policy {
        match (&p.rule, &p.pattern) {
            (Some(r), Some(m)) => {
                let _ = writeln!(
                    s,
                    "policy: rule {:?} (match {:?}) of {}",
                    clean(r),
                    clean(m),
                    clean(&p.file)
                );
            }
            _ => {
                let _ = writeln!(s, "policy: no rule matches ({})", clean(&p.file));
            }
        }
    }
    let n = out.signatures.len();
    if n == 0 {
        let _ = writeln!(s, "\nno signatures");
    } else {
        let _ = writeln!(s, "\n{n} signature{}:", if n == 1 { "" } else { "s" });
    }
    for (i, sig) in out.signatures.iter().enumerate() {
        let _ = writeln!(
            s,
            "\n[{}] {}  {}",
            i + 1,
            format_name(sig.format),
            clean(&sig.location)
        );
        let status = match &sig.status {
            Status::Verified { key } => format!("verified with {}", label_of(key)),
            Status::Failed { reason } => {
                format!("FAILED: {}", clean(&name_keys(reason, &out.keys)))
            }
            Status::Unchecked => "not checked (no key given)".to_string(),
        };
        let _ = writeln!(s, "    status:           {status}");
        if let Some(h) = &sig.key_hint {
            let _ = writeln!(s, "    key hint:         {}", clean(h));
        }
        if let Some(c) = &sig.claims {
            let _ = writeln!(s, "    digest:           {}", clean(&c.image_digest));
            if let Some(d) = &c.docker_reference {
                let _ = writeln!(s, "    docker-reference: {}", clean(d));
            }
            if !c.annotations.is_empty() {
                let a: Vec<String> = c
                    .annotations
                    .iter()
                    .map(|(k, v)| format!("{}={}", clean(k), clean(v)))
                    .collect();
                let _ = writeln!(s, "    annotations:      {}", a.join(", "));
            }
        }
    }
    let _ = writeln!(s);
    match (&out.failure, out.mode) {
        (Some(f), _) => {
            let _ = writeln!(s, "result: FAILED: {}", clean(f));
        }
        (None, Mode::List) => {
            let _ = writeln!(s, "result: listed only; pass --key or a policy to verify");
        }
        (None, _) => {
            let _ = writeln!(s, "result: verified");
        }
    }
    if let Some(n) = &out.note {
        let _ = writeln!(s, "note:   {}", clean(n));
    }
    s
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
    if args.keys.is_empty() && policy.is_none() && !annotations.is_empty() {
        bail!("-a needs --key (or a policy): annotations are checked on verified signatures only");
    }
    let resolved = resolve(global, &args.image, &args.registry)?;
    let mut out = match &policy {
        _ if !args.keys.is_empty() => by_keys(&resolved, &args.keys, &annotations)?,
        Some(p) => by_policy(&resolved, p, &annotations)?,
        None => Outcome {
            image: String::new(),
            reference: resolved.pinned(),
            digest: resolved.digest.clone(),
            mode: Mode::List,
            verified: true,
            policy: None,
            keys: Vec::new(),
            signatures: discover(&resolved, &[])?,
            failure: None,
            note: None,
        },
    };
    out.image = args.image.clone();
    out.failure = out.failure.map(|f| name_keys(&f, &out.keys));
    let text = match format {
        bulkhead_report::Format::Json => bulkhead_types::text::to_json_pretty(&out)? + "\n",
        _ => table(&out),
    };
    output::write_text(global, &text)?;
    match &out.failure {
        Some(f) => {
            eprintln!("verify: FAILED: {}", clean(f));
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
    let out = by_policy(&resolved, &loaded, &BTreeMap::new())?;
    if let Some(f) = &out.failure {
        eprintln!("error: {}", clean(&name_keys(f, &out.keys)));
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

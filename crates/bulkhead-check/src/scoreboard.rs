//! The scoreboard: one rule per layer, each with the evidence it rests on
//! (`docs/check.md`, "Scoreboard"). A rule reads the runtime settings
//! (completed with the image config), the findings already merged, and the
//! signature outcome.

use crate::findings::Draft;
use crate::{CheckInput, Trust};
use bulkhead_policy::controls::cap_add::{DOCKER_DEFAULT, HIGH_RISK};
use bulkhead_policy::controls::{docker_socket, env_secrets, user};
use bulkhead_types::check::{FindingKind, LayerState, LayerVerdict, StackLayer, WorkloadSource};
use bulkhead_types::signature::{Status, VerifyMode};
use bulkhead_types::{ContainerSpec, MountKind, Severity};

/// Judge every layer, in order.
pub(crate) fn judge(input: &CheckInput, drafts: &[Draft]) -> Vec<LayerVerdict> {
    StackLayer::ALL
        .into_iter()
        .map(|layer| {
            let (state, evidence) = match layer {
                StackLayer::ImageContents => image_contents(input, drafts),
                StackLayer::UserPrivileges => user_privileges(input),
                StackLayer::Filesystem => filesystem(&input.spec),
                StackLayer::SystemCalls => system_calls(&input.spec),
                StackLayer::MandatoryAccess => mandatory_access(&input.spec),
                StackLayer::Capabilities => capabilities(input),
                StackLayer::Secrets => secrets(input, drafts),
                StackLayer::Trust => {
                    let j = trust_judgement(&input.trust);
                    (j.state, j.evidence)
                }
            };
            LayerVerdict {
                layer,
                state,
                evidence,
                findings: 0,
            }
        })
        .collect()
}

type Verdict = (LayerState, Vec<String>);

fn list(items: &[String], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        s.push_str(&format!(" and {} more", items.len() - max));
    }
    s
}

/// Layer 1, Image contents: no known vulnerability → in place; only LOW, MEDIUM,
/// UNKNOWN or unfixed ones → partial; a fixable HIGH or CRITICAL, or any
/// known-exploited (KEV) → missing.
fn image_contents(input: &CheckInput, drafts: &[Draft]) -> Verdict {
    let packages: usize = input.report.results.iter().map(|r| r.packages.len()).sum();
    let os = input
        .report
        .metadata
        .os
        .as_ref()
        .map(|o| format!(" ({} {})", o.family, o.name))
        .unwrap_or_default();
    if !input.scanners.vuln {
        return (
            LayerState::Partial,
            vec!["the vulnerability scanner did not run (--scanners): not checked".to_string()],
        );
    }
    let vulns: Vec<&Draft> = drafts
        .iter()
        .filter(|d| d.kind() == FindingKind::Vulnerability)
        .collect();
    if vulns.is_empty() {
        return (
            LayerState::InPlace,
            vec![format!(
                "no known vulnerability in {packages} package(s){os}"
            )],
        );
    }
    let mut by_sev = std::collections::BTreeMap::new();
    for v in &vulns {
        *by_sev.entry(v.severity()).or_insert(0usize) += 1;
    }
    let counts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .filter_map(|s| by_sev.get(s).map(|n| format!("{n} {s}")))
        .collect();
    let mut evidence = vec![format!(
        "{} known vulnerabilit{} in {packages} package(s){os}: {}",
        vulns.len(),
        if vulns.len() == 1 { "y" } else { "ies" },
        counts.join(", ")
    )];
    let kev: Vec<String> = vulns
        .iter()
        .filter(|d| d.rating.as_ref().is_some_and(|r| r.kev))
        .map(|d| d.ref_id.clone())
        .collect();
    let fixable: Vec<String> = vulns
        .iter()
        .filter(|d| d.severity() >= Severity::High)
        .filter_map(|d| {
            let p = d.package.as_ref()?;
            (!p.fixed_version.is_empty())
                .then(|| format!("{} (fixed in {})", d.ref_id, p.fixed_version))
        })
        .collect();
    if !kev.is_empty() {
        evidence.push(format!("known exploited (KEV): {}", list(&kev, 5)));
    }
    if !fixable.is_empty() {
        evidence.push(format!("fixable HIGH/CRITICAL: {}", list(&fixable, 5)));
    }
    let state = if kev.is_empty() && fixable.is_empty() {
        evidence.push("only LOW/MEDIUM/UNKNOWN or not yet fixable ones".to_string());
        LayerState::Partial
    } else {
        LayerState::Missing
    };
    (state, evidence)
}

/// Where the user setting came from, in the source's words.
fn user_origin(input: &CheckInput) -> &'static str {
    let runtime_set = input.spec.user.as_deref().is_some_and(|u| !u.is_empty());
    match (input.workload.source, runtime_set) {
        (WorkloadSource::Compose, true) => "the service's user:",
        (WorkloadSource::Run, true) => "--user",
        (WorkloadSource::Container, true) => "the container's Config.User",
        (_, _) if input.spec.image_user.is_some() => "the image's USER",
        _ => "no user set anywhere",
    }
}

/// Layer 2, User privileges: a numeric non-zero uid → in place; a user name
/// (not root) → partial (a name cannot be checked ahead of time); root
/// or unset → missing.
fn user_privileges(input: &CheckInput) -> Verdict {
    let s = &input.spec;
    let u = s.effective_user();
    let name = u.split(':').next().unwrap_or(u).trim();
    let origin = user_origin(input);
    let mut evidence = Vec::new();
    let state = if name.is_empty() {
        evidence.push("no user set: runs as root (uid 0)".to_string());
        LayerState::Missing
    } else if user::is_root(name) {
        evidence.push(format!("user {u} ({origin}) is root"));
        LayerState::Missing
    } else if let Ok(uid) = name.parse::<u32>() {
        evidence.push(format!("runs as uid {uid} ({origin})"));
        LayerState::InPlace
    } else {
        let uid = input
            .passwd
            .as_deref()
            .and_then(|p| p.iter().find(|e| e.name == name).map(|e| e.uid));
        match uid {
            Some(0) => {
                evidence.push(format!(
                    "user {name} ({origin}) has uid 0 in the image's /etc/passwd: root"
                ));
                LayerState::Missing
            }
            Some(uid) => {
                evidence.push(format!(
                    "runs as user {name} ({origin}), uid {uid} in the image's /etc/passwd: a name, so nothing can check it is not root before it starts; use {uid}"
                ));
                LayerState::Partial
            }
            None => {
                evidence.push(format!(
                    "runs as user {name} ({origin}), not found in the image's /etc/passwd: use a numeric uid"
                ));
                LayerState::Partial
            }
        }
    };
    evidence.push(if s.no_new_privileges() {
        "no-new-privileges on".to_string()
    } else {
        "no-new-privileges off: setuid binaries can still raise privileges".to_string()
    });
    (state, evidence)
}

/// Whether `t` covers `/tmp`.
fn covers_tmp(target: &str) -> bool {
    let t = target.trim_end_matches('/');
    t == "/tmp"
}

/// Layer 3, Filesystem: `read_only` and a tmpfs at /tmp whose mounts all have
/// `noexec,nosuid` → in place; read-only without that → partial; a
/// writable root, or the Docker socket mounted → missing.
fn filesystem(s: &ContainerSpec) -> Verdict {
    let mut evidence = Vec::new();
    let socket: Vec<String> = s
        .mounts
        .iter()
        .filter(|m| docker_socket::is_socket(&m.source) || docker_socket::is_socket(&m.target))
        .map(|m| m.target.clone())
        .collect();
    if !socket.is_empty() || s.use_api_socket {
        evidence.push(format!(
            "the Docker API socket is mounted ({}): whoever controls the container controls the host",
            if socket.is_empty() {
                "use_api_socket".to_string()
            } else {
                socket.join(", ")
            }
        ));
    }
    if !s.read_only {
        evidence.push("root filesystem writable (no read_only / --read-only)".to_string());
        return (LayerState::Missing, evidence);
    }
    evidence.push("read_only: true".to_string());
    // tmpfs mounts: `tmpfs:` entries with options, and `type: tmpfs`
    // volumes (no noexec/nosuid option there).
    let mut weak: Vec<String> = Vec::new();
    let mut tmp_ok = false;
    let mut tmp_seen = false;
    for t in &s.tmpfs {
        let missing: Vec<&str> = ["noexec", "nosuid"]
            .into_iter()
            .filter(|o| !t.has(o))
            .collect();
        if covers_tmp(&t.target) {
            tmp_seen = true;
            tmp_ok = missing.is_empty();
        }
        if missing.is_empty() {
            evidence.push(format!("tmpfs {} has noexec,nosuid", t.target));
        } else {
            weak.push(format!("tmpfs {} lacks {}", t.target, missing.join(",")));
        }
    }
    for m in s.mounts.iter().filter(|m| m.kind == MountKind::Tmpfs) {
        if covers_tmp(&m.target) {
            tmp_seen = true;
            tmp_ok = false;
        }
        weak.push(format!(
            "tmpfs {} (a tmpfs volume) cannot set noexec,nosuid",
            m.target
        ));
    }
    if !tmp_seen {
        weak.push("no tmpfs at /tmp: most programs need a writable /tmp".to_string());
    }
    evidence.extend(weak.iter().cloned());
    let state = if !socket.is_empty() || s.use_api_socket {
        LayerState::Missing
    } else if tmp_ok && weak.is_empty() {
        LayerState::InPlace
    } else {
        LayerState::Partial
    };
    (state, evidence)
}

/// Layer 4, System calls: Docker's default or a custom seccomp profile → in
/// place; `seccomp=unconfined` or privileged (Docker then applies none) →
/// missing.
fn system_calls(s: &ContainerSpec) -> Verdict {
    if s.privileged {
        return (
            LayerState::Missing,
            vec!["privileged: Docker applies no seccomp profile".to_string()],
        );
    }
    match s.seccomp() {
        Some("unconfined") => (
            LayerState::Missing,
            vec!["seccomp=unconfined: every system call allowed".to_string()],
        ),
        Some(p) if p.trim_start().starts_with('{') => (
            LayerState::InPlace,
            vec!["custom seccomp profile (inline JSON)".to_string()],
        ),
        Some("builtin") | Some("default") => (
            LayerState::InPlace,
            vec!["Docker's default seccomp profile (builtin)".to_string()],
        ),
        Some(p) => (
            LayerState::InPlace,
            vec![format!("custom seccomp profile {p}")],
        ),
        None => (
            LayerState::InPlace,
            vec!["Docker's default seccomp profile (no seccomp option)".to_string()],
        ),
    }
}

/// Layer 5, Mandatory access: the default or a custom AppArmor profile or SELinux
/// label → in place; `apparmor=unconfined`, `label=disable` or privileged
/// → missing; a running container under no profile (a host without
/// AppArmor) → partial.
fn mandatory_access(s: &ContainerSpec) -> Verdict {
    if s.privileged {
        return (
            LayerState::Missing,
            vec!["privileged: no AppArmor or SELinux confinement".to_string()],
        );
    }
    let mut evidence = Vec::new();
    if s.has_security_opt("apparmor", Some("unconfined"))
        || s.apparmor_profile.as_deref() == Some("unconfined")
    {
        evidence.push("apparmor=unconfined".to_string());
    }
    if s.has_security_opt("label", Some("disable")) {
        evidence.push("label=disable: SELinux confinement off".to_string());
    }
    if !evidence.is_empty() {
        return (LayerState::Missing, evidence);
    }
    let custom: Vec<String> = s
        .security_opt
        .iter()
        .filter(|o| o.key == "apparmor" || o.key == "label")
        .map(|o| format!("{}={}", o.key, o.value))
        .collect();
    if !custom.is_empty() {
        return (
            LayerState::InPlace,
            vec![format!("profile set: {}", custom.join(", "))],
        );
    }
    match (&s.apparmor_profile, s.source) {
        (Some(p), _) => (
            LayerState::InPlace,
            vec![format!("AppArmor profile {p} in effect")],
        ),
        (None, bulkhead_types::SpecSource::Inspect) => (
            LayerState::Partial,
            vec![
                "no AppArmor profile in effect (the host runs without AppArmor) and no SELinux label option: confinement rests on SELinux being enforced by the host"
                    .to_string(),
            ],
        ),
        (None, _) => (
            LayerState::InPlace,
            vec![
                "Docker's default applies: docker-default on AppArmor hosts, container_t on SELinux hosts"
                    .to_string(),
            ],
        ),
    }
}

/// Layer 6, Capabilities: `cap_drop: ALL` plus low-risk adds → in place;
/// Docker's default set otherwise → partial; privileged, a high-risk
/// capability or NET_RAW added, or root keeping the default set (NET_RAW
/// included) → missing.
fn capabilities(input: &CheckInput) -> Verdict {
    let s = &input.spec;
    if s.privileged {
        return (
            LayerState::Missing,
            vec!["privileged: every capability, every device".to_string()],
        );
    }
    let high: Vec<String> = s
        .cap_add
        .iter()
        .filter(|c| HIGH_RISK.contains(&c.as_str()) || *c == "NET_RAW")
        .cloned()
        .collect();
    let dropped_all = s.cap_drop.iter().any(|c| c == "ALL");
    let adds = if s.cap_add.is_empty() {
        "adds nothing back".to_string()
    } else {
        format!("cap_add: {}", s.cap_add.join(", "))
    };
    if !high.is_empty() {
        let mut e = vec![format!("adds {}", high.join(", "))];
        if dropped_all {
            e.push("cap_drop: ALL".to_string());
        }
        return (LayerState::Missing, e);
    }
    if dropped_all {
        return (LayerState::InPlace, vec!["cap_drop: ALL".to_string(), adds]);
    }
    let kept: Vec<&str> = DOCKER_DEFAULT
        .iter()
        .copied()
        .filter(|c| !s.cap_drop.iter().any(|d| d == c))
        .collect();
    let root = crate::exposure::runs_as_root(s, input.passwd.as_deref());
    let dropped = if s.cap_drop.is_empty() {
        "nothing dropped".to_string()
    } else {
        format!("cap_drop: {}", s.cap_drop.join(", "))
    };
    if root && kept.contains(&"NET_RAW") {
        return (
            LayerState::Missing,
            vec![
                format!(
                    "runs as root with Docker's default capabilities ({} of {}, {dropped}): NET_RAW kept (raw sockets, spoofing on the container network)",
                    kept.len(),
                    DOCKER_DEFAULT.len()
                ),
                adds,
            ],
        );
    }
    (
        LayerState::Partial,
        vec![
            format!(
                "Docker's default capabilities kept ({} of {}, {dropped}): drop ALL and add back what the program needs",
                kept.len(),
                DOCKER_DEFAULT.len()
            ),
            adds,
        ],
    )
}

/// Secrets mounted as files: Compose `secrets:`, mounts under
/// /run/secrets, `*_FILE` variables pointing there.
fn mounted_secrets(s: &ContainerSpec) -> Vec<String> {
    let mut out: Vec<String> = s.secrets.clone();
    for m in &s.mounts {
        if let Some(n) = m.target.strip_prefix("/run/secrets/")
            && !out.iter().any(|x| x == n)
        {
            out.push(n.to_string());
        }
    }
    out
}

/// Layer 7, Secrets: none in the environment, the image (config, history,
/// files) or the Dockerfile → in place (and the evidence says whether
/// secrets come as files); the secret scanner did not run → partial; any
/// secret found → missing.
fn secrets(input: &CheckInput, drafts: &[Draft]) -> Verdict {
    let s = &input.spec;
    let mut evidence = Vec::new();
    let found: Vec<&Draft> = drafts
        .iter()
        .filter(|d| d.layer == bulkhead_types::check::StackLayer::Secrets)
        .collect();
    let mounted = mounted_secrets(s);
    if !found.is_empty() {
        let named: Vec<String> = found
            .iter()
            .map(|d| {
                let places: Vec<&str> = {
                    let mut p: Vec<&str> = d
                        .sources
                        .iter()
                        .map(|x| match x.kind {
                            FindingKind::Runtime => "runtime environment",
                            FindingKind::ImageConfig => "image config",
                            FindingKind::Dockerfile => "Dockerfile",
                            _ => "image",
                        })
                        .collect();
                    p.dedup();
                    p
                };
                match &d.secret_name {
                    Some(n) => format!("{n} ({})", places.join(", ")),
                    None => format!(
                        "{} ({})",
                        d.sources.first().map(|x| x.title.as_str()).unwrap_or(""),
                        d.sources.first().map(|x| x.location.as_str()).unwrap_or("")
                    ),
                }
            })
            .collect();
        evidence.push(format!("secrets exposed: {}", list(&named, 6)));
        if !mounted.is_empty() {
            evidence.push(format!("mounted as files: {}", mounted.join(", ")));
        }
        return (LayerState::Missing, evidence);
    }
    let passed: Vec<String> = s
        .env
        .iter()
        .filter(|e| e.from_host && !env_secrets::is_secret(e))
        .filter(|e| bulkhead_types::sensitive::is_secret_name(&e.name))
        .map(|e| e.name.clone())
        .collect();
    if input.scanners.secret {
        evidence.push(
            "no secret in the environment, the image config, its history or its files".to_string(),
        );
    } else {
        evidence.push(
            "no secret in the environment or the image config (the secret scanner did not run: files not searched)".to_string(),
        );
    }
    if mounted.is_empty() {
        evidence.push("no secret mounted as a file".to_string());
    } else {
        evidence.push(format!(
            "secrets mounted as files under /run/secrets: {}",
            mounted.join(", ")
        ));
    }
    if !passed.is_empty() {
        // No value in the settings: unset, unless the shell that starts
        // the container exports it (then `docker inspect` shows it, and a
        // check of the running container finds it).
        evidence.push(format!(
            "no value given for {} (taken from the starting shell's environment only if it exports it)",
            passed.join(", ")
        ));
    }
    if !input.scanners.secret {
        return (LayerState::Partial, evidence);
    }
    (LayerState::InPlace, evidence)
}

/// The trust layer's verdict and, when not in place, its finding.
pub(crate) struct TrustJudgement {
    pub state: LayerState,
    pub evidence: Vec<String>,
    /// Severity, title, message.
    pub finding: Option<(Severity, String, String)>,
    /// What was checked (for the finding's location).
    pub image: String,
}

/// Layer 8, Trust: a signature verified against the policy → in place;
/// signatures found but not verified (no policy, or the policy not met),
/// or a policy that exempts the image → partial; no signature, or not
/// checkable → missing.
pub(crate) fn trust_judgement(t: &Trust) -> TrustJudgement {
    match t {
        Trust::NotChecked(why) => TrustJudgement {
            state: LayerState::Missing,
            evidence: vec![format!("signatures not checked: {why}")],
            finding: Some((
                Severity::Low,
                "Image signature not checked".to_string(),
                why.clone(),
            )),
            image: String::new(),
        },
        Trust::Failed(why) => TrustJudgement {
            state: LayerState::Missing,
            evidence: vec![format!("signatures could not be checked: {why}")],
            finding: Some((
                Severity::High,
                "Image signature could not be checked".to_string(),
                why.clone(),
            )),
            image: String::new(),
        },
        Trust::Checked(o) => {
            let verified: Vec<&str> = o
                .signatures
                .iter()
                .filter_map(|s| match &s.status {
                    Status::Verified { key } => Some(key.as_str()),
                    _ => None,
                })
                .collect();
            let n = o.signatures.len();
            let rule = o
                .policy
                .as_ref()
                .map(|p| match (&p.rule, &p.pattern) {
                    (Some(r), Some(m)) => format!("policy rule {r:?} (match {m:?}) of {}", p.file),
                    (Some(r), None) => format!("policy rule {r:?} of {}", p.file),
                    _ => format!("the default of the policy {}", p.file),
                })
                .unwrap_or_else(|| "the given keys".to_string());
            let failure = o.failure.clone().unwrap_or_default();
            let image = o.reference.clone();
            let (state, evidence, finding) = match o.mode {
                VerifyMode::Policy | VerifyMode::Keys if o.verified && !verified.is_empty() => {
                    let keys: Vec<String> = o.keys.iter().map(|k| k.path.clone()).collect();
                    (
                        LayerState::InPlace,
                        vec![
                            format!(
                                "{} of {n} signature(s) verified against {rule}",
                                verified.len()
                            ),
                            format!(
                                "keys: {}; digest {}",
                                if keys.is_empty() {
                                    verified.join(", ")
                                } else {
                                    keys.join(", ")
                                },
                                o.digest
                            ),
                        ],
                        None,
                    )
                }
                VerifyMode::Policy | VerifyMode::Keys if o.verified => (
                    LayerState::Partial,
                    vec![format!(
                        "{rule} does not require a signature for this image ({n} signature(s) found)"
                    )],
                    Some((
                        Severity::Medium,
                        "Image signature not required by the policy".to_string(),
                        format!("{rule} exempts {image}"),
                    )),
                ),
                VerifyMode::Policy | VerifyMode::Keys if n == 0 => (
                    LayerState::Missing,
                    vec![format!("no signature found; {failure}")],
                    Some((
                        Severity::High,
                        "Image is not signed".to_string(),
                        failure.clone(),
                    )),
                ),
                VerifyMode::Policy | VerifyMode::Keys => (
                    LayerState::Partial,
                    vec![format!(
                        "{n} signature(s) found but the policy is not met: {failure}"
                    )],
                    Some((
                        Severity::High,
                        "Image signature does not meet the policy".to_string(),
                        failure.clone(),
                    )),
                ),
                VerifyMode::List if n == 0 => (
                    LayerState::Missing,
                    vec![
                        "no signature found (and no signing policy to verify against)".to_string(),
                    ],
                    Some((
                        Severity::High,
                        "Image is not signed".to_string(),
                        format!("{image} has no signature in either cosign format"),
                    )),
                ),
                VerifyMode::List => (
                    LayerState::Partial,
                    vec![format!(
                        "{n} signature(s) found, none verified: no signing policy ([policy] in bulkhead.toml, or --policy FILE)"
                    )],
                    Some((
                        Severity::Medium,
                        "Image signatures not verified".to_string(),
                        format!("{n} signature(s) found on {image}; add a [policy] to verify them"),
                    )),
                ),
            };
            TrustJudgement {
                state,
                evidence,
                finding,
                image,
            }
        }
    }
}

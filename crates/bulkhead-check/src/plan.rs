//! The fix plan. Each step is applied, in order, to a copy of the runtime
//! settings and to the findings' sources: a finding whose every source is
//! gone after a step is *removed* by it; one that keeps a source but
//! loses another, or whose risk drops with the exposure, is *defused*.
//!
//! Steps, when they apply: the hardened settings `harden` proposes;
//! secrets moved from environment values to Docker secrets (files under
//! /run/secrets, a `NAME_FILE` variable); BuildKit secret mounts instead of
//! Dockerfile `ARG`/`ENV` secrets (and a rebuild); package upgrades for
//! fixable vulnerabilities; signing and a signing policy.

use crate::exposure;
use crate::findings::{self, Draft, Origin};
use crate::{CheckInput, Hardened};
use bulkhead_types::check::{
    FindingKind, FixFile, FixStep, SnippetKind, StackLayer, WorkloadSource,
};
use bulkhead_types::{ContainerSpec, SecurityOpt, SpecEnv, SpecTmpfs};
use std::collections::BTreeSet;

/// The simulated state after some steps.
#[derive(Clone)]
struct State {
    spec: ContainerSpec,
    /// Sources gone: (finding ref, source label).
    removed: BTreeSet<(String, String)>,
}

impl State {
    fn runtime_topics(&self, input: &CheckInput) -> BTreeSet<(String, &'static str)> {
        findings::runtime(&self.spec, &input.rule_severity)
            .into_iter()
            .map(|f| (f.topic, f.control.name))
            .collect()
    }

    /// The sources of `d` still present.
    fn live<'a>(
        &self,
        d: &'a Draft,
        rt: &BTreeSet<(String, &'static str)>,
    ) -> Vec<&'a findings::Source> {
        d.sources
            .iter()
            .filter(|s| match s.origin {
                Origin::Runtime(c) => rt.contains(&(d.ref_id.clone(), c)),
                _ => !self.removed.contains(&(d.ref_id.clone(), s.label.clone())),
            })
            .collect()
    }
}

/// What a step changes.
struct Change {
    title: String,
    kind: SnippetKind,
    snippet: String,
    save_as: String,
    files: Vec<FixFile>,
    notes: Vec<String>,
    /// The layer to show when the step removes and defuses nothing.
    layer: StackLayer,
}

/// Build the plan.
pub(crate) fn plan(input: &CheckInput, drafts: &[Draft]) -> Vec<FixStep> {
    let mut state = State {
        spec: input.spec.clone(),
        removed: BTreeSet::new(),
    };
    let mut steps: Vec<FixStep> = Vec::new();
    let compose = input.workload.source == WorkloadSource::Compose;
    let mut override_files: Vec<String> = Vec::new();

    if let Some(h) = &input.harden {
        let before = state.clone();
        apply_hardened(&mut state.spec, &h.settings);
        let mut notes = h.warnings.clone();
        if mac_off(&input.spec) {
            notes.push(
                "AppArmor or SELinux confinement is switched off (apparmor=unconfined or label=disable): remove that option where the container is defined; an added option cannot take it back everywhere"
                    .to_string(),
            );
        }
        let (title, save_as) = if h.kind == SnippetKind::ComposeOverride {
            (
                "Apply the hardened settings of `bulkhead harden` (Compose override)",
                "compose.hardened.yml",
            )
        } else {
            ("Run with the hardened flags of `bulkhead harden`", "")
        };
        if !save_as.is_empty() {
            override_files.push(save_as.to_string());
        }
        push_step(
            &mut steps,
            input,
            drafts,
            &before,
            &state,
            Change {
                title: title.to_string(),
                kind: h.kind,
                snippet: h.text.clone(),
                save_as: save_as.to_string(),
                files: h.files.clone(),
                notes,
                layer: StackLayer::UserPrivileges,
            },
        );
    }

    let env_names = env_secret_names(input, drafts, &state);
    if !env_names.is_empty() {
        let before = state.clone();
        for n in &env_names {
            move_to_secret(&mut state.spec, n);
        }
        let (kind, snippet, save_as, mut notes) = if compose {
            (
                SnippetKind::ComposeOverride,
                compose_secrets(&input.spec.name, &env_names),
                "compose.secrets.yml".to_string(),
                Vec::new(),
            )
        } else {
            let (snippet, notes) = run_secrets(&env_names);
            (SnippetKind::RunFlags, snippet, String::new(), notes)
        };
        notes.push(format!(
            "the program must read the value from the file: {} (many official images read `*_FILE` variables; otherwise read /run/secrets/NAME at start)",
            env_names
                .iter()
                .map(|n| format!("{n}_FILE"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        if !save_as.is_empty() {
            override_files.push(save_as.clone());
        }
        push_step(
            &mut steps,
            input,
            drafts,
            &before,
            &state,
            Change {
                title: format!(
                    "Move {} out of the environment into Docker secrets",
                    env_names.join(", ")
                ),
                kind,
                snippet,
                save_as,
                files: Vec::new(),
                notes,
                layer: StackLayer::Secrets,
            },
        );
    }

    let image_side: Vec<&Draft> = drafts
        .iter()
        .filter(|d| d.layer == StackLayer::Secrets)
        .filter(|d| {
            d.sources.iter().any(|s| {
                matches!(
                    s.origin,
                    Origin::Dockerfile | Origin::ImageConfig | Origin::SecretScan
                )
            })
        })
        .collect();
    if !image_side.is_empty() {
        let before = state.clone();
        for d in &image_side {
            for s in &d.sources {
                if matches!(
                    s.origin,
                    Origin::Dockerfile | Origin::ImageConfig | Origin::SecretScan
                ) {
                    state.removed.insert((d.ref_id.clone(), s.label.clone()));
                }
            }
        }
        let (snippet, notes) = build_secrets(input, &image_side);
        push_step(
            &mut steps,
            input,
            drafts,
            &before,
            &state,
            Change {
                title: "Rebuild without secrets: BuildKit secret mounts instead of ARG/ENV and copied credential files".to_string(),
                kind: SnippetKind::Dockerfile,
                snippet,
                save_as: String::new(),
                files: Vec::new(),
                notes,
                layer: StackLayer::Secrets,
            },
        );
    }

    let fixable: Vec<&Draft> = drafts
        .iter()
        .filter(|d| d.kind() == FindingKind::Vulnerability)
        .filter(|d| {
            d.package
                .as_ref()
                .is_some_and(|p| !p.fixed_version.is_empty())
        })
        .collect();
    if !fixable.is_empty() {
        let before = state.clone();
        for d in &fixable {
            for s in &d.sources {
                state.removed.insert((d.ref_id.clone(), s.label.clone()));
            }
        }
        let (snippet, notes) = upgrades(&fixable);
        push_step(
            &mut steps,
            input,
            drafts,
            &before,
            &state,
            Change {
                title: "Upgrade the packages that have fixes, and rebuild".to_string(),
                kind: SnippetKind::Dockerfile,
                snippet,
                save_as: String::new(),
                files: Vec::new(),
                notes,
                layer: StackLayer::ImageContents,
            },
        );
    }

    if let Some(d) = drafts.iter().find(|d| d.kind() == FindingKind::Trust) {
        let before = state.clone();
        for s in &d.sources {
            state.removed.insert((d.ref_id.clone(), s.label.clone()));
        }
        let (snippet, notes) = signing(input);
        push_step(
            &mut steps,
            input,
            drafts,
            &before,
            &state,
            Change {
                title: "Sign the image and verify it against a signing policy".to_string(),
                kind: SnippetKind::Shell,
                snippet,
                save_as: String::new(),
                files: Vec::new(),
                notes,
                layer: StackLayer::Trust,
            },
        );
    }

    if compose
        && !override_files.is_empty()
        && let Some(last) = steps
            .iter_mut()
            .rev()
            .find(|s| s.kind == SnippetKind::ComposeOverride)
    {
        let base: Vec<String> = input
            .workload
            .files
            .iter()
            .filter(|f| f.ends_with(".yml") || f.ends_with(".yaml"))
            .map(|f| format!("-f {f}"))
            .collect();
        let base = if base.is_empty() {
            "-f compose.yaml".to_string()
        } else {
            base.join(" ")
        };
        let overrides: Vec<String> = override_files.iter().map(|f| format!("-f {f}")).collect();
        last.notes.push(format!(
            "apply: docker compose {base} {} up -d",
            overrides.join(" ")
        ));
    }
    steps
}

/// Record a step with what it removes and defuses.
fn push_step(
    steps: &mut Vec<FixStep>,
    input: &CheckInput,
    drafts: &[Draft],
    before: &State,
    after: &State,
    c: Change,
) {
    let rt_before = before.runtime_topics(input);
    let rt_after = after.runtime_topics(input);
    let ex_before = exposure::exposure(&before.spec, input.passwd.as_deref());
    let ex_after = exposure::exposure(&after.spec, input.passwd.as_deref());
    let mut removes = Vec::new();
    let mut defuses = Vec::new();
    let mut layers: BTreeSet<StackLayer> = BTreeSet::new();
    for d in drafts {
        let was = before.live(d, &rt_before);
        if was.is_empty() {
            continue;
        }
        let now = after.live(d, &rt_after);
        if now.is_empty() {
            removes.push(d.ref_id.clone());
            layers.insert(d.layer);
        } else if now.len() < was.len()
            || (matches!(d.kind(), FindingKind::Vulnerability | FindingKind::Secret)
                && exposure::risk(d.base_risk(), &ex_after)
                    < exposure::risk(d.base_risk(), &ex_before))
        {
            defuses.push(d.ref_id.clone());
            layers.insert(d.layer);
        }
    }
    let layers: Vec<StackLayer> = if layers.is_empty() {
        vec![c.layer]
    } else {
        layers.into_iter().collect()
    };
    steps.push(FixStep {
        step: steps.len() + 1,
        layer: layers.first().copied().unwrap_or(c.layer),
        layers,
        title: c.title,
        kind: c.kind,
        snippet: c.snippet,
        save_as: c.save_as,
        files: c.files,
        removes,
        defuses,
        notes: c.notes,
    });
}

fn mac_off(s: &ContainerSpec) -> bool {
    s.has_security_opt("apparmor", Some("unconfined"))
        || s.has_security_opt("label", Some("disable"))
}

/// The settings after `harden`'s proposal is added to them: scalars
/// replaced, lists joined (a Compose override and added `docker run`
/// flags cannot remove list entries), security options appended (Docker
/// applies the last `seccomp=`).
pub(crate) fn apply_hardened(s: &mut ContainerSpec, h: &Hardened) {
    if !h.user.is_empty() {
        s.user = Some(h.user.clone());
    }
    s.read_only |= h.read_only;
    for t in &h.tmpfs {
        if !s.tmpfs.iter().any(|x| x.target == t.target) {
            s.tmpfs.push(SpecTmpfs {
                target: t.target.clone(),
                options: t.options.clone(),
            });
        }
    }
    for c in &h.cap_drop {
        if !s.cap_drop.contains(c) {
            s.cap_drop.push(c.clone());
        }
    }
    for c in &h.cap_add {
        if !s.cap_add.contains(c) {
            s.cap_add.push(c.clone());
        }
    }
    if h.no_new_privileges {
        s.security_opt.push(SecurityOpt {
            key: "no-new-privileges".into(),
            value: "true".into(),
        });
    }
    if let Some(p) = &h.seccomp {
        s.security_opt.push(SecurityOpt {
            key: "seccomp".into(),
            value: p.clone(),
        });
    }
    if h.pids_limit > 0 {
        s.pids_limit = Some(h.pids_limit);
    }
    if h.memory > 0 {
        s.memory = Some(h.memory);
    }
    if h.unprivileged {
        s.privileged = false;
    }
}

/// Secret variables of the environment that a Docker secret replaces: set
/// at run time (the `env-secrets` control) or in the image config's `Env`.
fn env_secret_names(input: &CheckInput, drafts: &[Draft], state: &State) -> Vec<String> {
    let mut names: Vec<String> = findings::runtime(&state.spec, &input.rule_severity)
        .into_iter()
        .filter_map(|f| f.topic.strip_prefix("env-secret:").map(str::to_string))
        .collect();
    for d in drafts {
        let Some(n) = &d.secret_name else { continue };
        let in_image_env = d.sources.iter().any(|s| {
            s.id == "BH-IM-004"
                || (s.origin == Origin::SecretScan
                    && s.location == bulkhead_types::IMAGE_ENV_TARGET)
        });
        if in_image_env && !names.contains(n) {
            names.push(n.clone());
        }
    }
    names.sort();
    names.dedup();
    names
}

/// The Docker secret's name for a variable (`DB_PASSWORD` → `db_password`).
fn secret_name(var: &str) -> String {
    let s: String = var
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() {
        "secret".to_string()
    } else {
        s
    }
}

/// The settings once `var` comes from a Docker secret.
fn move_to_secret(s: &mut ContainerSpec, var: &str) {
    let name = secret_name(var);
    s.env.retain(|e| e.name != var);
    let file_var = format!("{var}_FILE");
    if !s.env.iter().any(|e| e.name == file_var) {
        s.env.push(SpecEnv {
            name: file_var,
            value: Some(format!("/run/secrets/{name}")),
            line: 0,
            from_host: false,
        });
    }
    if !s.secrets.contains(&name) {
        s.secrets.push(name);
    }
}

/// A YAML double-quoted scalar (a JSON string is one) when `s` needs it.
fn yaml_key(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if plain { s.to_string() } else { json_string(s) }
}

/// `s` as a JSON string literal, with every non-ASCII or control character
/// escaped (valid YAML and safe on a terminal).
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_ascii_graphic() || c == ' ' => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

/// The Compose override that moves `names` into Docker secrets.
fn compose_secrets(service: &str, names: &[String]) -> String {
    let mut o = String::new();
    o.push_str("# Docker secrets instead of environment values, proposed by `bulkhead check`.\n");
    o.push_str(
        "# Put each value in the file named under `secrets:` (readable by the container's\n",
    );
    o.push_str("# user, kept out of version control).\n");
    o.push_str("services:\n");
    let key = if service.is_empty() { "app" } else { service };
    o.push_str(&format!("  {}:\n", yaml_key(key)));
    o.push_str("    environment:\n");
    for n in names {
        let k = yaml_key(n);
        o.push_str(&format!(
            "      # no value: Compose leaves {k} unset (an override cannot delete a variable, and\n      # the image's own {k} is removed); delete it from the base file as well\n"
        ));
        o.push_str(&format!("      {k}:\n"));
        o.push_str(&format!(
            "      {}: {}\n",
            yaml_key(&format!("{n}_FILE")),
            json_string(&format!("/run/secrets/{}", secret_name(n)))
        ));
    }
    o.push_str("    secrets:\n");
    for n in names {
        o.push_str(&format!("      - {}\n", yaml_key(&secret_name(n))));
    }
    o.push_str("secrets:\n");
    for n in names {
        o.push_str(&format!("  {}:\n", yaml_key(&secret_name(n))));
        o.push_str(&format!(
            "    file: {}\n",
            json_string(&format!("./secrets/{}.txt", secret_name(n)))
        ));
    }
    o
}

/// Shell-quote a word when it needs it (single quotes).
fn sh(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./=:,@%+".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The `docker run` flags that move `names` into files.
fn run_secrets(names: &[String]) -> (String, Vec<String>) {
    let mut o = String::from(
        "# Secrets as read-only files instead of environment values, proposed by `bulkhead check`.\n",
    );
    o.push_str("# Remove `-e NAME=value` for these from the command; `-e NAME` with no value\n");
    o.push_str("# (and nothing exported in the shell) also removes the image's own NAME.\n");
    let mut words: Vec<String> = Vec::new();
    for n in names {
        let s = secret_name(n);
        words.push("-e".into());
        words.push(sh(n));
        words.push("-e".into());
        words.push(sh(&format!("{n}_FILE=/run/secrets/{s}")));
        words.push("-v".into());
        words.push(format!(
            "\"$PWD/secrets/{s}.txt\":{}",
            sh(&format!("/run/secrets/{s}:ro"))
        ));
    }
    o.push_str(&words.join(" "));
    o.push('\n');
    (
        o,
        vec![
            "with Swarm or Compose, prefer `secrets:` (Docker mounts them under /run/secrets)"
                .to_string(),
        ],
    )
}

/// The Dockerfile side of secrets: BuildKit secret mounts.
fn build_secrets(input: &CheckInput, image_side: &[&Draft]) -> (String, Vec<String>) {
    let mut o = String::from("# syntax=docker/dockerfile:1\n");
    let mut notes = Vec::new();
    let named: Vec<&String> = image_side
        .iter()
        .filter_map(|d| d.secret_name.as_ref())
        .collect();
    for n in &named {
        let s = secret_name(n);
        let at: Vec<String> = image_side
            .iter()
            .filter(|d| d.secret_name.as_ref() == Some(*n))
            .flat_map(|d| &d.sources)
            .filter(|x| x.origin == Origin::Dockerfile)
            .map(|x| x.location.clone())
            .collect();
        let where_ = if at.is_empty() {
            "the Dockerfile".to_string()
        } else {
            at.join(", ")
        };
        o.push_str(&format!(
            "# Remove `ARG {n}` / `ENV {n}=…` ({where_}); give the value to the one RUN\n# step that needs it as a BuildKit secret, never written to a layer:\n"
        ));
        o.push_str(&format!(
            "RUN --mount=type=secret,id={s} \\\n    {n}=\"$(cat /run/secrets/{s})\" your-build-command\n"
        ));
        o.push_str(&format!(
            "# build: docker build --secret id={s},src=./secrets/{s}.txt .\n"
        ));
    }
    let others: Vec<String> = image_side
        .iter()
        .filter(|d| d.secret_name.is_none())
        .filter_map(|d| {
            d.sources
                .first()
                .map(|s| format!("{} ({})", s.title, s.location))
        })
        .collect();
    if !others.is_empty() {
        o.push_str("# Also remove from the image, and mount at build time if a step needs them:\n");
        for x in &others {
            o.push_str(&format!("#   {}\n", x.replace('\n', " ")));
        }
        o.push_str("# RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\n");
    }
    let in_image = image_side.iter().any(|d| {
        d.sources
            .iter()
            .any(|s| matches!(s.origin, Origin::ImageConfig | Origin::SecretScan))
    });
    if in_image {
        notes.push(format!(
            "{} already holds these values (its config, history or layers): rotate them, and rebuild and push without them",
            if input.workload.image.is_empty() {
                "the image"
            } else {
                input.workload.image.as_str()
            }
        ));
    }
    (o, notes)
}

/// The ecosystem of a purl (`deb`, `apk`, `rpm`, `pypi`, …).
fn purl_type(purl: &str) -> &str {
    purl.strip_prefix("pkg:")
        .and_then(|r| r.split('/').next())
        .unwrap_or("")
}

/// Upgrade commands for the fixable vulnerabilities' packages.
fn upgrades(fixable: &[&Draft]) -> (String, Vec<String>) {
    // package → (ecosystem, fixed versions, ids)
    let mut pkgs: std::collections::BTreeMap<String, (String, BTreeSet<String>, Vec<String>)> =
        std::collections::BTreeMap::new();
    for d in fixable {
        let Some(p) = &d.package else { continue };
        let e = pkgs
            .entry(p.name.clone())
            .or_insert_with(|| (purl_type(&p.purl).to_string(), BTreeSet::new(), Vec::new()));
        e.1.insert(p.fixed_version.clone());
        if let Some(s) = d.sources.first()
            && !e.2.contains(&s.id)
        {
            e.2.push(s.id.clone());
        }
    }
    let mut o = String::new();
    for (name, (_, fixed, ids)) in &pkgs {
        o.push_str(&format!(
            "# {name}: fixed in {} ({})\n",
            fixed.iter().cloned().collect::<Vec<_>>().join(" / "),
            ids.join(", ")
        ));
    }
    let by = |eco: &str| -> Vec<String> {
        pkgs.iter()
            .filter(|(_, (e, _, _))| e == eco)
            .map(|(n, _)| sh(n))
            .collect()
    };
    let deb = by("deb");
    if !deb.is_empty() {
        o.push_str(&format!(
            "RUN apt-get update && apt-get install -y --no-install-recommends --only-upgrade {} \\\n    && rm -rf /var/lib/apt/lists/*\n",
            deb.join(" ")
        ));
    }
    let apk = by("apk");
    if !apk.is_empty() {
        o.push_str(&format!(
            "RUN apk add --no-cache --upgrade {}\n",
            apk.join(" ")
        ));
    }
    let rpm = by("rpm");
    if !rpm.is_empty() {
        o.push_str(&format!(
            "RUN dnf upgrade -y {} && dnf clean all\n",
            rpm.join(" ")
        ));
    }
    let other: Vec<String> = pkgs
        .iter()
        .filter(|(_, (e, _, _))| !matches!(e.as_str(), "deb" | "apk" | "rpm"))
        .map(|(n, (e, fixed, _))| {
            format!(
                "#   {n} ({}) → {} or later in its lockfile",
                if e.is_empty() { "package" } else { e },
                fixed.iter().cloned().collect::<Vec<_>>().join(" / ")
            )
        })
        .collect();
    if !other.is_empty() {
        o.push_str("# Language packages: upgrade in the project, then rebuild:\n");
        for l in other {
            o.push_str(&l);
            o.push('\n');
        }
    }
    (
        o,
        vec![
            "rebuilding FROM an updated base image fixes the base's packages too; `bulkhead image NAME --recommend` ranks candidate bases, and `check --base-candidates` adds the best one to this plan".to_string(),
        ],
    )
}

/// Sign the image and write a policy rule for it.
fn signing(input: &CheckInput) -> (String, Vec<String>) {
    let image = &input.workload.image;
    let reference = if image.is_empty()
        || image.ends_with(".tar")
        || image.starts_with('/')
        || image.starts_with('.')
    {
        "REGISTRY/REPOSITORY:TAG".to_string()
    } else {
        image.clone()
    };
    let repo = reference
        .split('@')
        .next()
        .map(|r| {
            let last = r.rfind('/').map(|i| i + 1).unwrap_or(0);
            match r.get(last..).and_then(|t| t.rfind(':')) {
                Some(c) => r.get(..last + c).unwrap_or(r).to_string(),
                None => r.to_string(),
            }
        })
        .unwrap_or_default();
    let mut o = String::new();
    o.push_str("bulkhead key generate            # once: cosign.key (encrypted) and cosign.pub\n");
    o.push_str(&format!(
        "bulkhead sign --key cosign.key {}\n",
        sh(&reference)
    ));
    o.push_str("# then, in bulkhead.toml (or a file passed with --policy):\n");
    o.push_str("# [policy]\n# [[policy.rules]]\n# name = \"app\"\n");
    o.push_str(&format!("# match = {}\n", json_string(&repo)));
    o.push_str("# keys = [\"cosign.pub\"]\n");
    o.push_str(&format!(
        "bulkhead verify {}      # or: bulkhead image --verify, bulkhead check --policy bulkhead.toml\n",
        sh(&reference)
    ));
    (
        o,
        vec!["signatures live in the registry: push the image there first (cosign formats, key pair only)".to_string()],
    )
}

//! Findings of every scanner, merged and tagged with their layer.
//!
//! Each finding has a *topic*: the thing it is about. Findings of
//! different scanners with the same topic are one finding with several
//! sources:
//!
//! | topic | sources |
//! |---|---|
//! | `user` (runs as root) | runtime `user`, `BH-IM-001`, `BH-DF-001` |
//! | `numeric-user` | `BH-IM-002`, `BH-DF-002` |
//! | `healthcheck` | runtime `healthcheck`, `BH-IM-003`, `BH-DF-008` |
//! | `secret:NAME` (one per variable) | runtime `env-secrets`, `BH-IM-004`, `BH-IM-005`, `BH-DF-004` (and `BH-DF-005`/`BH-DF-041` on its line), the secret scanner's finding in the config `Env` |
//! | a runtime control | that control (its values listed) |
//! | an image-config rule | every entry of that rule (setuid files, …) |
//! | a vulnerability | its id and package |
//! | anything else | its rule, target and line |

use crate::exposure::{self, round1};
use crate::scoreboard;
use crate::{CheckInput, Trust};
use bulkhead_policy::controls;
use bulkhead_types::check::{
    CheckFinding, Exposure, FindingKind, FindingPackage, FindingRating, StackLayer, WorkloadSource,
};
use bulkhead_types::{
    CauseMetadata, Class, ContainerSpec, IMAGE_CONFIG_TYPE, IMAGE_ENV_TARGET, Mappings,
    MisconfStatus, Misconfiguration, ScanResult, Severity, Vulnerability,
};
use std::collections::BTreeMap;

/// Where a source of a finding comes from, for the fix plan's simulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A package's vulnerability: gone when the package is upgraded.
    Vuln,
    /// A container control: re-evaluated on the changed settings.
    Runtime(&'static str),
    /// The image config or its files: gone when the image is rebuilt.
    ImageConfig,
    /// The Dockerfile: gone when it is changed.
    Dockerfile,
    /// The secret scanner (image files, config, history): gone on rebuild.
    SecretScan,
    /// The signature state: gone when the image is signed.
    Trust,
}

/// One source of a finding.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    /// `runtime:env-secrets`, `image-config:BH-IM-004`, …
    pub label: String,
    /// The rule, control or advisory id.
    pub id: String,
    pub origin: Origin,
    pub kind: FindingKind,
    pub severity: Severity,
    pub title: String,
    pub message: String,
    pub location: String,
}

/// A finding before its risk and reasons are computed.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub ref_id: String,
    pub layer: StackLayer,
    /// Set for topics that name their own kind (secrets); else the first
    /// source's kind by priority.
    pub kind: Option<FindingKind>,
    pub title: Option<String>,
    pub package: Option<FindingPackage>,
    pub rating: Option<FindingRating>,
    pub aliases: Vec<String>,
    pub sources: Vec<Source>,
    /// The variable a `secret:NAME` topic is about.
    pub secret_name: Option<String>,
}

/// Priority of a source as the finding's primary (its id, title, location).
fn priority(kind: FindingKind) -> u8 {
    match kind {
        FindingKind::Vulnerability => 0,
        FindingKind::Trust => 1,
        FindingKind::Runtime => 2,
        FindingKind::ImageConfig => 3,
        FindingKind::Dockerfile => 4,
        FindingKind::Secret => 5,
    }
}

impl Draft {
    fn primary(&self) -> Option<&Source> {
        self.sources.iter().min_by_key(|s| priority(s.kind))
    }

    pub fn severity(&self) -> Severity {
        self.sources
            .iter()
            .map(|s| s.severity)
            .max()
            .unwrap_or_default()
    }

    pub fn kind(&self) -> FindingKind {
        self.kind
            .or_else(|| self.primary().map(|s| s.kind))
            .unwrap_or(FindingKind::Runtime)
    }

    /// Risk before exposure.
    pub fn base_risk(&self) -> f64 {
        match &self.rating {
            Some(r) => r.risk,
            None => exposure::base_risk(self.kind(), self.severity()),
        }
    }

    /// The finished finding: risk with `exposure`, reasons.
    pub fn finish(
        &self,
        spec: &ContainerSpec,
        passwd: Option<&[bulkhead_types::PasswdEntry]>,
        exposure: &Exposure,
    ) -> CheckFinding {
        let primary = self.primary();
        let mut sources: Vec<String> = Vec::new();
        for s in &self.sources {
            if !sources.contains(&s.label) {
                sources.push(s.label.clone());
            }
        }
        let mut messages: Vec<&str> = Vec::new();
        for s in &self.sources {
            if !s.message.is_empty() && !messages.contains(&s.message.as_str()) {
                messages.push(&s.message);
            }
        }
        let id = primary.map(|p| p.id.clone()).unwrap_or_default();
        let mut aliases = self.aliases.clone();
        for s in &self.sources {
            if s.id != id && !aliases.contains(&s.id) {
                aliases.push(s.id.clone());
            }
        }
        CheckFinding {
            id,
            ref_id: self.ref_id.clone(),
            layer: self.layer,
            kind: self.kind(),
            severity: self.severity(),
            title: self
                .title
                .clone()
                .or_else(|| primary.map(|p| p.title.clone()))
                .unwrap_or_default(),
            message: messages.join("; "),
            package: self.package.clone(),
            location: primary.map(|p| p.location.clone()).unwrap_or_default(),
            rating: self.rating.clone(),
            aliases,
            risk: exposure::risk(self.base_risk(), exposure),
            reasons: self.reasons(spec, passwd, exposure),
            sources,
        }
    }

    /// The top reasons: what the rating says, then the exposure factors by
    /// weight, then the exposure in one number.
    fn reasons(
        &self,
        spec: &ContainerSpec,
        passwd: Option<&[bulkhead_types::PasswdEntry]>,
        exposure: &Exposure,
    ) -> Vec<String> {
        let mut out = Vec::new();
        match &self.rating {
            Some(r) => {
                if r.kev {
                    let ransomware = r.kev_detail.as_ref().is_some_and(|k| k.ransomware);
                    out.push(if ransomware {
                        "KEV (ransomware)".to_string()
                    } else {
                        "KEV".to_string()
                    });
                }
                if let Some(e) = &r.epss
                    && e.score > 0.0
                {
                    out.push(if e.score >= 0.01 {
                        format!("EPSS {:.2}", e.score)
                    } else {
                        format!("EPSS {:.4}", e.score)
                    });
                }
                match r.cvss_score {
                    Some(s) => out.push(format!("CVSS {s:.1}")),
                    None => out.push(self.severity().as_str().to_string()),
                }
            }
            None => out.push(self.severity().as_str().to_string()),
        }
        for f in exposure.factors.iter().take(3) {
            out.push(f.reason.clone());
        }
        let strengths = exposure::strengths(spec, passwd);
        let summary = if exposure.factors.is_empty() && !strengths.is_empty() {
            format!(
                "exposure {:.2}: {} (risk ×{})",
                exposure.score,
                strengths.join(", "),
                exposure.multiplier
            )
        } else if exposure.score < 0.2 && !strengths.is_empty() {
            format!(
                "low exposure {:.2}: {} (risk ×{})",
                exposure.score,
                strengths.join(", "),
                exposure.multiplier
            )
        } else {
            format!(
                "exposure {:.2} (risk ×{})",
                exposure.score, exposure.multiplier
            )
        };
        out.push(summary);
        out
    }
}

/// The layer of a container control.
pub fn layer_of_control(name: &str) -> StackLayer {
    match name {
        "user" | "no-new-privileges" => StackLayer::UserPrivileges,
        "read-only-rootfs" | "tmpfs-options" | "docker-socket" | "sensitive-mount"
        | "shared-propagation" | "devices" => StackLayer::Filesystem,
        "seccomp" => StackLayer::SystemCalls,
        "mac-confinement"
        | "host-network"
        | "host-pid"
        | "host-ipc"
        | "host-other-ns"
        | "port-all-interfaces" => StackLayer::MandatoryAccess,
        "cap-drop-all" | "cap-add-high-risk" | "privileged" | "memory-limit" | "cpu-limit"
        | "pids-limit" | "restart-policy" => StackLayer::Capabilities,
        "env-secrets" => StackLayer::Secrets,
        "image-pinning" => StackLayer::Trust,
        // healthcheck, and any control added later until it is placed.
        _ => StackLayer::ImageContents,
    }
}

/// The layer of a Dockerfile or image-config rule.
pub fn layer_of_rule(id: &str) -> StackLayer {
    match id {
        "BH-IM-001" | "BH-IM-002" | "BH-IM-006" | "BH-DF-001" | "BH-DF-002" | "BH-DF-003"
        | "BH-DF-014" => StackLayer::UserPrivileges,
        "BH-IM-007" | "BH-DF-020" | "BH-DF-026" | "BH-DF-040" => StackLayer::Filesystem,
        "BH-DF-021" => StackLayer::MandatoryAccess,
        "BH-IM-004" | "BH-IM-005" | "BH-DF-004" | "BH-DF-005" | "BH-DF-006" | "BH-DF-007"
        | "BH-DF-041" => StackLayer::Secrets,
        "BH-IM-008" | "BH-DF-009" | "BH-DF-010" | "BH-DF-011" | "BH-DF-013" => StackLayer::Trust,
        _ => StackLayer::ImageContents,
    }
}

/// The topic of a control (`user`, `healthcheck` are shared with the image
/// and Dockerfile rules).
fn control_topic(name: &str) -> String {
    name.to_string()
}

/// The topic of an image-config or Dockerfile rule, when it shares one.
fn rule_topic(id: &str) -> Option<&'static str> {
    match id {
        "BH-IM-001" | "BH-DF-001" => Some("user"),
        "BH-IM-002" | "BH-DF-002" => Some("numeric-user"),
        "BH-IM-003" | "BH-DF-008" => Some("healthcheck"),
        _ => None,
    }
}

fn secret_topic(name: &str) -> String {
    format!("env-secret:{name}")
}

/// Variable names in `K=<redacted>, L=<redacted>` lists.
fn redacted_names(text: &str) -> Vec<String> {
    text.split([',', ' ', ':'])
        .filter_map(|w| w.trim().strip_suffix("=<redacted>"))
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

/// The variable a `ENV NAME` / `ARG NAME` evidence names.
fn instruction_name(evidence: &str) -> Option<String> {
    let (kw, name) = evidence.split_once(' ')?;
    matches!(kw, "ENV" | "ARG")
        .then(|| name.trim().to_string())
        .filter(|n| !n.is_empty() && !n.contains(' '))
}

/// A runtime control finding, one per topic.
pub(crate) struct RtFinding {
    pub topic: String,
    pub control: &'static bulkhead_policy::Control,
    pub severity: Severity,
    pub message: String,
    pub line: usize,
    pub values: Vec<String>,
}

/// The severity of a control: its Compose rule's (the first one; for
/// `image-pinning` the one its value stands for), LOW without one.
fn control_severity(
    control: &bulkhead_policy::Control,
    values: &[String],
    rules: &BTreeMap<String, Severity>,
) -> Severity {
    let rule = if control.name == "image-pinning"
        && values
            .iter()
            .all(|v| v == controls::image_pinning::TAG_ONLY)
    {
        control.lint.get(1).or(control.lint.first())
    } else {
        control.lint.first()
    };
    rule.and_then(|r| rules.get(*r).copied())
        .unwrap_or(Severity::Low)
}

/// The control findings of `spec`, one per topic (`env-secrets` gives one
/// per variable).
pub(crate) fn runtime(spec: &ContainerSpec, rules: &BTreeMap<String, Severity>) -> Vec<RtFinding> {
    let mut out = Vec::new();
    for f in controls::check_all(spec) {
        let values: Vec<String> = f.hits.iter().map(|h| h.value.clone()).collect();
        let severity = control_severity(f.control, &values, rules);
        if f.control.name == controls::env_secrets::CONTROL.name {
            for h in &f.hits {
                out.push(RtFinding {
                    topic: secret_topic(&h.value),
                    control: f.control,
                    severity,
                    message: format!("{} is set in the container's environment", h.value),
                    line: h.line,
                    values: vec![h.value.clone()],
                });
            }
            continue;
        }
        let line = f.hits.first().map(|h| h.line).unwrap_or(0);
        let message = match f.control.name {
            "user" => match spec.effective_user() {
                "" => "no user is set, so the process runs as root".to_string(),
                u => format!("the process runs as {u} (root)"),
            },
            _ => format!("{}: {}", f.control.title, f.values()),
        };
        out.push(RtFinding {
            topic: control_topic(f.control.name),
            control: f.control,
            severity,
            message,
            line,
            values,
        });
    }
    out
}

/// `compose.yaml:12 (service api)` when lines are known, else the origin.
fn runtime_location(input: &CheckInput, line: usize) -> String {
    if input.spec_lines && line > 0 {
        match input.spec_origin.split_once(' ') {
            Some((file, rest)) => format!("{file}:{line} {rest}"),
            None => format!("{}:{line}", input.spec_origin),
        }
    } else {
        input.spec_origin.clone()
    }
}

/// Collects drafts by topic.
#[derive(Default)]
struct Drafts {
    by_ref: BTreeMap<String, Draft>,
}

impl Drafts {
    fn add(&mut self, topic: &str, layer: StackLayer, source: Source) -> &mut Draft {
        let d = self
            .by_ref
            .entry(topic.to_string())
            .or_insert_with(|| Draft {
                ref_id: topic.to_string(),
                layer,
                kind: None,
                title: None,
                package: None,
                rating: None,
                aliases: Vec::new(),
                sources: Vec::new(),
                secret_name: None,
            });
        d.sources.push(source);
        d
    }

    fn add_secret(&mut self, name: &str, source: Source) {
        let d = self.add(&secret_topic(name), StackLayer::Secrets, source);
        d.kind = Some(FindingKind::Secret);
        d.secret_name = Some(name.to_string());
        d.title = Some(format!("Secret {name} in the environment or the image"));
    }
}

/// Every finding of the inputs, merged by topic.
pub(crate) fn collect(input: &CheckInput) -> Vec<Draft> {
    let mut drafts = Drafts::default();
    vulnerabilities(input, &mut drafts);
    for f in runtime(&input.spec, &input.rule_severity) {
        let source = Source {
            label: format!("runtime:{}", f.control.name),
            id: f.control.name.to_string(),
            origin: Origin::Runtime(f.control.name),
            kind: FindingKind::Runtime,
            severity: f.severity,
            title: f.control.title.to_string(),
            message: f.message.clone(),
            location: runtime_location(input, f.line),
        };
        match f.topic.strip_prefix("env-secret:") {
            Some(name) => drafts.add_secret(name, source),
            None => {
                drafts.add(&f.topic, layer_of_control(f.control.name), source);
            }
        }
    }
    image_config(input, &mut drafts);
    if let Some(df) = &input.dockerfile {
        dockerfile(df, &mut drafts);
    }
    secrets(input, &mut drafts);
    if let Some(source) = trust_source(&input.trust) {
        let d = drafts.add("signature", StackLayer::Trust, source);
        d.kind = Some(FindingKind::Trust);
    }
    drafts.by_ref.into_values().collect()
}

fn vulnerabilities(input: &CheckInput, drafts: &mut Drafts) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for r in &input.report.results {
        for v in &r.vulnerabilities {
            let mut key = format!("{}@{}", v.vulnerability_id, v.pkg_name);
            let n = seen.entry(key.clone()).or_default();
            *n += 1;
            if *n > 1 {
                // The same advisory and package name again (another
                // version, another package database): its own finding.
                if drafts.by_ref.get(&key).is_some_and(|d| {
                    d.package
                        .as_ref()
                        .is_some_and(|p| p.version == v.installed_version)
                }) {
                    continue;
                }
                key = format!("{key}#{n}");
            }
            let d = drafts.add(&key, StackLayer::ImageContents, vuln_source(v));
            d.kind = Some(FindingKind::Vulnerability);
            d.package = Some(FindingPackage {
                name: v.pkg_name.clone(),
                version: v.installed_version.clone(),
                fixed_version: v.fixed_version.clone(),
                purl: v.pkg_identifier.purl.clone(),
                layer: v.layer.clone(),
            });
            d.rating = Some(FindingRating {
                severity_source: v.severity_source.clone(),
                cvss_score: v.cvss_score(),
                epss: v.epss.clone(),
                kev: v.kev,
                kev_detail: v.kev_detail.clone(),
                risk: round1(v.risk_score()),
            });
            d.aliases = v
                .aliases
                .iter()
                .chain(&v.vendor_ids)
                .filter(|a| **a != v.vulnerability_id)
                .cloned()
                .collect();
        }
    }
}

fn vuln_source(v: &Vulnerability) -> Source {
    Source {
        label: "vuln".to_string(),
        id: v.vulnerability_id.clone(),
        origin: Origin::Vuln,
        kind: FindingKind::Vulnerability,
        severity: v.severity,
        title: if v.title.is_empty() {
            format!("{} in {}", v.vulnerability_id, v.pkg_name)
        } else {
            v.title.clone()
        },
        message: if v.fixed_version.is_empty() {
            format!("{} {}: no fix yet", v.pkg_name, v.installed_version)
        } else {
            format!(
                "{} {}: fixed in {}",
                v.pkg_name, v.installed_version, v.fixed_version
            )
        },
        location: v
            .layer
            .as_ref()
            .map(|l| format!("layer {}", l.index))
            .unwrap_or_default(),
    }
}

fn misconf_source(
    label: &str,
    kind: FindingKind,
    origin: Origin,
    m: &Misconfiguration,
    location: String,
) -> Source {
    Source {
        label: format!("{label}:{}", m.id),
        id: m.id.clone(),
        origin,
        kind,
        severity: m.severity,
        title: m.title.clone(),
        message: m.message.clone(),
        location,
    }
}

fn image_config(input: &CheckInput, drafts: &mut Drafts) {
    for r in &input.report.results {
        if r.kind != IMAGE_CONFIG_TYPE {
            continue;
        }
        for m in r
            .misconfigurations
            .iter()
            .filter(|m| m.status != MisconfStatus::Pass)
        {
            let source = || {
                misconf_source(
                    "image-config",
                    FindingKind::ImageConfig,
                    Origin::ImageConfig,
                    m,
                    "image config".to_string(),
                )
            };
            let names = match m.id.as_str() {
                "BH-IM-004" => redacted_names(&m.cause_metadata.evidence),
                "BH-IM-005" => redacted_names(&m.message),
                _ => Vec::new(),
            };
            if !names.is_empty() {
                for n in &names {
                    drafts.add_secret(n, source());
                }
                continue;
            }
            let topic = rule_topic(&m.id).unwrap_or(m.id.as_str()).to_string();
            drafts.add(&topic, layer_of_rule(&m.id), source());
        }
    }
}

fn dockerfile(df: &crate::DockerfileInput, drafts: &mut Drafts) {
    // Lines where BH-DF-004 names a secret: a credential value or a
    // credential use on the same instruction is the same secret.
    let mut names_by_line: BTreeMap<usize, String> = BTreeMap::new();
    for m in df.findings.iter().filter(|m| m.id == "BH-DF-004") {
        if let (Some(line), Some(name)) = (
            m.cause_metadata.start_line,
            instruction_name(&m.cause_metadata.evidence),
        ) {
            names_by_line.entry(line).or_insert(name);
        }
    }
    for m in &df.findings {
        let line = m.cause_metadata.start_line.unwrap_or(0);
        let location = if line > 0 {
            format!("{}:{line}", df.path)
        } else {
            df.path.clone()
        };
        let source = misconf_source(
            "dockerfile",
            FindingKind::Dockerfile,
            Origin::Dockerfile,
            m,
            location,
        );
        let name = match m.id.as_str() {
            "BH-DF-004" => instruction_name(&m.cause_metadata.evidence),
            "BH-DF-005" | "BH-DF-041" => names_by_line.get(&line).cloned(),
            _ => None,
        };
        if let Some(n) = name {
            drafts.add_secret(&n, source);
            continue;
        }
        let topic = match rule_topic(&m.id) {
            Some(t) => t.to_string(),
            None => format!("{}:{line}", m.id),
        };
        drafts.add(&topic, layer_of_rule(&m.id), source);
    }
}

fn secrets(input: &CheckInput, drafts: &mut Drafts) {
    for r in input
        .report
        .results
        .iter()
        .filter(|r| r.class == Class::Secret)
    {
        for s in &r.secrets {
            let mut message = s.match_text.clone();
            if let Some(l) = &s.removed_in {
                message.push_str(&format!(
                    " (the file was deleted in layer {}, but it still ships in layer {})",
                    l.index,
                    s.layer.as_ref().map(|x| x.index).unwrap_or(0)
                ));
            }
            let location = if s.start_line > 0 {
                format!("{}:{}", r.target, s.start_line)
            } else {
                r.target.clone()
            };
            let source = Source {
                label: format!("secret:{}", s.rule_id),
                id: s.rule_id.clone(),
                origin: Origin::SecretScan,
                kind: FindingKind::Secret,
                severity: s.severity,
                title: s.title.clone(),
                message,
                location,
            };
            let env_name = (r.target == IMAGE_ENV_TARGET)
                .then(|| {
                    s.match_text
                        .split_once('=')
                        .map(|(n, _)| n.trim().to_string())
                })
                .flatten()
                .filter(|n| !n.is_empty() && !n.contains(' '));
            match env_name {
                Some(n) => drafts.add_secret(&n, source),
                None => {
                    let topic = format!("{}:{}:{}", s.rule_id, r.target, s.start_line);
                    let d = drafts.add(&topic, StackLayer::Secrets, source);
                    d.kind = Some(FindingKind::Secret);
                }
            }
        }
    }
}

/// The signature finding, when the trust layer is not in place.
fn trust_source(t: &Trust) -> Option<Source> {
    let j = scoreboard::trust_judgement(t);
    let (severity, title, message) = j.finding?;
    Some(Source {
        label: "trust:signature".to_string(),
        id: "signature".to_string(),
        origin: Origin::Trust,
        kind: FindingKind::Trust,
        severity,
        title,
        message,
        location: j.image,
    })
}

/// Highest risk first; then severity, kind, id, ref.
pub(crate) fn sort(findings: &mut [CheckFinding]) {
    findings.sort_by(|a, b| {
        b.risk
            .total_cmp(&a.risk)
            .then(b.severity.cmp(&a.severity))
            .then(priority(a.kind).cmp(&priority(b.kind)))
            .then(a.id.cmp(&b.id))
            .then(a.ref_id.cmp(&b.ref_id))
    });
}

/// The results `check` adds to the scan report: the Dockerfile's findings
/// and the runtime settings' control findings.
pub(crate) fn extra_results(input: &CheckInput) -> Vec<ScanResult> {
    let mut out = Vec::new();
    if let Some(df) = &input.dockerfile {
        let mut r = ScanResult::new(df.path.clone(), Class::Config, "dockerfile");
        r.misconfigurations = df.findings.clone();
        out.push(r);
    }
    let kind = match input.workload.source {
        WorkloadSource::Compose => "compose",
        WorkloadSource::Container => "container",
        WorkloadSource::Run => "run-flags",
        WorkloadSource::Image => "image-defaults",
    };
    let mut r = ScanResult::new(input.spec_origin.clone(), Class::Config, kind);
    for f in runtime(&input.spec, &input.rule_severity) {
        r.misconfigurations.push(Misconfiguration {
            id: f.control.name.to_string(),
            mappings: Mappings {
                cis: f.control.cis.join(","),
                ..Mappings::default()
            },
            title: f.control.title.to_string(),
            description: String::new(),
            message: f.message,
            resolution: String::new(),
            severity: f.severity,
            status: MisconfStatus::Fail,
            cause_metadata: CauseMetadata {
                start_line: (input.spec_lines && f.line > 0).then_some(f.line),
                end_line: (input.spec_lines && f.line > 0).then_some(f.line),
                evidence: f.values.join(", "),
            },
        });
    }
    if !r.misconfigurations.is_empty() {
        out.push(r);
    }
    out
}

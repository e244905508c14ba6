//! Where secrets are looked for, and how findings become report results.

use crate::Scanner;
use bulkhead_image::Image;
use bulkhead_layerfs::Squashed;
use bulkhead_scan::LayerAnalysis;
use bulkhead_types::{Class, LayerRef, Report, ScanResult, Secret};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Target of the findings in the image config's `Env`.
pub const TARGET_ENV: &str = bulkhead_types::IMAGE_ENV_TARGET;
/// Target of the findings in the image history (`created_by`).
pub const TARGET_HISTORY: &str = bulkhead_types::IMAGE_HISTORY_TARGET;

/// The report's reference to layer `i`, with secrets in its `created_by`
/// redacted.
fn layer_ref(image: &Image, i: usize, scanner: &Scanner) -> Option<LayerRef> {
    image.layers.get(i).map(|l| {
        let mut r = l.layer_ref();
        r.created_by = redact_str(&r.created_by, scanner);
        r
    })
}

fn result(target: String, mut secrets: Vec<Secret>) -> ScanResult {
    secrets.sort_by(|a, b| {
        let la = a.layer.as_ref().map(|l| l.index);
        let lb = b.layer.as_ref().map(|l| l.index);
        (la, a.start_line, &a.rule_id).cmp(&(lb, b.start_line, &b.rule_id))
    });
    // No `Type`, as in Trivy's secret results (see `ScanResult::kind`).
    let mut r = ScanResult::new(target, Class::Secret, "");
    r.secrets = secrets;
    r
}

/// Secret results of an image: files of every layer (with `Layer`, and
/// `RemovedIn` when a later layer deleted or replaced that version of the
/// file: it still ships in the image), then the config `Env`, then the
/// history. `layers` come from [`bulkhead_scan::analyze_image_layers`] with
/// this scanner; `fs` is the squashed view of the same layers.
pub fn image_results(
    image: &Image,
    layers: &[LayerAnalysis],
    fs: &Squashed,
    scanner: &Scanner,
) -> Vec<ScanResult> {
    let removed: HashMap<(&str, usize), usize> = fs
        .removed
        .iter()
        .map(|r| ((r.path.as_str(), r.added_in), r.removed_in))
        .collect();
    let mut by_path: BTreeMap<&str, Vec<Secret>> = BTreeMap::new();
    for (i, layer) in layers.iter().enumerate() {
        for (path, found) in &layer.secrets {
            let removed_in = removed
                .get(&(path.as_str(), i))
                .and_then(|&m| layer_ref(image, m, scanner));
            for s in found {
                let mut s = s.clone();
                s.layer = layer_ref(image, i, scanner);
                s.removed_in = removed_in.clone();
                by_path.entry(path.as_str()).or_default().push(s);
            }
        }
    }
    let mut out: Vec<ScanResult> = by_path
        .into_iter()
        .map(|(p, s)| result(p.to_string(), s))
        .collect();
    let env = env_secrets(&image.config, scanner);
    if !env.is_empty() {
        out.push(result(TARGET_ENV.to_string(), env));
    }
    let history = history_secrets(image, scanner);
    if !history.is_empty() {
        out.push(result(TARGET_HISTORY.to_string(), history));
    }
    out
}

/// Secrets in the config's `Env`: `StartLine` is the entry's 1-based position.
pub fn env_secrets(config: &serde_json::Value, scanner: &Scanner) -> Vec<Secret> {
    let env = config
        .get("config")
        .or_else(|| config.get("Config"))
        .and_then(|c| c.get("Env"))
        .and_then(|e| e.as_array());
    let mut out = Vec::new();
    for (i, item) in env.into_iter().flatten().enumerate() {
        let Some(text) = item.as_str() else { continue };
        for mut s in scanner.scan_text(text) {
            s.start_line = i + 1;
            s.end_line = i + 1;
            out.push(s);
        }
    }
    out
}

/// Secrets in the history's `created_by`: `StartLine` is the entry's
/// 1-based position in the history (empty-layer entries included); `Layer`
/// is the layer the entry made, when it made one.
pub fn history_secrets(image: &Image, scanner: &Scanner) -> Vec<Secret> {
    let history = image.config.get("history").and_then(|h| h.as_array());
    let mut out = Vec::new();
    let mut layer = 0usize;
    for (i, h) in history.into_iter().flatten().enumerate() {
        let empty = h
            .get("empty_layer")
            .and_then(|e| e.as_bool())
            .unwrap_or(false);
        let this_layer = (!empty).then_some(layer);
        if !empty {
            layer += 1;
        }
        let Some(text) = h.get("created_by").and_then(|c| c.as_str()) else {
            continue;
        };
        for mut s in scanner.scan_text(text) {
            s.start_line = i + 1;
            s.end_line = i + 1;
            s.layer = this_layer.and_then(|l| layer_ref(image, l, scanner));
            out.push(s);
        }
    }
    out
}

/// Secret results of a directory scanned as one layer (`bulkhead fs`).
pub fn dir_results(layer: &LayerAnalysis) -> Vec<ScanResult> {
    layer
        .secrets
        .iter()
        .map(|(p, s)| result(p.clone(), s.clone()))
        .collect()
}

/// The one redaction of text a report repeats from an image, a registry or
/// a daemon: every secret the rules find, and the value of every assignment
/// or flag with a secret-looking name (`DB_PASSWORD=…`, `--token …`).
pub fn redact_str(text: &str, scanner: &Scanner) -> String {
    scanner.redact_text(&crate::redact::redact_assignments(text))
}

/// Remove secrets from the parts of a report that repeat image data: the
/// image config (`Env`, `Cmd`, `Entrypoint`, history, labels, …) and every
/// layer's `created_by`.
pub fn redact_report(report: &mut Report, scanner: &Scanner) {
    if let Some(cfg) = report.metadata.image_config.as_mut() {
        redact_json(cfg, scanner);
    }
    let fix = |l: &mut LayerRef| l.created_by = redact_str(&l.created_by, scanner);
    report.metadata.layers.iter_mut().for_each(fix);
    for r in &mut report.results {
        for p in &mut r.packages {
            if let Some(l) = p.layer.as_mut() {
                fix(l);
            }
        }
        for v in &mut r.vulnerabilities {
            if let Some(l) = v.layer.as_mut() {
                fix(l);
            }
        }
        for s in &mut r.secrets {
            s.layer
                .iter_mut()
                .chain(s.removed_in.iter_mut())
                .for_each(fix);
        }
    }
}

fn redact_json(v: &mut serde_json::Value, scanner: &Scanner) {
    use bulkhead_types::sensitive::{is_placeholder, is_secret_name};
    match v {
        serde_json::Value::String(s) => *s = redact_str(s, scanner),
        // `Cmd`/`Entrypoint` arrays: `["app", "--password", "x"]` spans two
        // items, so an array of strings is judged as one command line.
        serde_json::Value::Array(a) => {
            let mut value_next = false;
            for x in a.iter_mut() {
                if let serde_json::Value::String(s) = x {
                    if value_next && !is_placeholder(s) {
                        *s = crate::redact::redact_secret(s);
                        value_next = false;
                        continue;
                    }
                    let name = s.trim_start_matches('-');
                    value_next = s.starts_with('-') && !s.contains('=') && is_secret_name(name);
                } else {
                    value_next = false;
                }
                redact_json(x, scanner);
            }
        }
        // Labels and annotations: a secret-looking key hides its value.
        serde_json::Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                match x {
                    serde_json::Value::String(s)
                        if is_secret_name(k.rsplit(['.', '/']).next().unwrap_or(k))
                            && !is_placeholder(s) =>
                    {
                        *s = crate::redact::redact_secret(s);
                    }
                    _ => redact_json(x, scanner),
                }
            }
        }
        _ => {}
    }
}

/// Whether a file name is a dotenv file: `.env`, `.env.*`, `*.env`.
pub fn is_env_file(path: &Path) -> bool {
    path.file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|n| n == ".env" || n.starts_with(".env.") || n.ends_with(".env"))
}

/// Dotenv files under `roots` (folders are searched like `bulkhead config`
/// does: up to 16 levels, skipping `.git`, `node_modules` and `target`;
/// files are taken as given when they are dotenv files).
pub fn find_env_files(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for root in roots {
        if root.is_file() {
            if is_env_file(root) {
                out.push(root.clone());
            }
            continue;
        }
        let walker = walkdir::WalkDir::new(root)
            .max_depth(16)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0
                    || !(e.file_type().is_dir()
                        && matches!(
                            e.file_name().to_str(),
                            Some(".git" | "node_modules" | "target")
                        ))
            });
        for e in walker.flatten() {
            if e.file_type().is_file() && is_env_file(e.path()) {
                out.push(e.into_path());
            }
        }
    }
    out
}

/// Scan files read from disk (Dockerfiles, Compose, dotenv files): one
/// result per file with findings. Unreadable files become warnings.
pub fn file_results(files: &[PathBuf], scanner: &Scanner) -> (Vec<ScanResult>, Vec<String>) {
    let mut results = Vec::new();
    let mut warnings = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for f in files {
        if !seen.insert(f.clone()) {
            continue;
        }
        let name = f.display().to_string();
        let meta = match std::fs::metadata(f) {
            Ok(m) => m,
            Err(e) => {
                warnings.push(format!("cannot read {name} for secrets: {e}"));
                continue;
            }
        };
        if !Scanner::wants(scanner, &name, meta.len()) {
            continue;
        }
        match std::fs::read(f) {
            Ok(bytes) => {
                let found = scanner.scan(&name, &bytes);
                if !found.is_empty() {
                    results.push(result(name, found));
                }
            }
            Err(e) => warnings.push(format!("cannot read {name} for secrets: {e}")),
        }
    }
    (results, warnings)
}

/// The Dockerfile rule that reports a credential value written in an
/// instruction (`bulkhead-lint`'s BH-DF-005).
pub const DOCKERFILE_CREDENTIAL_RULE: &str = "BH-DF-005";

/// The Compose rule that reports a secret passed as an environment value
/// (`bulkhead-lint`'s BH-CO-020).
pub const COMPOSE_CREDENTIAL_RULE: &str = "BH-CO-020";

/// The image-config rule that reports a secret in the config `Env`
/// (`bulkhead-lint`'s BH-IM-004).
pub const IMAGE_ENV_CREDENTIAL_RULE: &str = "BH-IM-004";

/// How a misconfiguration's redacted evidence names the credential it
/// reports, to find the secret finding for the same credential.
enum Token {
    /// The value's first characters (BH-DF-005: `ENV ghp_…`): the secret's
    /// `Match` shows them before [`crate::MASK`].
    Shown(String),
    /// The variable's name (BH-CO-020: `NAME=***`): the secret's `Match`
    /// (its line, from the line's start) shows it.
    Name(String),
    /// An `Env` entry's name (BH-IM-004: `NAME=<redacted>`): the secret's
    /// `Match` starts with `NAME=` (the entry is its whole text).
    EnvEntry(String),
}

/// A credential a misconfiguration reports: the secret result it would be
/// duplicated in (`target`), the lines it may be on, and how it is named.
struct Claim {
    target: String,
    lines: std::ops::RangeInclusive<usize>,
    token: Token,
}

impl Claim {
    fn same(&self, s: &Secret) -> bool {
        if !self.lines.contains(&s.start_line) {
            return false;
        }
        match &self.token {
            Token::Shown(shown) => {
                s.match_text.contains(&format!("{shown}{}", crate::MASK))
                    || (shown.starts_with("----") && s.rule_id == "private-key")
            }
            Token::Name(name) => s.match_text.contains(name.as_str()),
            Token::EnvEntry(name) => s.match_text.starts_with(&format!("{name}=")),
        }
    }
}

/// Drop the secret findings that a misconfiguration already reports, one per
/// claim: the misconfiguration is the one kept (it says how to fix the
/// problem, maps to Trivy's and CIS's checks and can be suppressed), the
/// secret finding would count the same credential twice. A claim drops at
/// most one secret finding, so other credentials on the same lines stay.
fn drop_claimed(report: &mut Report, claims: &[Claim]) {
    if claims.is_empty() {
        return;
    }
    for r in report
        .results
        .iter_mut()
        .filter(|r| r.class == Class::Secret)
    {
        for claim in claims.iter().filter(|c| c.target == r.target) {
            if let Some(i) = r.secrets.iter().position(|s| claim.same(s)) {
                r.secrets.remove(i);
            }
        }
    }
    report
        .results
        .retain(|r| r.class != Class::Secret || !r.secrets.is_empty());
}

/// Where the secret finding a misconfiguration duplicates would be.
enum Place {
    /// In the secret result of the finding's own target, on its lines.
    FindingLines,
    /// In the image config `Env` result ([`TARGET_ENV`]), on any line: the
    /// image-config findings have no lines.
    ImageEnv,
}

/// The claims of rule `id`'s findings in the config results of `report`:
/// `token` reads the credential's name or shown characters from a finding's
/// evidence (None: the finding names no credential the secret scan shows).
fn claims(
    report: &Report,
    id: &str,
    place: Place,
    token: impl Fn(&str) -> Option<Token>,
) -> Vec<Claim> {
    report
        .results
        .iter()
        .filter(|r| r.class == Class::Config)
        .flat_map(|r| {
            r.misconfigurations
                .iter()
                .filter(|m| m.id == id)
                .filter_map(|m| {
                    let c = &m.cause_metadata;
                    let token = token(&c.evidence)?;
                    let (target, lines) = match place {
                        Place::FindingLines => {
                            let start = c.start_line?;
                            (r.target.clone(), start..=c.end_line.unwrap_or(start))
                        }
                        Place::ImageEnv => (TARGET_ENV.to_string(), 0..=usize::MAX),
                    };
                    Some(Claim {
                        target,
                        lines,
                        token,
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The variable name in a `NAME=…` evidence (never empty).
fn evidence_name(evidence: &str) -> Option<String> {
    let name = evidence.split_once('=')?.0;
    (!name.is_empty()).then(|| name.to_string())
}

/// Drop the secret findings of `bulkhead config` that BH-DF-005 already
/// reports: same Dockerfile, a line of the flagged instruction, same token.
///
/// Reports hold only redacted text, so "same token" is judged on what both
/// show: BH-DF-005's evidence gives the value's first four characters
/// (`ENV ghp_…`), and a secret of 16 or more characters (every value shape
/// BH-DF-005 knows) is shown with the same four characters before
/// [`crate::MASK`]; a private key block matches the `private-key` rule.
/// BH-DF-005 flags one value per instruction, so each of its findings drops
/// at most one secret finding: other tokens in the instruction stay.
pub fn drop_dockerfile_duplicates(report: &mut Report) {
    let found = claims(
        report,
        DOCKERFILE_CREDENTIAL_RULE,
        Place::FindingLines,
        |evidence| {
            let shown = evidence.split_once(' ')?.1.trim_end_matches('…');
            (!shown.is_empty()).then(|| Token::Shown(shown.to_string()))
        },
    );
    drop_claimed(report, &found);
}

/// Drop the secret findings of `bulkhead config` that BH-CO-020 already
/// reports: same Compose file, the line of the flagged environment entry,
/// and the entry's name in the secret's `Match` (BH-CO-020's evidence is
/// `NAME=***`; the secret's `Match` shows its line from the start). One
/// secret finding per flagged entry.
pub fn drop_compose_duplicates(report: &mut Report) {
    let found = claims(
        report,
        COMPOSE_CREDENTIAL_RULE,
        Place::FindingLines,
        |evidence| evidence_name(evidence).map(Token::Name),
    );
    drop_claimed(report, &found);
}

/// Drop the secret findings in the image config `Env` ([`TARGET_ENV`]) that
/// BH-IM-004 already reports: the entry its evidence names
/// (`NAME=<redacted>`), whose text the secret's `Match` starts with. One
/// secret finding per flagged entry; secrets elsewhere (files, history) stay.
pub fn drop_image_env_duplicates(report: &mut Report) {
    let found = claims(
        report,
        IMAGE_ENV_CREDENTIAL_RULE,
        Place::ImageEnv,
        |evidence| evidence_name(evidence).map(Token::EnvEntry),
    );
    drop_claimed(report, &found);
}

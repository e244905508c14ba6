//! Bulkhead misconfiguration checks for Dockerfiles, Compose files,
//! Kubernetes manifests and build contexts (`bulkhead config`).
//!
//! - [`dockerfile`]: a BuildKit Dockerfile parser with spans.
//! - [`compose`]: a bounded Compose loader and the typed runtime-settings
//!   model [`compose::Service`] (reused by `harden` and the live audit).
//! - [`kubernetes`]: recognition of manifests by content, a multi-document
//!   loader on the same bounded YAML reader, and the pod-template model.
//! - [`rules`]: every rule with its metadata; [`docs`] renders rule pages.
//! - [`lint_paths`] / [`lint_file`]: detect file kinds, run the rules, apply
//!   inline suppressions, and [`to_report`] builds the shared report model.

pub mod compose;
pub mod dockerfile;
pub mod dockerignore;
pub mod docs;
pub mod kubernetes;
pub mod rules;
pub mod suppress;
mod vars;

use bulkhead_types::{
    ArtifactType, CauseMetadata, Class, IMAGE_CONFIG_TYPE, Mappings, MisconfStatus,
    Misconfiguration, Report, ScanResult,
};
use rules::Finding;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What kind of file a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    Dockerfile,
    Compose,
    DockerIgnore,
    /// A Kubernetes manifest (recognised by content, see [`detect_file`]).
    Kubernetes,
}

impl FileKind {
    /// The report `Type`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Dockerfile => "dockerfile",
            FileKind::Compose => "compose",
            FileKind::DockerIgnore => "dockerignore",
            FileKind::Kubernetes => "kubernetes",
        }
    }

    /// The rule a file of this kind that cannot be loaded is reported as.
    pub fn invalid_rule(self) -> Option<&'static rules::RuleMeta> {
        match self {
            FileKind::Compose => Some(&rules::compose::co026_invalid_file::RULE.meta),
            FileKind::Kubernetes => Some(&rules::kubernetes::k8012_invalid_file::RULE.meta),
            FileKind::Dockerfile | FileKind::DockerIgnore => None,
        }
    }
}

/// Detect a file kind from its name: `Dockerfile*` (not `Dockerfile.md`,
/// `.bak`, `.orig`, `.expected`, …), `*.Dockerfile`,
/// `*.dockerfile`, `Containerfile*`, `docker-compose*.yml|yaml`,
/// `compose*.yml|yaml`, `.dockerignore`.
pub fn detect_kind(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    if name == ".dockerignore" {
        return Some(FileKind::DockerIgnore);
    }
    if name.ends_with(".dockerfile") {
        return Some(FileKind::Dockerfile);
    }
    if name.starts_with("dockerfile") || name.starts_with("containerfile") {
        // `Dockerfile.dev` is a Dockerfile; `Dockerfile.md`, backups and
        // test expectations next to it are not.
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        let not_dockerfile = [
            "md", "txt", "orig", "bak", "rej", "swp", "json", "yml", "yaml", "sh", "py",
            "expected", "snap", "sarif", "log", "lock", "tmp", "old", "sig", "patch", "diff",
        ];
        if name.contains('.') && not_dockerfile.contains(&ext) {
            return None;
        }
        return Some(FileKind::Dockerfile);
    }
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    if yaml && (name.starts_with("docker-compose") || name.starts_with("compose")) {
        return Some(FileKind::Compose);
    }
    None
}

/// Detect a file kind by name ([`detect_kind`]), then by content: a
/// `*.yml`/`*.yaml` file with top-level `apiVersion:` and `kind:` lines is a
/// Kubernetes manifest ([`kubernetes::sniff`]). Compose names win.
pub fn detect_file(path: &Path) -> Option<FileKind> {
    detect_kind(path).or_else(|| kubernetes::sniff(path).then_some(FileKind::Kubernetes))
}

/// Options for a lint run.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Dockerfile `--target` stage.
    pub target: Option<String>,
    /// Dockerfile `--build-arg` values.
    pub build_args: BTreeMap<String, String>,
    /// Compose profiles to lint (`None` = all services).
    pub profiles: Option<Vec<String>>,
    /// Compose interpolation variables (`None` = process env + `.env`).
    pub env: Option<BTreeMap<String, String>>,
    /// Skip the build-context scan of `COPY . .` (BH-DF-007).
    pub no_context: bool,
}

/// Findings for one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: PathBuf,
    pub kind: FileKind,
    pub findings: Vec<Finding>,
    /// Findings hidden by inline `# bulkhead:ignore` comments.
    pub suppressed: usize,
    /// Why the file could not be loaded (a Compose file that is not valid
    /// YAML, too large or deep, or has wrong types; a Kubernetes manifest
    /// that is not valid YAML, too large or deep); it is also reported as a
    /// finding of [`FileKind::invalid_rule`] (BH-CO-026, BH-K8-012).
    pub load_error: Option<String>,
}

/// A problem reading inputs.
#[derive(Debug, thiserror::Error)]
pub enum LintError {
    #[error("cannot read {path}: {source}; check the path and permissions")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path} is not a Dockerfile, Compose file or .dockerignore (by name) nor a Kubernetes manifest (a *.yaml file with top-level apiVersion and kind); rename it or pass a folder"
    )]
    UnknownKind { path: String },
    #[error(
        "{path}: no Dockerfile, Compose file, Kubernetes manifest or .dockerignore found in this folder"
    )]
    NothingFound { path: String },
}

/// Lint files and folders (folders are searched for known file names and
/// Kubernetes manifests, skipping `.git`, `node_modules`, `target` and the
/// `templates` folder of a Helm chart).
pub fn lint_paths(paths: &[PathBuf], opts: &LintOptions) -> Result<Vec<FileReport>, LintError> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let before = files.len();
            collect(p, &mut files, 0);
            if files.len() == before {
                return Err(LintError::NothingFound {
                    path: p.display().to_string(),
                });
            }
        } else {
            let kind = detect_file(p).ok_or_else(|| LintError::UnknownKind {
                path: p.display().to_string(),
            })?;
            files.push((p.clone(), kind));
        }
    }
    files.sort();
    files.dedup();
    files
        .into_iter()
        .map(|(p, k)| lint_file(&p, k, opts))
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<(PathBuf, FileKind)>, depth: usize) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            let n = e.file_name();
            if depth < 16
                && !matches!(n.to_str(), Some(".git" | "node_modules" | "target"))
                && !kubernetes::is_helm_templates(&p)
            {
                collect(&p, out, depth + 1);
            }
        } else if ft.is_file()
            && let Some(k) = detect_file(&p)
        {
            out.push((p, k));
        }
    }
}

/// Largest Dockerfile, Compose file, Kubernetes manifest or `.dockerignore`
/// read (real ones are a few KiB); the file must be a regular file, so a
/// FIFO or device with a known name cannot hang or exhaust the run.
pub const MAX_INPUT_FILE: u64 = 4 << 20;

/// Lint one file of a known kind.
pub fn lint_file(path: &Path, kind: FileKind, opts: &LintOptions) -> Result<FileReport, LintError> {
    let text = compose::read_capped(path, MAX_INPUT_FILE).map_err(|source| LintError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let mut load_error = None;
    let findings = match kind {
        FileKind::Dockerfile => {
            let ctx = if opts.no_context { None } else { path.parent() };
            lint_dockerfile(&text, ctx, opts)
        }
        FileKind::Compose => match lint_compose_checked(&text, path, opts) {
            Ok(f) => f,
            Err(e) => {
                load_error = Some(e.to_string());
                vec![invalid_compose_finding(e)]
            }
        },
        FileKind::Kubernetes => match lint_kubernetes_checked(&text, path) {
            Ok(f) => f,
            Err(e) => {
                load_error = Some(e.to_string());
                vec![invalid_manifest_finding(e)]
            }
        },
        FileKind::DockerIgnore => Vec::new(),
    };
    let sup = suppress::Suppressions::scan(&text);
    let before = findings.len();
    let findings: Vec<Finding> = findings
        .into_iter()
        .filter(|f| !sup.covers(f.rule.id, f.line))
        .collect();
    Ok(FileReport {
        path: path.to_path_buf(),
        kind,
        suppressed: before - findings.len(),
        findings,
        load_error,
    })
}

/// Lint Dockerfile text. `context` is the build context folder (for
/// `.dockerignore` checks).
pub fn lint_dockerfile(text: &str, context: Option<&Path>, opts: &LintOptions) -> Vec<Finding> {
    let df = dockerfile::parse_with(
        text,
        &dockerfile::ParseOptions {
            build_args: opts.build_args.clone(),
        },
    );
    let cx = rules::DockerfileCx::new(&df, opts.target.as_deref(), context);
    let mut f = rules::run_dockerfile(&cx);
    f.sort_by(|a, b| (a.line, a.rule.id).cmp(&(b.line, b.rule.id)));
    f
}

/// Lint Compose text; load errors become one BH-CO-026 finding.
pub fn lint_compose(text: &str, path: &Path, opts: &LintOptions) -> Vec<Finding> {
    lint_compose_checked(text, path, opts).unwrap_or_else(|e| vec![invalid_compose_finding(e)])
}

fn invalid_compose_finding(e: compose::ComposeError) -> Finding {
    Finding {
        rule: &rules::compose::co026_invalid_file::RULE.meta,
        line: e.line.max(1),
        end_line: e.line.max(1),
        col: 0,
        message: e.message,
        evidence: String::new(),
    }
}

/// Lint Compose text; a file that cannot be loaded is an error.
pub fn lint_compose_checked(
    text: &str,
    path: &Path,
    opts: &LintOptions,
) -> Result<Vec<Finding>, compose::ComposeError> {
    let env = match &opts.env {
        Some(e) => e.clone(),
        None => compose::default_env(path)?,
    };
    let lopts = compose::LoadOptions {
        env: Some(env.clone()),
        profiles: opts.profiles.clone(),
    };
    let project = compose::load_str(text, path, &env, &lopts)?;
    let cx = rules::ComposeCx::new(&project);
    let mut f = rules::run_compose(&cx);
    f.sort_by(|a, b| (a.line, a.rule.id).cmp(&(b.line, b.rule.id)));
    Ok(f)
}

/// Lint a Kubernetes manifest's text (`path` is for messages); a stream
/// that cannot be loaded becomes one BH-K8-012 finding.
pub fn lint_kubernetes(text: &str, path: &Path) -> Vec<Finding> {
    lint_kubernetes_checked(text, path).unwrap_or_else(|e| vec![invalid_manifest_finding(e)])
}

/// Lint a Kubernetes manifest's text; a stream that cannot be loaded (not
/// YAML, too large or deep, an alias bomb) is an error. Fields of the wrong
/// type are BH-K8-012 findings on their line.
pub fn lint_kubernetes_checked(
    text: &str,
    path: &Path,
) -> Result<Vec<Finding>, kubernetes::ManifestError> {
    let manifest = kubernetes::load_str(text, path)?;
    let cx = rules::KubernetesCx {
        manifest: &manifest,
    };
    let mut f = rules::run_kubernetes(&cx);
    f.sort_by(|a, b| (a.line, a.rule.id).cmp(&(b.line, b.rule.id)));
    Ok(f)
}

fn invalid_manifest_finding(e: kubernetes::ManifestError) -> Finding {
    Finding {
        rule: &rules::kubernetes::k8012_invalid_file::RULE.meta,
        line: e.line.max(1),
        end_line: e.line.max(1),
        col: 0,
        message: e.message,
        evidence: String::new(),
    }
}

/// Convert a finding to the shared report type.
pub fn to_misconfiguration(f: &Finding) -> Misconfiguration {
    let m = f.rule;
    Misconfiguration {
        id: m.id.to_string(),
        mappings: Mappings {
            cis: m.cis.to_string(),
            hadolint: m.hadolint.join(","),
            trivy: m.trivy.join(","),
            dockle: m.dockle.join(","),
        },
        title: m.title.to_string(),
        description: m.rationale.to_string(),
        message: f.message.clone(),
        resolution: m.fix.to_string(),
        severity: m.severity,
        status: MisconfStatus::Fail,
        cause_metadata: CauseMetadata {
            start_line: (f.line > 0).then_some(f.line),
            end_line: (f.line > 0).then_some(f.end_line.max(f.line)),
            evidence: f.evidence.clone(),
        },
    }
}

/// The image-config checks (`bulkhead image --scanners misconfig`): the
/// config's User (resolved through the image's /etc/passwd, `users`),
/// Healthcheck, Env and history, and setuid/setgid and world-writable
/// entries of the squashed filesystem (`files`, from
/// `bulkhead_scan::Inventory::image_files`). One result, `Target` "image
/// config", `Type` "image-config"; empty when nothing is found.
pub fn image_config_results(
    config: &serde_json::Value,
    files: Vec<rules::ImageFile>,
    users: Option<&[bulkhead_types::PasswdEntry]>,
) -> Vec<ScanResult> {
    let findings = image_config_findings(config, files, users);
    if findings.is_empty() {
        return Vec::new();
    }
    let mut res = ScanResult::new("image config", Class::Config, IMAGE_CONFIG_TYPE);
    res.misconfigurations = findings.iter().map(to_misconfiguration).collect();
    vec![res]
}

/// The image-config findings for a config JSON, the image's files and users.
pub fn image_config_findings(
    config: &serde_json::Value,
    files: Vec<rules::ImageFile>,
    users: Option<&[bulkhead_types::PasswdEntry]>,
) -> Vec<Finding> {
    let cx = rules::ImageCx {
        config,
        user: config["config"]["User"].as_str().unwrap_or(""),
        users,
        files,
    };
    rules::run_image(&cx)
}

/// Build a report from file results (`artifact` names the scan).
pub fn to_report(artifact: &str, files: &[FileReport]) -> Report {
    let mut r = Report::new(artifact, ArtifactType::Config);
    for f in files {
        let mut res = ScanResult::new(f.path.display().to_string(), Class::Config, f.kind.as_str());
        res.misconfigurations = f.findings.iter().map(to_misconfiguration).collect();
        if let Some(e) = &f.load_error {
            let id = f.kind.invalid_rule().map_or("a finding", |m| m.id);
            r.warnings.push(format!("{e} (reported as {id})"));
        }
        if f.suppressed > 0 {
            r.warnings.push(format!(
                "{}: {} finding(s) suppressed by inline bulkhead:ignore comments",
                f.path.display(),
                f.suppressed
            ));
        }
        r.results.push(res);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_name() {
        let k = |n: &str| detect_kind(Path::new(n));
        assert_eq!(k("Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(k("dir/Dockerfile.prod"), Some(FileKind::Dockerfile));
        assert_eq!(k("api.Dockerfile"), Some(FileKind::Dockerfile));
        assert_eq!(k("Containerfile"), Some(FileKind::Dockerfile));
        assert_eq!(k("Dockerfile.expected"), None);
        assert_eq!(k("Dockerfile.md"), None);
        assert_eq!(k("Dockerfile.bak"), None);
        assert_eq!(k("docker-compose.yml"), Some(FileKind::Compose));
        assert_eq!(k("compose.prod.yaml"), Some(FileKind::Compose));
        assert_eq!(k("compose.yml.expected"), None);
        assert_eq!(k(".dockerignore"), Some(FileKind::DockerIgnore));
        assert_eq!(k("values.yml"), None);
    }

    /// A file with a known name is still untrusted: an oversized one or a
    /// FIFO (opening it would block) is an error, not read.
    #[test]
    fn named_files_are_capped_and_must_be_regular() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("Dockerfile");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(MAX_INPUT_FILE + 1)
            .unwrap();
        let err = lint_file(&big, FileKind::Dockerfile, &LintOptions::default()).unwrap_err();
        assert!(err.to_string().contains("larger than 4 MiB"), "{err}");
        let compose = dir.path().join("compose.yaml");
        std::fs::File::create(&compose)
            .unwrap()
            .set_len(MAX_INPUT_FILE + 1)
            .unwrap();
        let err = compose::load_file(&compose, &compose::LoadOptions::default()).unwrap_err();
        assert!(err.message.contains("larger than 4 MiB"), "{err}");

        let fifo = dir.path().join("docker-compose.yml");
        match std::process::Command::new("mkfifo").arg(&fifo).status() {
            Ok(s) if s.success() => {
                let err = lint_file(&fifo, FileKind::Compose, &LintOptions::default()).unwrap_err();
                assert!(err.to_string().contains("not a regular file"), "{err}");
            }
            other => bulkhead_testkit::require::skip_or_fail(&format!(
                "a FIFO for its FIFO case: mkfifo (coreutils) failed with {other:?}"
            )),
        }
    }
}

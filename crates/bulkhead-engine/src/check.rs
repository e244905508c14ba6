//! `bulkhead check`: one workload (an image and how it runs) through the
//! whole stack, as a [`CheckReport`].
//!
//! [`check`] reads the runtime settings ([`Runtime`]: Docker's defaults for
//! the image alone, Compose files merged in order, `docker run` flags, or a
//! container through the daemon) into one [`ContainerSpec`], checks the
//! image's signatures in its registry (against the signing policy when one
//! is given), scans the image once (vulnerabilities, secrets, image-config
//! checks), lints the Dockerfile, asks `harden` for the hardened settings,
//! and hands everything to [`bulkhead_check::build`]. No clap, no terminal:
//! filters, formats and exit codes are the caller's (`bulkhead_report::check`).

use crate::error::{Context, Result, bail};
use crate::trust::{self, Access, LoadedPolicy};
use crate::{Progress, ScanRequest, Target};
use bulkhead_check::{CheckInput, DockerfileInput, HardenPlan, Hardened, ScannersRun, Trust};
use bulkhead_harden::{ProposeOptions, SourceKind, Workload, propose};
use bulkhead_report::harden as render;
use bulkhead_secrets::Scanner;
use bulkhead_types::check::{CheckReport, CheckWorkload, FixFile, SnippetKind, WorkloadSource};
use bulkhead_types::{ContainerSpec, Severity, SpecSource, SpecTmpfs};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// How the workload runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runtime {
    /// The image alone: its config and Docker's defaults.
    Image,
    /// A Compose service; `files` merged in order (`-f a -f b`), `service`
    /// needed when there are several.
    Compose {
        files: Vec<PathBuf>,
        service: Option<String>,
    },
    /// A `docker run …` command line (parsed, never executed).
    Run(String),
    /// A container (name or id), inspected through the daemon.
    Container(String),
}

/// One check, as plain data.
pub struct CheckRequest {
    /// The image to check; `None`: the image the runtime names (the Compose
    /// service's `image:`, the image of the run flags or of the container).
    pub image: Option<Target>,
    pub runtime: Runtime,
    /// A Dockerfile to lint with the image.
    pub dockerfile: Option<PathBuf>,
    /// Verify signatures against this policy (else they are only listed):
    /// `trust::load_policy`.
    pub policy: Option<LoadedPolicy>,
    /// The scan: scanners, limits, cache, database, sources, registry,
    /// secret rules. Its `target` is replaced by the image to check.
    pub scan: ScanRequest,
    /// OpenVEX documents (`crate::vex::load`), applied to the scan before
    /// the findings are merged: a suppressed vulnerability is no finding of
    /// the check (it is counted and listed with its statement).
    pub vex: Vec<crate::vex::VexDocument>,
    /// Candidate base images (names or image files): each is scanned for
    /// vulnerabilities and ranked (`bulkhead_advise`, as `image
    /// --recommend` does); the best one that fixes findings of the image
    /// becomes a step of the fix plan. Empty: no base-image advice.
    pub base_candidates: Vec<String>,
}

/// The result of [`check`].
#[derive(Debug)]
pub struct CheckOutput {
    /// Unfiltered (`bulkhead_report::check::filter` applies ignores and
    /// `--severity`).
    pub report: CheckReport,
    /// Warnings (also in the report), de-duplicated.
    pub warnings: Vec<String>,
}

/// Run a check with the request's `[secrets]` rules.
pub fn check(req: &CheckRequest, progress: &dyn Progress) -> Result<CheckOutput> {
    let secrets = Scanner::new(&req.scan.secrets).context("the [secrets] settings")?;
    check_with(req, &secrets, progress)
}

/// Rank the candidate bases against the checked image (`image --recommend`'s
/// ranking): each candidate scanned for vulnerabilities with the check's
/// database, sources and limits.
fn base_advice(
    req: &CheckRequest,
    report: &CheckReport,
    secrets: &Scanner,
    progress: &dyn Progress,
) -> Result<bulkhead_advise::Advice> {
    let sources = crate::advise::MetaSources {
        sources: req.scan.sources.clone(),
        platform: req.scan.platform.clone(),
        registry: req.scan.registry.clone(),
    };
    let scan_one = |name: &str| -> Result<bulkhead_types::Report> {
        let mut scan = req.scan.clone();
        scan.target = Target::candidate(name)?;
        // A candidate is another image: its own OS, vulnerabilities only.
        scan.distro = None;
        scan.scanners = crate::Scanners {
            vuln: true,
            secret: false,
            misconfig: false,
        };
        Ok(crate::scan_with(&scan, secrets, progress)?.report)
    };
    crate::advise::recommend(
        crate::advise::RecommendInput {
            current: &report.report,
            base: None,
            names: req.base_candidates.clone(),
            explicit: true,
            notes: Vec::new(),
        },
        &sources,
        &scan_one,
    )
}

/// The fix-plan step of the best candidate base: rebuild FROM it, with the
/// findings of the image it removes (`None` when the best fixes nothing or
/// is the current base).
fn base_step(
    report: &CheckReport,
    advice: &bulkhead_advise::Advice,
) -> Option<bulkhead_types::check::FixStep> {
    let best = advice.candidates.first().filter(|c| !c.current)?;
    let refs: Vec<&str> = report.findings.iter().map(|f| f.ref_id.as_str()).collect();
    let mut removes: Vec<String> = Vec::new();
    for f in &best.would_fix {
        let r = format!("{}@{}", f.vulnerability_id, f.pkg_name);
        if refs.contains(&r.as_str()) && !removes.contains(&r) {
            removes.push(r);
        }
    }
    if removes.is_empty() {
        return None;
    }
    let c = &best.vulnerabilities;
    let n = |s: Severity| c.by_severity.get(&s).map_or(0, |f| f.total());
    let mut notes = vec![format!(
        "ranked first of {} candidate(s) (critical, then high, then all findings, then size and closeness); it has {} CRITICAL, {} HIGH, {} in all",
        advice.candidates.len(),
        n(Severity::Critical),
        n(Severity::High),
        c.total
    )];
    if !best.would_introduce.is_empty() {
        let ids: Vec<String> = best
            .would_introduce
            .iter()
            .map(|f| format!("{}@{}", f.vulnerability_id, f.pkg_name))
            .collect();
        notes.push(format!("it would introduce: {}", ids.join(", ")));
    }
    Some(bulkhead_types::check::FixStep {
        step: report.fix_plan.len() + 1,
        layer: bulkhead_types::check::StackLayer::ImageContents,
        layers: vec![bulkhead_types::check::StackLayer::ImageContents],
        title: format!("Rebuild FROM {}", best.name),
        kind: SnippetKind::Dockerfile,
        snippet: format!("FROM {}\n", best.name),
        save_as: String::new(),
        files: Vec::new(),
        removes,
        defuses: Vec::new(),
        notes,
    })
}

/// The runtime side, read.
struct RuntimeSide {
    spec: ContainerSpec,
    source: WorkloadSource,
    /// For locations: `compose.yaml (service api)`, `container web`, …
    origin: String,
    lines: bool,
    files: Vec<String>,
}

/// [`check`] with an already built secret scanner.
pub fn check_with(
    req: &CheckRequest,
    secrets: &Scanner,
    progress: &dyn Progress,
) -> Result<CheckOutput> {
    let mut side = read_runtime(&req.runtime)?;
    let target = match (&req.image, side.spec.image.as_deref()) {
        (Some(t), _) => t.clone(),
        (None, Some(img)) if !img.trim().is_empty() => Target::Name(img.trim().to_string()),
        (None, _) => bail!(
            "no image to check: name it (bulkhead check NAME or --input FILE), or give a Compose service, run flags or a container that names one"
        ),
    };
    let shown = match &target {
        Target::File(p) | Target::Dir(p) => p.display().to_string(),
        Target::Name(n) => n.clone(),
    };
    if matches!(target, Target::Dir(_)) {
        bail!(
            "{shown} is a folder: check an image (a name, or --input with a docker save tarball or OCI layout)"
        );
    }
    let trust = lookup(req, &target, progress);
    let mut scan = req.scan.clone();
    scan.target = target.clone();
    let mut out = crate::scan_with(&scan, secrets, progress)?;
    crate::vex::apply(&req.vex, &mut out.report);
    let mut warnings = out.warnings.clone();
    let config = out.report.metadata.image_config.clone();
    if let Some(cfg) = &config {
        bulkhead_policy::image_config::apply(&mut side.spec, cfg);
    }
    if side.spec.image.is_none()
        && let Target::Name(n) = &target
    {
        side.spec.image = Some(n.clone());
    }
    let image_name = match &target {
        Target::Name(n) => n.clone(),
        _ => out
            .report
            .metadata
            .repo_tags
            .first()
            .cloned()
            .unwrap_or_else(|| shown.clone()),
    };
    if side.spec.name.is_empty() {
        side.spec.name = crate::harden::service_key(&image_name);
    }
    let dockerfile = match &req.dockerfile {
        Some(p) => {
            side.files.push(p.display().to_string());
            Some(lint_dockerfile(p)?)
        }
        None => None,
    };
    let harden = harden_plan(&side, config.as_ref(), out.inventory.users.clone());
    let input = CheckInput {
        workload: CheckWorkload {
            image: image_name,
            source: side.source,
            name: match side.source {
                WorkloadSource::Image => String::new(),
                _ => side.spec.name.clone(),
            },
            files: side.files.clone(),
        },
        spec: side.spec,
        spec_origin: side.origin,
        spec_lines: side.lines,
        passwd: out.inventory.users.clone(),
        report: out.report,
        scanners: ScannersRun {
            vuln: req.scan.scanners.vuln,
            secret: req.scan.scanners.secret,
            misconfig: req.scan.scanners.misconfig,
        },
        dockerfile,
        trust,
        rule_severity: rule_severities(),
        harden: Some(harden),
        warnings: Vec::new(),
    };
    let mut report = bulkhead_check::build(input);
    if !req.base_candidates.is_empty() {
        let advice = base_advice(req, &report, secrets, progress)?;
        warnings.extend(advice.warnings.iter().cloned());
        match base_step(&report, &advice) {
            Some(step) => report.fix_plan.push(step),
            None => warnings.push(format!(
                "base-image advice: none of {} fixes a finding of the image",
                req.base_candidates.join(", ")
            )),
        }
    }
    for w in &report.warnings {
        if !warnings.contains(w) {
            warnings.push(w.clone());
        }
    }
    Ok(CheckOutput { report, warnings })
}

/// The severity of every Compose rule, for the runtime findings.
fn rule_severities() -> BTreeMap<String, Severity> {
    bulkhead_lint::rules::all()
        .filter(|r| r.meta.kind == bulkhead_lint::rules::RuleKind::Compose)
        .map(|r| (r.meta.id.to_string(), r.meta.severity))
        .collect()
}

/// Read the runtime settings.
fn read_runtime(rt: &Runtime) -> Result<RuntimeSide> {
    Ok(match rt {
        Runtime::Image => RuntimeSide {
            spec: ContainerSpec {
                source: SpecSource::Image,
                ..ContainerSpec::default()
            },
            source: WorkloadSource::Image,
            origin: "image defaults (docker run IMAGE)".to_string(),
            lines: false,
            files: Vec::new(),
        },
        Runtime::Compose { files, service } => compose(files, service.as_deref())?,
        Runtime::Run(line) => {
            let cmd = bulkhead_policy::run_flags::parse(line)
                .context("cannot read --run: give a `docker run …` command line")?;
            RuntimeSide {
                spec: cmd.spec,
                source: WorkloadSource::Run,
                origin: "docker run flags".to_string(),
                lines: false,
                files: Vec::new(),
            }
        }
        Runtime::Container(name) => {
            let settings = inspect(name)?;
            let origin = format!("container {}", settings.name);
            RuntimeSide {
                spec: settings.to_spec(),
                source: WorkloadSource::Container,
                origin,
                lines: false,
                files: Vec::new(),
            }
        }
    })
}

fn compose(files: &[PathBuf], service: Option<&str>) -> Result<RuntimeSide> {
    let project =
        bulkhead_lint::compose::load_files(files, &bulkhead_lint::compose::LoadOptions::default())
            .context("cannot load the Compose files")?;
    let names: Vec<&str> = project.services.iter().map(|s| s.name.as_str()).collect();
    let svc = match service {
        Some(name) => project
            .services
            .iter()
            .find(|s| s.name == name)
            .with_context(|| {
                format!(
                    "no service {name:?} in the Compose files: choose one of {}",
                    names.join(", ")
                )
            })?,
        None => match project.services.as_slice() {
            [only] => only,
            [] => bail!("the Compose files define no service"),
            _ => bail!(
                "the Compose files define {} services: choose one with --service ({})",
                names.len(),
                names.join(", ")
            ),
        },
    };
    let shown: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let origin = match shown.as_slice() {
        [one] => format!("{one} (service {})", svc.name),
        _ => format!("{} (service {})", shown.join(" + "), svc.name),
    };
    Ok(RuntimeSide {
        spec: svc.to_spec(),
        source: WorkloadSource::Compose,
        origin,
        lines: files.len() == 1,
        files: shown,
    })
}

/// A container's settings through the daemon.
fn inspect(name: &str) -> Result<bulkhead_audit::RuntimeSettings> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime for the Docker API")?;
    rt.block_on(async {
        let docker = bulkhead_audit::engine::connect().await?;
        bulkhead_audit::engine::container_settings(&docker, name).await
    })
    .with_context(|| format!("cannot inspect container {name}"))
}

/// The Dockerfile's findings.
fn lint_dockerfile(path: &Path) -> Result<DockerfileInput> {
    let report = bulkhead_lint::lint_file(
        path,
        bulkhead_lint::FileKind::Dockerfile,
        &bulkhead_lint::LintOptions::default(),
    )
    .with_context(|| format!("cannot lint the Dockerfile {}", path.display()))?;
    Ok(DockerfileInput {
        path: path.display().to_string(),
        findings: report
            .findings
            .iter()
            .map(bulkhead_lint::to_misconfiguration)
            .collect(),
    })
}

/// What `harden` proposes for the workload, rendered for its source.
fn harden_plan(
    side: &RuntimeSide,
    config: Option<&serde_json::Value>,
    passwd: Option<Vec<bulkhead_types::PasswdEntry>>,
) -> HardenPlan {
    let (kind, source) = match side.source {
        WorkloadSource::Compose => (SnippetKind::ComposeOverride, SourceKind::Compose),
        WorkloadSource::Container | WorkloadSource::Run => {
            (SnippetKind::RunFlags, SourceKind::Container)
        }
        WorkloadSource::Image => (SnippetKind::RunFlags, SourceKind::Image),
    };
    let mut w = Workload::from_spec(&side.spec, source, side.origin.clone());
    if let Some(cfg) = config {
        w.apply_image_config(cfg);
    }
    w.passwd = passwd;
    let mut opts = ProposeOptions::default();
    let mut files = Vec::new();
    if side.spec.seccomp() == Some("unconfined") {
        let path = format!("{}-seccomp.json", safe_file_stem(&w.name));
        opts.seccomp_profile = Some(path.clone());
        opts.seccomp_why = Some(format!(
            "Docker's default profile, as {path} next to this file: a later seccomp option wins, so it replaces seccomp:unconfined even where that stays in the base settings"
        ));
        files.push(FixFile {
            path,
            content: bulkhead_profile::docker_default::JSON.to_string(),
        });
    }
    let mut p = propose(&w, &opts);
    if opts.seccomp_profile.is_some() && kind == SnippetKind::ComposeOverride {
        // Docker applies the last `seccomp=` option: the profile, listed
        // after the base file's `seccomp:unconfined` by every Compose, wins.
        p.warnings
            .retain(|x| !x.starts_with("the base file sets seccomp:unconfined"));
        p.warnings.push(
            "the base file's seccomp:unconfined stays in the merged settings (an override cannot remove list entries); the profile added after it is the one Docker applies: delete it from the base file when you can".to_string(),
        );
    }
    let text = match kind {
        SnippetKind::ComposeOverride => render::compose_text(&p),
        _ => render::run_text(&p),
    };
    HardenPlan {
        kind,
        text,
        settings: Hardened {
            user: p.user.value.clone(),
            read_only: p.read_only.value,
            tmpfs: p
                .tmpfs
                .iter()
                .filter(|t| !t.existing)
                .map(|t| SpecTmpfs {
                    target: t.mount.target.clone(),
                    options: t.mount.options.clone(),
                })
                .collect(),
            cap_drop: p.cap_drop.value.clone(),
            cap_add: p.cap_add.iter().map(|c| c.value.clone()).collect(),
            no_new_privileges: p.no_new_privileges.value,
            seccomp: p.seccomp.as_ref().map(|s| s.value.clone()),
            pids_limit: p.pids_limit.value,
            memory: p.memory.value,
            unprivileged: p.privileged.is_some(),
        },
        warnings: p.warnings.clone(),
        files,
    }
}

/// A file name stem from a service name (`app` when nothing is left).
fn safe_file_stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('.').to_string();
    if s.is_empty() { "app".to_string() } else { s }
}

/// The trust layer's input: the image's signatures in its registry,
/// verified against the policy (listed without one), or why they were not
/// looked up.
fn lookup(req: &CheckRequest, target: &Target, progress: &dyn Progress) -> Trust {
    let name = match target {
        Target::Name(n) => n,
        Target::File(_) | Target::Dir(_) => {
            return Trust::NotChecked(
                "the image is a file: signatures live in a registry, so check the image by its registry name to verify them"
                    .to_string(),
            );
        }
    };
    if req.scan.db.offline {
        return Trust::NotChecked("--offline: the registry is not asked".to_string());
    }
    if !req.scan.sources.iter().any(|s| s.trim() == "remote") {
        return Trust::NotChecked(
            "registry access is off (--image-src without remote): signatures live in the registry"
                .to_string(),
        );
    }
    let timeout = format!("{}s", req.scan.registry.timeout.as_secs().max(1));
    let access = Access {
        insecure: req.scan.registry.insecure,
        timeout: &timeout,
    };
    let out = trust::resolve(name, access, progress).and_then(|resolved| {
        trust::verify(&resolved, name, &[], req.policy.as_ref(), &BTreeMap::new())
    });
    match out {
        Ok(o) => Trust::Checked(Box::new(o)),
        Err(e) => Trust::Failed(e.to_string()),
    }
}

/// Write the fix plan's files into `dir`: each step's snippet that is a
/// file of its own (`SaveAs`) and the files the steps reference (a seccomp
/// profile). Names come from the plan (service names among them): plain
/// relative names only, nothing that climbs out of `dir`.
pub fn write_fix(dir: &Path, report: &CheckReport) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the fix-plan folder {}", dir.display()))?;
    let mut files: Vec<(&str, &str)> = Vec::new();
    for s in &report.fix_plan {
        if !s.save_as.is_empty() {
            files.push((&s.save_as, &s.snippet));
        }
        files.extend(
            s.files
                .iter()
                .map(|f| (f.path.as_str(), f.content.as_str())),
        );
    }
    for (name, content) in files {
        let rel = Path::new(name);
        if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
            bail!("refusing to write fix-plan file {name:?}: not a plain relative name");
        }
        let path = dir.join(rel);
        std::fs::write(&path, content)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fix_files_stay_in_their_folder() {
        let dir = tempfile::tempdir().unwrap();
        let step = |save_as: &str| bulkhead_types::check::FixStep {
            step: 1,
            layer: bulkhead_types::check::StackLayer::Secrets,
            layers: Vec::new(),
            title: String::new(),
            kind: SnippetKind::ComposeOverride,
            snippet: "services: {}\n".into(),
            save_as: save_as.into(),
            files: Vec::new(),
            removes: Vec::new(),
            defuses: Vec::new(),
            notes: Vec::new(),
        };
        let mut report = CheckReport {
            schema_version: 1,
            artifact_name: String::new(),
            workload: CheckWorkload::default(),
            scoreboard: Vec::new(),
            exposure: Default::default(),
            findings: Vec::new(),
            fix_plan: vec![step("compose.hardened.yml")],
            counts: Default::default(),
            warnings: Vec::new(),
            report: bulkhead_types::Report::new("", bulkhead_types::ArtifactType::ContainerImage),
        };
        write_fix(dir.path(), &report).unwrap();
        assert!(dir.path().join("compose.hardened.yml").is_file());
        for bad in ["../x.yml", "/etc/x.yml", "a/../../x"] {
            report.fix_plan = vec![step(bad)];
            assert!(write_fix(dir.path(), &report).is_err(), "{bad}");
        }
    }

    #[test]
    fn file_stems() {
        assert_eq!(safe_file_stem("api"), "api");
        assert_eq!(safe_file_stem("../x/y"), "-x-y");
        assert_eq!(safe_file_stem(""), "app");
        assert_eq!(safe_file_stem(".."), "app");
    }

    #[test]
    fn compose_service_choice() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("compose.yaml");
        std::fs::write(
            &f,
            "services:\n  api:\n    image: app:1\n  db:\n    image: postgres:16\n",
        )
        .unwrap();
        let err = compose(std::slice::from_ref(&f), None)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("--service (api, db)"), "{err}");
        let side = compose(std::slice::from_ref(&f), Some("db")).unwrap();
        assert_eq!(side.spec.image.as_deref(), Some("postgres:16"));
        assert!(side.lines);
        let err = compose(std::slice::from_ref(&f), Some("web"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("choose one of api, db"), "{err}");
    }

    #[test]
    fn run_flags_side() {
        let side = read_runtime(&Runtime::Run(
            "docker run --read-only -u 1001 -p 127.0.0.1:80:8080 app:2".into(),
        ))
        .unwrap();
        assert_eq!(side.source, WorkloadSource::Run);
        assert_eq!(side.spec.image.as_deref(), Some("app:2"));
        assert!(side.spec.read_only);
        assert!(read_runtime(&Runtime::Run("docker run --bogus x".into())).is_err());
    }
}

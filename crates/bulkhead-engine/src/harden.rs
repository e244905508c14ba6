//! `harden` without a terminal: the workload of a running container
//! (inspected and observed through the local Docker daemon), a Compose
//! service or an image (its config's USER, EXPOSE, VOLUME and its
//! `/etc/passwd`), a seccomp allow-list generated from traces when asked,
//! and the [`Proposal`] of [`bulkhead_harden::propose`]. Rendering is
//! `bulkhead_report::harden`'s.
//!
//! Blocking, like [`crate::scan`]: a running container is observed on a
//! runtime of its own, so async callers go through
//! `tokio::task::spawn_blocking`.

use crate::error::{Context, Error, Result, bail};
use crate::{Progress, ScanRequest, Target};
use bulkhead_harden::{Proposal, ProposeOptions, Workload};
use bulkhead_profile::{audit, generate, strace};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What to harden.
#[derive(Debug, Clone)]
pub enum Source {
    /// A running container, by name or id: its inspect settings plus what
    /// it shows now (files written since start, listening sockets, users of
    /// its processes, memory and pids in use).
    Container(String),
    /// A service of a Compose file, completed by an image's config and
    /// `/etc/passwd` when `image` is given.
    Compose {
        file: PathBuf,
        service: String,
        image: Option<ScanRequest>,
    },
    /// An image alone (a file or a name; no scanner runs).
    Image(ScanRequest),
}

/// What a generated seccomp profile is made from, and where it goes.
#[derive(Debug, Clone, Default)]
pub struct SeccompFrom {
    /// `strace -f` outputs (raw or `-c` tables) or kernel audit logs,
    /// told apart by their content.
    pub traces: Vec<PathBuf>,
    /// Syscall names to allow besides (each entry may hold several,
    /// comma-separated).
    pub syscalls: Vec<String>,
    /// Where to write the profile.
    pub profile_out: Option<PathBuf>,
    /// Without `profile_out`: the folder of `<service>-seccomp.json`.
    pub profile_dir: Option<PathBuf>,
}

/// One `harden` run, as plain data.
#[derive(Debug, Clone)]
pub struct HardenRequest {
    pub source: Source,
    /// The service key of the Compose override for a container or an image
    /// (default: its name); a Compose source keeps its service's.
    pub service: Option<String>,
    pub seccomp: SeccompFrom,
    /// `size=` of each proposed tmpfs mount (`64m`).
    pub tmpfs_size: String,
    /// uid (and gid) proposed when the workload runs as root.
    pub fallback_uid: u32,
}

impl HardenRequest {
    /// A request with the defaults of `bulkhead harden` (64m tmpfs mounts,
    /// uid 65532, no seccomp profile).
    pub fn new(source: Source) -> HardenRequest {
        let opts = ProposeOptions::default();
        HardenRequest {
            source,
            service: None,
            seccomp: SeccompFrom::default(),
            tmpfs_size: opts.tmpfs_size,
            fallback_uid: opts.fallback_uid,
        }
    }
}

/// A seccomp profile written for the proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenProfile {
    /// Where it was written (the proposal references this path).
    pub path: PathBuf,
    /// Why, as the proposal says it: what it was generated from.
    pub why: String,
}

/// Read the workload, generate and write the seccomp profile when asked,
/// and propose hardened settings.
pub fn harden(req: &HardenRequest, progress: &dyn Progress) -> Result<Proposal> {
    check_tmpfs_size(&req.tmpfs_size)?;
    let workload = workload(req, progress)?;
    let seccomp = seccomp_profile(&req.seccomp, &workload.name)?;
    let opts = ProposeOptions {
        seccomp_why: seccomp.as_ref().map(|p| p.why.clone()),
        seccomp_profile: seccomp.map(|p| p.path.display().to_string()),
        tmpfs_size: req.tmpfs_size.clone(),
        fallback_uid: req.fallback_uid,
        ..ProposeOptions::default()
    };
    Ok(bulkhead_harden::propose(&workload, &opts))
}

/// A tmpfs size as Docker takes it: digits with an optional `k`, `m` or
/// `g` suffix.
pub fn check_tmpfs_size(s: &str) -> Result<()> {
    let digits = s.trim_end_matches(['k', 'm', 'g', 'K', 'M', 'G']);
    if digits.is_empty()
        || !digits.chars().all(|c| c.is_ascii_digit())
        || s.len() - digits.len() > 1
    {
        bail!("--tmpfs-size {s:?}: use a number with an optional k, m or g suffix, e.g. 64m");
    }
    Ok(())
}

/// The workload of the request's source, with its service key.
pub fn workload(req: &HardenRequest, progress: &dyn Progress) -> Result<Workload> {
    match &req.source {
        Source::Container(name) => {
            let mut w = container_workload(name)?;
            if let Some(s) = &req.service {
                w.name = s.clone();
            }
            Ok(w)
        }
        Source::Compose {
            file,
            service,
            image,
        } => {
            let mut w = compose_workload(file, service)?;
            if let Some(image) = image {
                let (_, img) = image_workload(image, progress)?;
                w.complete_with_image(img);
            }
            Ok(w)
        }
        Source::Image(image) => {
            let (name, mut w) = image_workload(image, progress)?;
            w.name = match &req.service {
                Some(s) => s.clone(),
                None => service_key(&name),
            };
            Ok(w)
        }
    }
}

/// A running container's workload: inspect plus observation, through the
/// local Docker daemon (`DOCKER_HOST`).
pub fn container_workload(name: &str) -> Result<Workload> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
    let w = rt.block_on(async {
        let docker = bulkhead_audit::engine::connect().await?;
        bulkhead_harden::observe::observe_container(&docker, name).await
    })?;
    Ok(w)
}

/// The workload of one service of a Compose file (after interpolation and
/// `extends`).
pub fn compose_workload(file: &Path, service: &str) -> Result<Workload> {
    let project =
        bulkhead_lint::compose::load_file(file, &bulkhead_lint::compose::LoadOptions::default())
            .with_context(|| format!("cannot load Compose file {}", file.display()))?;
    let Some(s) = project.services.iter().find(|s| s.name == service) else {
        let names: Vec<&str> = project.services.iter().map(|s| s.name.as_str()).collect();
        bail!(
            "no service {service:?} in {}: choose one of {}",
            file.display(),
            names.join(", ")
        );
    };
    Ok(Workload::from_compose(s, &file.display().to_string()))
}

/// The workload of the request's image (a file or a name; no scanner
/// runs), and the image's name (its first tag, else the target).
pub fn image_workload(req: &ScanRequest, progress: &dyn Progress) -> Result<(String, Workload)> {
    let shown = match &req.target {
        Target::File(p) | Target::Dir(p) => p.display().to_string(),
        Target::Name(n) => n.clone(),
    };
    let scanned = crate::read_target(req, None, progress)?;
    let image = scanned
        .image
        .with_context(|| format!("{shown} holds no image"))?;
    let name = image.repo_tags.first().cloned().unwrap_or(shown);
    let mut w = Workload::from_image_config("", &format!("image {name}"), &image.config);
    w.passwd = scanned.inventory.users;
    w.image = Some(name.clone());
    Ok((name, w))
}

/// Generate the seccomp allow-list of `from` (none when it names no trace
/// and no syscall) and write it for `service`; returns where and why.
pub fn seccomp_profile(from: &SeccompFrom, service: &str) -> Result<Option<WrittenProfile>> {
    if from.traces.is_empty() && from.syscalls.is_empty() {
        if from.profile_out.is_some() {
            bail!("--profile-out needs --seccomp-from FILE or --syscalls NAMES to generate from");
        }
        return Ok(None);
    }
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut sources: Vec<String> = Vec::new();
    for path in &from.traces {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        // Audit/syslog lines name their record type; anything else is strace.
        let set = if text.contains("type=SECCOMP") || text.contains("type=1326") {
            audit::parse(&text)
                .with_context(|| format!("audit input {}", path.display()))?
                .names()
        } else {
            strace::parse(&text).with_context(|| format!("strace input {}", path.display()))?
        };
        names.extend(set);
        sources.push(path.display().to_string());
    }
    if !from.syscalls.is_empty() {
        names.extend(generate::parse_names(&from.syscalls.join(",")).context("--syscalls")?);
        sources.push("--syscalls".to_string());
    }
    let observed = names.len();
    let generated = generate::generate(&names, &generate::GenerateOptions::default())
        .context("cannot generate the seccomp profile")?;
    let out = match (&from.profile_out, &from.profile_dir) {
        (Some(p), _) => p.clone(),
        (None, Some(dir)) => dir.join(format!("{service}-seccomp.json")),
        (None, None) => bail!(
            "where should the seccomp profile go? pass --profile-out FILE (the proposal references that path)"
        ),
    };
    std::fs::write(&out, generated.profile.to_json())
        .with_context(|| format!("cannot write the seccomp profile {}", out.display()))?;
    let mut why = format!(
        "allow-list generated from {} ({observed} syscalls used, plus those the container runtime needs); anything else fails with EPERM",
        sources.join(", ")
    );
    if !generated.beyond_default.is_empty() {
        why.push_str(&format!(
            "; allows what Docker's default blocks: {} (check with `bulkhead seccomp lint`)",
            generated.beyond_default.join(", ")
        ));
    }
    Ok(Some(WrittenProfile { path: out, why }))
}

/// The Compose service key for an image name: its last path part without
/// tag, digest or `.tar`, lower-cased, other characters as `-` (`app` when
/// nothing is left).
pub fn service_key(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let base = last.split(['@', ':']).next().unwrap_or(last);
    let base = base.strip_suffix(".tar").unwrap_or(base);
    let key: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if key.is_empty() {
        "app".to_string()
    } else {
        key
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn service_keys() {
        assert_eq!(service_key("nginx:1.27"), "nginx");
        assert_eq!(
            service_key("registry.example:5000/team/App@sha256:ab"),
            "app"
        );
        assert_eq!(service_key("/tmp/x/busybox-www.tar"), "busybox-www");
        assert_eq!(service_key(""), "app");
    }

    #[test]
    fn tmpfs_sizes() {
        assert!(check_tmpfs_size("64m").is_ok());
        assert!(check_tmpfs_size("1048576").is_ok());
        assert!(check_tmpfs_size("m").is_err());
        assert!(check_tmpfs_size("64mm").is_err());
        assert!(check_tmpfs_size("-1").is_err());
    }

    #[test]
    fn no_trace_no_profile() {
        assert_eq!(seccomp_profile(&SeccompFrom::default(), "app"), Ok(None));
        let e = seccomp_profile(
            &SeccompFrom {
                profile_out: Some("p.json".into()),
                ..SeccompFrom::default()
            },
            "app",
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Input);
        assert!(e.message().contains("--seccomp-from"), "{e}");
    }

    #[test]
    fn profile_goes_to_the_folder_given() {
        let dir = tempfile::tempdir().unwrap();
        let from = SeccompFrom {
            syscalls: vec!["read,write".into()],
            profile_dir: Some(dir.path().to_path_buf()),
            ..SeccompFrom::default()
        };
        let p = seccomp_profile(&from, "web").unwrap().unwrap();
        assert_eq!(p.path, dir.path().join("web-seccomp.json"));
        assert!(
            p.why.starts_with("allow-list generated from --syscalls"),
            "{}",
            p.why
        );
        assert!(p.path.is_file());
    }

    #[test]
    fn missing_compose_service_names_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("compose.yaml");
        std::fs::write(&file, "services:\n  web:\n    image: nginx\n").unwrap();
        let e = compose_workload(&file, "db").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Input);
        assert!(e.message().ends_with("choose one of web"), "{e}");
        let e = compose_workload(&dir.path().join("none.yaml"), "web").unwrap_err();
        assert!(e.message().starts_with("cannot load Compose file"), "{e}");
    }
}

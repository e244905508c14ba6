//! `bulkhead harden`: hardened settings for a running container, a Compose
//! service or an image, as a Compose override, `docker run` flags or JSON.

use crate::args::GlobalArgs;
use anyhow::{Context, Result, bail};
use bulkhead_harden::render;
use bulkhead_harden::{ProposeOptions, Workload, propose};
use bulkhead_profile::{audit, generate, strace};
use clap::Args;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Flags of `bulkhead harden`. Give one of --container, --compose (with
/// --service) or --input; --input may complete --compose with the image's
/// config. Output (--format): `compose` (default, an override file), `run`
/// (`docker run` flags on the last line, one comment line per setting
/// above), or `json`.
#[derive(Debug, Args)]
pub struct HardenArgs {
    /// A running container (name or id): its inspect settings plus what it
    /// shows now: files written since start (docker diff) → tmpfs, listening
    /// sockets (/proc/<pid>/net of its init, daemon on this host) → ports,
    /// users of its processes, memory and pids in use.
    #[arg(long, value_name = "NAME|ID", conflicts_with_all = ["compose", "input"])]
    pub container: Option<String>,
    /// A Compose file; choose the service with --service.
    #[arg(long, value_name = "FILE", requires = "service")]
    pub compose: Option<PathBuf>,
    /// The service of --compose; with --input or --container, the service
    /// key to use in the override (default: the image or container name).
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,
    /// An image file (`docker save` tarball, OCI layout directory or
    /// tarball): its config (USER, EXPOSE, VOLUME) and /etc/passwd (to turn a
    /// user name into numbers). With --compose it completes the service.
    #[arg(long, value_name = "IMAGE_FILE")]
    pub input: Option<PathBuf>,
    /// What the program uses, to include a generated seccomp allow-list:
    /// `strace -f` output (raw or the whole `-c` table) or kernel audit lines
    /// recorded under `bulkhead seccomp generate --log-all`; detected from
    /// the content. Repeatable.
    #[arg(long, value_name = "STRACE_OR_AUDIT_FILE")]
    pub seccomp_from: Vec<PathBuf>,
    /// Syscall names to include in the generated profile (comma-separated).
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub syscalls: Vec<String>,
    /// Where to write the generated seccomp profile; the proposal references
    /// this path. Default: `<service>-seccomp.json` next to --output.
    #[arg(long, value_name = "FILE")]
    pub profile_out: Option<PathBuf>,
    /// Size of each tmpfs mount proposed (`size=` option).
    #[arg(long, value_name = "SIZE", default_value = "64m")]
    pub tmpfs_size: String,
    /// uid (and gid) proposed when the workload runs as root.
    #[arg(long, value_name = "UID", default_value_t = 65532)]
    pub fallback_uid: u32,
}

const FORMATS: &[&str] = &["compose", "run", "json"];

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            anyhow::Error::new(crate::Internal(format!(
                "cannot start the async runtime: {e}"
            )))
        })
}

fn check_size(s: &str) -> Result<()> {
    let digits = s.trim_end_matches(['k', 'm', 'g', 'K', 'M', 'G']);
    if digits.is_empty()
        || !digits.chars().all(|c| c.is_ascii_digit())
        || s.len() - digits.len() > 1
    {
        bail!("--tmpfs-size {s:?}: use a number with an optional k, m or g suffix, e.g. 64m");
    }
    Ok(())
}

/// The workload of an image file (`bulkhead_engine::harden`).
fn read_image(global: &GlobalArgs, path: &Path) -> Result<(String, Workload)> {
    let req = super::request::image_file(global, path)?;
    bulkhead_engine::harden::image_workload(&req, &crate::progress::Bars::new(global.quiet))
}

fn load_workload(global: &GlobalArgs, args: &HardenArgs) -> Result<Workload> {
    if let Some(name) = &args.container {
        let rt = runtime()?;
        let mut w = rt.block_on(async {
            let docker = bulkhead_audit::engine::connect().await?;
            bulkhead_harden::observe::observe_container(&docker, name).await
        })?;
        if let Some(s) = &args.service {
            w.name = s.clone();
        }
        return Ok(w);
    }
    if let Some(file) = &args.compose {
        let service = args.service.as_deref().unwrap_or_default();
        let project = bulkhead_lint::compose::load_file(
            file,
            &bulkhead_lint::compose::LoadOptions::default(),
        )
        .with_context(|| format!("cannot load Compose file {}", file.display()))?;
        let Some(s) = project.services.iter().find(|s| s.name == service) else {
            let names: Vec<&str> = project.services.iter().map(|s| s.name.as_str()).collect();
            bail!(
                "no service {service:?} in {}: choose one of {}",
                file.display(),
                names.join(", ")
            );
        };
        let mut w = Workload::from_compose(s, &file.display().to_string());
        if let Some(input) = &args.input {
            let (_, img) = read_image(global, input)?;
            w.image_user = img.image_user;
            w.passwd = img.passwd;
            w.image_volumes = img.image_volumes;
            w.ports.extend(img.ports);
            w.ports.sort();
            w.ports.dedup();
        }
        return Ok(w);
    }
    if let Some(input) = &args.input {
        let (name, mut w) = read_image(global, input)?;
        w.name = match &args.service {
            Some(s) => s.clone(),
            None => bulkhead_engine::harden::service_key(&name),
        };
        return Ok(w);
    }
    bail!(
        "nothing to harden: pass --container NAME, --compose FILE --service NAME, or --input IMAGE_FILE"
    )
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Generate the seccomp profile when asked; returns its path and why.
fn seccomp_profile(
    global: &GlobalArgs,
    args: &HardenArgs,
    service: &str,
) -> Result<Option<(String, String)>> {
    if args.seccomp_from.is_empty() && args.syscalls.is_empty() {
        if args.profile_out.is_some() {
            bail!("--profile-out needs --seccomp-from FILE or --syscalls NAMES to generate from");
        }
        return Ok(None);
    }
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut from: Vec<String> = Vec::new();
    for path in &args.seccomp_from {
        let text = read(path)?;
        // Audit/syslog lines name their record type; anything else is strace.
        let set = if text.contains("type=SECCOMP") || text.contains("type=1326") {
            audit::parse(&text)
                .with_context(|| format!("audit input {}", path.display()))?
                .names()
        } else {
            strace::parse(&text).with_context(|| format!("strace input {}", path.display()))?
        };
        names.extend(set);
        from.push(path.display().to_string());
    }
    if !args.syscalls.is_empty() {
        names.extend(generate::parse_names(&args.syscalls.join(",")).context("--syscalls")?);
        from.push("--syscalls".to_string());
    }
    let observed = names.len();
    let generated = generate::generate(&names, &generate::GenerateOptions::default())
        .context("cannot generate the seccomp profile")?;
    let out = match (&args.profile_out, &global.output) {
        (Some(p), _) => p.clone(),
        (None, Some(o)) => o
            .parent()
            .unwrap_or(Path::new(""))
            .join(format!("{service}-seccomp.json")),
        (None, None) => bail!(
            "where should the seccomp profile go? pass --profile-out FILE (the proposal references that path)"
        ),
    };
    std::fs::write(&out, generated.profile.to_json())
        .with_context(|| format!("cannot write the seccomp profile {}", out.display()))?;
    let mut why = format!(
        "allow-list generated from {} ({observed} syscalls used, plus those the container runtime needs); anything else fails with EPERM",
        from.join(", ")
    );
    if !generated.beyond_default.is_empty() {
        why.push_str(&format!(
            "; allows what Docker's default blocks: {} (check with `bulkhead seccomp lint`)",
            generated.beyond_default.join(", ")
        ));
    }
    Ok(Some((out.display().to_string(), why)))
}

/// Run `bulkhead harden`.
pub fn run(global: &GlobalArgs, args: HardenArgs) -> Result<i32> {
    let format = global.format.as_deref().unwrap_or("compose");
    if !FORMATS.contains(&format) {
        bail!(
            "--format {format} is not available for harden; choose one of: {}",
            FORMATS.join(", ")
        );
    }
    check_size(&args.tmpfs_size)?;
    let workload = load_workload(global, &args)?;
    let seccomp = seccomp_profile(global, &args, &workload.name)?;
    let opts = ProposeOptions {
        seccomp_why: seccomp.as_ref().map(|(_, why)| why.clone()),
        seccomp_profile: seccomp.map(|(path, _)| path),
        tmpfs_size: args.tmpfs_size.clone(),
        fallback_uid: args.fallback_uid,
        ..ProposeOptions::default()
    };
    let proposal = propose(&workload, &opts);
    let text = match format {
        "run" => render::run_text(&proposal),
        "json" => render::json_text(&proposal).map_err(|e| crate::Internal(e.to_string()))?,
        _ => render::compose_text(&proposal),
    };
    crate::output::write_text(global, &text)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert!(check_size("64m").is_ok());
        assert!(check_size("1048576").is_ok());
        assert!(check_size("m").is_err());
        assert!(check_size("64mm").is_err());
        assert!(check_size("-1").is_err());
    }
}

//! `bulkhead harden`: hardened settings for a running container, a Compose
//! service or an image, as a Compose override, `docker run` flags or JSON.

use crate::args::GlobalArgs;
use anyhow::{Result, bail};
use bulkhead_engine::harden::{self, HardenRequest, SeccompFrom, Source};
use bulkhead_report::harden as render;
use clap::Args;
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

/// The engine's request for these flags.
fn request(global: &GlobalArgs, args: HardenArgs) -> Result<HardenRequest> {
    let image = |path: &PathBuf| super::request::image_file(global, path);
    let source = match (&args.container, &args.compose, &args.input) {
        (Some(name), _, _) => Source::Container(name.clone()),
        (None, Some(file), input) => Source::Compose {
            file: file.clone(),
            service: args.service.clone().unwrap_or_default(),
            image: input.as_ref().map(image).transpose()?,
        },
        (None, None, Some(input)) => Source::Image(image(input)?),
        (None, None, None) => bail!(
            "nothing to harden: pass --container NAME, --compose FILE --service NAME, or --input IMAGE_FILE"
        ),
    };
    Ok(HardenRequest {
        // --service names the Compose service itself with --compose.
        service: args.service.filter(|_| args.compose.is_none()),
        seccomp: SeccompFrom {
            traces: args.seccomp_from,
            syscalls: args.syscalls,
            profile_out: args.profile_out,
            profile_dir: global
                .output
                .as_ref()
                .map(|o| o.parent().unwrap_or(Path::new("")).to_path_buf()),
        },
        tmpfs_size: args.tmpfs_size,
        fallback_uid: args.fallback_uid,
        source,
    })
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
    harden::check_tmpfs_size(&args.tmpfs_size)?;
    let req = request(global, args)?;
    let proposal = harden::harden(&req, &crate::progress::Bars::new(global.quiet))?;
    let text = match format {
        "run" => render::run_text(&proposal),
        "json" => render::json_text(&proposal).map_err(|e| crate::Internal(e.to_string()))?,
        _ => render::compose_text(&proposal),
    };
    crate::output::write_text(global, &text)?;
    Ok(0)
}

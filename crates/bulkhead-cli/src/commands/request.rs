//! Flags → one [`ScanRequest`]: the only place the scanning commands turn
//! clap structs into the engine's request.

use super::image::TargetArgs;
use super::image_source::SourceArgs;
use super::scan::ScanArgs;
use crate::args::GlobalArgs;
use anyhow::{Context, Result, bail};
use bulkhead_engine::{DbPolicy, ScanRequest, Scanners, Target};
use bulkhead_image::Platform;
use bulkhead_image::registry::RegistryOptions;
use bulkhead_types::OsInfo;
use std::path::Path;
use std::time::Duration;

fn parse_distro(s: &str) -> Result<OsInfo> {
    let (family, version) = s.split_once('/').with_context(|| {
        format!("bad --distro {s:?}: use FAMILY/VERSION, e.g. debian/11 or alpine/3.10")
    })?;
    if family.trim().is_empty() || version.trim().is_empty() {
        bail!("bad --distro {s:?}: use FAMILY/VERSION, e.g. debian/11 or alpine/3.10");
    }
    Ok(OsInfo {
        family: family.trim().to_ascii_lowercase(),
        name: version.trim().to_string(),
        ..OsInfo::default()
    })
}

/// Registry options from the target flags (`--insecure`, `--timeout`).
pub fn registry_options<'a>(flags: impl Into<TargetFlags<'a>>) -> Result<RegistryOptions> {
    let source = flags.into().source;
    Ok(RegistryOptions {
        insecure: source.insecure,
        timeout: bulkhead_engine::parse_duration(&source.timeout)?,
        ..RegistryOptions::default()
    })
}

/// `--platform`, parsed.
pub fn platform<'a>(flags: impl Into<TargetFlags<'a>>) -> Result<Option<Platform>> {
    flags
        .into()
        .platform
        .map(|p| Platform::parse(p).map_err(anyhow::Error::msg))
        .transpose()
}

/// The flags that bound and source a target, wherever a command declares
/// them (`TargetArgs` for `image`/`sbom`, `DiffArgs` for `diff`).
#[derive(Clone, Copy)]
pub struct TargetFlags<'a> {
    pub platform: Option<&'a str>,
    pub limits: &'a crate::args::LimitArgs,
    pub source: &'a SourceArgs,
}

impl<'a> From<&'a TargetArgs> for TargetFlags<'a> {
    fn from(t: &'a TargetArgs) -> Self {
        TargetFlags {
            platform: t.platform.as_deref(),
            limits: &t.limits,
            source: &t.source,
        }
    }
}

/// The request of a scanning command (`scan`: None for `sbom`, which runs
/// no scanner).
pub fn build(
    global: &GlobalArgs,
    target: Option<&str>,
    targs: &TargetArgs,
    scan: Option<&ScanArgs>,
) -> Result<ScanRequest> {
    for_target(
        global,
        Target::resolve(target, targs.input.as_deref()).map_err(Into::into),
        targs.into(),
        scan,
    )
}

/// The request for an already chosen target (`diff`'s sides, `--recommend`'s
/// candidates).
pub fn for_target(
    global: &GlobalArgs,
    target: Result<Target>,
    flags: TargetFlags<'_>,
    scan: Option<&ScanArgs>,
) -> Result<ScanRequest> {
    let mut req = base(global, target, scan)?;
    flags.limits.apply(&mut req)?;
    if !matches!(req.target, Target::Dir(_)) {
        req.platform = platform(flags)?;
    }
    req.layer_cache = !flags.source.no_cache;
    req.sources = flags.source.image_src.clone();
    if matches!(req.target, Target::Name(_)) {
        req.registry = registry_options(flags)?;
    }
    Ok(req)
}

/// The request of `bulkhead fs DIR` (the limits are its only target flags).
pub fn fs(
    global: &GlobalArgs,
    dir: &Path,
    limits: &crate::args::LimitArgs,
    scan: &ScanArgs,
) -> Result<ScanRequest> {
    let mut req = base(global, Ok(Target::Dir(dir.to_path_buf())), Some(scan))?;
    limits.apply(&mut req)?;
    Ok(req)
}

/// The request that reads an image file with the default limits (`harden`).
pub fn image_file(global: &GlobalArgs, path: &Path) -> Result<ScanRequest> {
    base(global, Ok(Target::File(path.to_path_buf())), None)
}

/// Scanners, `--distro` and the database policy (checked in that order,
/// before the target).
fn base(
    global: &GlobalArgs,
    target: Result<Target>,
    scan: Option<&ScanArgs>,
) -> Result<ScanRequest> {
    let scanners = match scan {
        Some(s) => Scanners::parse(&s.scanners)?,
        None => Scanners::default(),
    };
    let distro = scan
        .and_then(|s| s.distro.as_deref())
        .map(parse_distro)
        .transpose()?;
    let mut req = ScanRequest::new(target?, global.cache_dir());
    req.scanners = scanners;
    req.distro = distro;
    req.db = DbPolicy {
        path: super::db::db_path(global),
        ..DbPolicy::default()
    };
    if let Some(s) = scan {
        req.db.offline = s.offline;
        req.db.skip_update = s.skip_db_update;
        req.db.mirror = s.db_mirror.clone();
        req.db.max_age = Duration::from_secs(s.db_max_age.saturating_mul(3600));
        req.db.warn_age_days = s.db_warn_age;
    }
    Ok(req)
}

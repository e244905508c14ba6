//! `bulkhead verify`: find an image's signatures (both cosign formats) and
//! check them against keys (`--key`) or the signing policy (`--policy FILE`
//! or `[policy]` of bulkhead.toml); without either, list them. Also the
//! policy gate of `bulkhead image --verify`. The work is
//! `bulkhead_engine::trust`'s; `bulkhead_report::signing` renders it.

use super::image::TargetArgs;
use super::sign::RegistryArgs;
use crate::args::GlobalArgs;
use crate::output;
use anyhow::Result;
use bulkhead_engine::trust::{self, Access, Gate};
use clap::Args;
use std::path::{Path, PathBuf};

/// Flags of `bulkhead verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Image in a registry: registry/repository:tag or @sha256:… (a tag is
    /// resolved to its manifest digest first).
    pub image: String,
    /// Public key (PEM) that must have signed the image; repeat to accept
    /// any of several keys.
    #[arg(long = "key", value_name = "FILE")]
    pub keys: Vec<PathBuf>,
    /// Annotation KEY=VALUE the verifying signature must carry (repeatable).
    #[arg(short = 'a', long = "annotations", value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,
    /// Enforce the `[policy]` section of FILE instead of bulkhead.toml's.
    #[arg(long, value_name = "FILE", conflicts_with = "keys")]
    pub policy: Option<PathBuf>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

/// Run `bulkhead verify`.
pub fn run(global: &GlobalArgs, args: VerifyArgs) -> Result<i32> {
    let format = output::choose_format(global, &["table", "json"])?;
    let annotations = trust::parse_annotations(&args.annotations)?;
    let policy = if args.keys.is_empty() {
        trust::load_policy(global.config.as_deref(), args.policy.as_deref())?
    } else {
        None
    };
    bulkhead_sign::verify::mode(!args.keys.is_empty(), policy.is_some(), &annotations)?;
    let resolved = args.registry.resolve(global, &args.image)?;
    let out = trust::verify(
        &resolved,
        &args.image,
        &args.keys,
        policy.as_ref(),
        &annotations,
    )?;
    let text = bulkhead_report::signing::verify(&out, format)?;
    output::write_text(global, &text)?;
    match &out.failure {
        Some(f) => {
            eprintln!(
                "verify: FAILED: {}",
                bulkhead_report::signing::verify_failure(f)
            );
            Ok(1)
        }
        None => Ok(0),
    }
}

/// `bulkhead image --verify`: enforce the policy before a scan
/// (`bulkhead_engine::trust::gate`). Returns the target and flags to scan
/// (the verified digest, from the registry only), or the exit code to stop
/// with after printing why.
pub fn before_scan(
    global: &GlobalArgs,
    target: Option<&str>,
    targs: &TargetArgs,
    policy: Option<&Path>,
) -> Result<std::result::Result<(String, TargetArgs), i32>> {
    let gate = trust::gate(
        target.filter(|_| targs.input.is_none()),
        &targs.source.image_src,
        global.config.as_deref(),
        policy,
        Access {
            insecure: targs.source.insecure,
            timeout: &targs.source.timeout,
        },
        &crate::progress::Bars::new(global.quiet),
    )?;
    match gate {
        Gate::Fail(why) => {
            eprintln!("error: {why}");
            Ok(Err(1))
        }
        Gate::Pass(pinned) => {
            let mut scan_args = targs.clone();
            scan_args.source.image_src = vec!["remote".to_string()];
            Ok(Ok((pinned, scan_args)))
        }
    }
}

//! `bulkhead config`: Dockerfile, Compose, Kubernetes and build-context checks.

use crate::args::{GlobalArgs, ReportArgs};
use anyhow::Result;
use bulkhead_engine::config;
use bulkhead_lint::LintOptions;
use clap::Args;
use std::path::PathBuf;

/// Flags of `bulkhead config`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Files or folders: Dockerfile*, *.Dockerfile, Containerfile*,
    /// docker-compose*.yml, compose*.yaml, .dockerignore, and Kubernetes
    /// manifests (*.yaml/*.yml with top-level apiVersion and kind).
    /// Folders are searched (skipping .git, node_modules, target and a
    /// Helm chart's templates/). Default: the current folder. A Compose file
    /// or manifest named here that cannot be loaded (bad YAML, alias bomb,
    /// too deep; Compose: wrong types) is an input error (exit 2); one
    /// found in a folder is reported as finding BH-CO-026 or BH-K8-012 and
    /// the others are checked.
    pub paths: Vec<PathBuf>,
    /// Dockerfile: treat this stage as the final one (like `docker build --target`).
    #[arg(long)]
    pub target: Option<String>,
    /// Dockerfile: ARG value, NAME=VALUE (repeatable), like `docker build --build-arg`.
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    pub build_args: Vec<String>,
    /// Compose: lint only services without profiles or with one of these
    /// (repeatable; default: every service, whatever its profiles).
    #[arg(long = "profile", value_name = "NAME")]
    pub profiles: Vec<String>,
    /// Do not scan the build context for credential files sent by `COPY . .`.
    #[arg(long)]
    pub no_context: bool,
    /// Print the rules (id, severity, title, hadolint/trivy/dockle ids) and exit.
    #[arg(long)]
    pub list_rules: bool,
    /// Write one Markdown page per rule into DIR (the repository's docs/rules) and exit.
    #[arg(long, value_name = "DIR")]
    pub write_rule_docs: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Run `bulkhead config` (`bulkhead_engine::config`).
pub fn run(global: &GlobalArgs, args: ConfigArgs) -> Result<i32> {
    if args.list_rules {
        crate::output::write_text(global, &bulkhead_lint::docs::rule_list())?;
        return Ok(0);
    }
    if let Some(dir) = &args.write_rule_docs {
        config::write_rule_docs(dir)?;
        return Ok(0);
    }
    let opts = LintOptions {
        target: args.target.clone(),
        build_args: config::parse_build_args(&args.build_args)?,
        profiles: (!args.profiles.is_empty()).then(|| args.profiles.clone()),
        env: None,
        no_context: args.no_context,
    };
    let report = config::check(&args.paths, &opts, global.config.as_deref())?;
    crate::output::emit_findings(report, global, &args.report)
}

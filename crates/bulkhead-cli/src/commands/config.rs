//! `bulkhead config`: Dockerfile, Compose and build-context checks.

use crate::args::{GlobalArgs, ReportArgs};
use anyhow::{Context, Result, bail};
use bulkhead_lint::{LintOptions, lint_paths, to_report};
use clap::Args;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Flags of `bulkhead config`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Files or folders: Dockerfile*, *.Dockerfile, Containerfile*,
    /// docker-compose*.yml, compose*.yaml, .dockerignore. Folders are searched
    /// (skipping .git, node_modules, target). Default: the current folder.
    /// A Compose file named here that cannot be loaded (bad YAML, alias
    /// bomb, too deep, wrong types) is an input error (exit 2); one found in
    /// a folder is reported as finding BH-CO-026 and the others are checked.
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

/// Run `bulkhead config`.
pub fn run(global: &GlobalArgs, args: ConfigArgs) -> Result<i32> {
    if args.list_rules {
        let mut s = String::new();
        for r in bulkhead_lint::rules::all() {
            let m = &r.meta;
            let map: Vec<String> = [m.hadolint, m.trivy, m.dockle]
                .iter()
                .flat_map(|v| v.iter().map(|x| x.to_string()))
                .collect();
            s.push_str(&format!(
                "{:<10} {:<9} {:<10} {}{}\n",
                m.id,
                m.severity.as_str(),
                m.kind.as_str(),
                m.title,
                if map.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", map.join(", "))
                }
            ));
        }
        crate::output::write_text(global, &s)?;
        return Ok(0);
    }
    if let Some(dir) = &args.write_rule_docs {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create folder {}", dir.display()))?;
        for (name, text) in bulkhead_lint::docs::files() {
            std::fs::write(dir.join(&name), text)
                .with_context(|| format!("cannot write {}", dir.join(&name).display()))?;
        }
        return Ok(0);
    }
    let mut build_args = BTreeMap::new();
    for b in &args.build_args {
        let Some((k, v)) = b.split_once('=') else {
            bail!("--build-arg {b:?} must be NAME=VALUE");
        };
        build_args.insert(k.to_string(), v.to_string());
    }
    let opts = LintOptions {
        target: args.target.clone(),
        build_args,
        profiles: (!args.profiles.is_empty()).then(|| args.profiles.clone()),
        env: None,
        no_context: args.no_context,
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let files = lint_paths(&paths, &opts)?;
    for f in &files {
        if let Some(e) = &f.load_error
            && paths.iter().any(|p| p == &f.path)
        {
            bail!(
                "{e}; fix the Compose file (`docker compose -f FILE config` shows how Compose reads it)"
            );
        }
    }
    let name = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    let mut report = to_report(&name, &files);
    // Secrets (class `secret`) in the same Dockerfiles and Compose files, and
    // in dotenv files under the given paths.
    let linted: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    super::secret::add_config_secrets(global, &mut report, &linted, &paths)?;
    // A credential value in a Dockerfile instruction is reported once, as
    // BH-DF-005, and a secret in a Compose environment entry once, as
    // BH-CO-020, not again as secret findings.
    bulkhead_secrets::sources::drop_dockerfile_duplicates(&mut report);
    bulkhead_secrets::sources::drop_compose_duplicates(&mut report);
    crate::output::emit(
        report,
        global,
        &args.report,
        crate::output::FINDING_FORMATS,
        crate::output::EmitOptions::default(),
    )
}

//! `bulkhead config` as one call: Dockerfiles, Compose files, Kubernetes
//! manifests and build contexts linted (`bulkhead-lint`), with the secrets
//! in those files and in dotenv files beside them (`bulkhead-secrets`),
//! into one report.

use crate::error::bail;
use crate::error::{Context, Result};
use bulkhead_lint::{LintOptions, lint_paths, to_report};
use bulkhead_secrets::sources;
use bulkhead_types::Report;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Parse `--build-arg NAME=VALUE` values (the last of a name wins).
pub fn parse_build_args(flags: &[String]) -> Result<BTreeMap<String, String>> {
    let mut build_args = BTreeMap::new();
    for b in flags {
        let Some((k, v)) = b.split_once('=') else {
            bail!("--build-arg {b:?} must be NAME=VALUE");
        };
        build_args.insert(k.to_string(), v.to_string());
    }
    Ok(build_args)
}

/// Lint `paths` (files or folders; none: the current folder). A Compose
/// file or Kubernetes manifest named in `paths` that cannot be loaded is an
/// error; one found in a folder is a finding. Secrets are looked for with
/// the built-in rules plus `[secrets]` of the settings file (`config`, see
/// [`crate::settings::load`]) in the linted files and in dotenv files
/// (`.env`, `.env.*`, `*.env`) under `paths`.
pub fn check(paths: &[PathBuf], opts: &LintOptions, config: Option<&Path>) -> Result<Report> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let files = lint_paths(&paths, opts)?;
    for f in &files {
        if let Some(e) = &f.load_error
            && paths.iter().any(|p| p == &f.path)
        {
            if f.kind == bulkhead_lint::FileKind::Kubernetes {
                bail!(
                    "{e}; fix the manifest (`kubectl apply --dry-run=client -f FILE` shows how kubectl reads it)"
                );
            }
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
    let scanner = crate::settings::load(config)?.secret_scanner()?;
    let mut secret_files: Vec<PathBuf> = files
        .iter()
        .map(|f| f.path.clone())
        .filter(|p| !p.ends_with(".dockerignore"))
        .collect();
    secret_files.extend(sources::find_env_files(&paths));
    let (results, warnings) = sources::file_results(&secret_files, &scanner);
    report.results.extend(results);
    report.warnings.extend(warnings);
    // A credential value in a Dockerfile instruction is reported once, as
    // BH-DF-005, and a secret in a Compose environment entry once, as
    // BH-CO-020, not again as secret findings.
    sources::drop_dockerfile_duplicates(&mut report);
    sources::drop_compose_duplicates(&mut report);
    Ok(report)
}

/// Write one Markdown page per rule, and their index, into `dir`.
pub fn write_rule_docs(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create folder {}", dir.display()))?;
    for (name, text) in bulkhead_lint::docs::files() {
        std::fs::write(dir.join(&name), text)
            .with_context(|| format!("cannot write {}", dir.join(&name).display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_args() {
        let a = parse_build_args(&["A=1".into(), "B=x=y".into(), "A=2".into()]).unwrap();
        assert_eq!(a["A"], "2");
        assert_eq!(a["B"], "x=y");
        let e = parse_build_args(&["A".into()]).unwrap_err();
        assert_eq!(e.to_string(), "--build-arg \"A\" must be NAME=VALUE");
    }

    #[test]
    fn a_dockerfile_with_a_secret() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Dockerfile"),
            "FROM debian:12\nUSER 1000\nHEALTHCHECK CMD true\n",
        )
        .unwrap();
        let random = "Ex9Kq2LmN8pR4tV6wY1zA3bC5dE7fG";
        let token = bulkhead_secrets::validate::token_checksum(random);
        let env = format!("GITHUB_TOKEN=ghp_{random}{token}\n");
        std::fs::write(dir.path().join(".env"), env).unwrap();
        let settings = dir.path().join("bulkhead.toml");
        std::fs::write(&settings, "").unwrap();
        let report = check(
            &[dir.path().to_path_buf()],
            &LintOptions::default(),
            Some(&settings),
        )
        .unwrap();
        assert!(report.results.iter().any(|r| r.kind == "dockerfile"));
        assert!(
            report.results.iter().any(|r| !r.secrets.is_empty()),
            "{:?}",
            report.results
        );
        let docs = dir.path().join("rules");
        write_rule_docs(&docs).unwrap();
        assert!(docs.join("README.md").is_file());
    }
}

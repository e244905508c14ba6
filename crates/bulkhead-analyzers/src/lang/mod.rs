//! Language packages: installed-package evidence inside images (Python
//! `dist-info`, `node_modules/**/package.json`, jars, Go and cargo-auditable
//! binaries, gemspecs, Composer's `installed.json`, .NET `deps.json`) and
//! project lockfiles (read by `fs` scans only, see
//! [`Analyzer::fs_only`](crate::Analyzer::fs_only)).
//!
//! Result types (`kind`) follow Trivy's names so reports line up:
//! `python-pkg`, `pip`, `pipenv`, `poetry`, `uv`, `pdm`, `node-pkg`, `npm`,
//! `yarn`, `pnpm`, `cargo`, `rustbinary`, `gobinary`, `gomod`, `jar`,
//! `gemspec`, `bundler`, `composer-vendor`, `composer`, `dotnet-core`,
//! `nuget`. Per-package files (`python-pkg`, `node-pkg`, `gemspec`, `jar`)
//! are merged into one result per image by the inventory ([`aggregate_target`]).

pub mod dotnet;
mod elf;
pub mod golang;
pub mod java;
pub mod node;
pub mod php;
pub mod python;
pub mod ruby;
pub mod rust;

use crate::FileAnalysis;
use bulkhead_types::{Ecosystem, Package};
use packageurl::PackageUrl;

/// For result types with one package per file, the single target the
/// inventory merges them into (Trivy's `Python`, `Node.js`, `Ruby`, `Java`).
pub fn aggregate_target(kind: &str) -> Option<&'static str> {
    match kind {
        "python-pkg" => Some("Python"),
        "node-pkg" => Some("Node.js"),
        "gemspec" => Some("Ruby"),
        "jar" => Some("Java"),
        _ => None,
    }
}

/// PEP 503 normalised name: lowercase, runs of `-`, `_`, `.` become `-`.
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
            continue;
        }
        if sep && !out.is_empty() {
            out.push('-');
        }
        sep = false;
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The purl of a language package (empty when the parts are not valid).
pub fn lang_purl(eco: Ecosystem, name: &str, version: &str) -> String {
    let (namespace, short): (Option<&str>, String) = match eco {
        Ecosystem::Python => (None, pep503(name)),
        Ecosystem::Npm => match name.strip_prefix('@').and_then(|n| n.split_once('/')) {
            Some((scope, n)) => (Some(&name[..=scope.len()]), n.to_string()),
            None => (None, name.to_string()),
        },
        Ecosystem::Go | Ecosystem::Composer => match name.rsplit_once('/') {
            Some((ns, n)) => (Some(ns), n.to_string()),
            None => (None, name.to_string()),
        },
        Ecosystem::Maven => match name.split_once(':') {
            Some((g, a)) => (Some(g), a.to_string()),
            None => (None, name.to_string()),
        },
        _ => (None, name.to_string()),
    };
    let Ok(mut purl) = PackageUrl::new(eco.purl_type(), short) else {
        return String::new();
    };
    if let Some(ns) = namespace.filter(|n| !n.is_empty())
        && purl.with_namespace(ns.to_string()).is_err()
    {
        return String::new();
    }
    if !version.is_empty() && purl.with_version(version.to_string()).is_err() {
        return String::new();
    }
    purl.to_string()
}

/// A language package with id, purl and manifest path filled in.
pub fn lang_pkg(eco: Ecosystem, name: &str, version: &str, path: &str) -> Package {
    let mut p = Package::new(eco, name, version);
    p.id = match eco {
        Ecosystem::Maven => format!("{name}:{version}"),
        _ => format!("{name}@{version}"),
    };
    p.identifier.purl = lang_purl(eco, name, version);
    p.file_path = path.to_string();
    p
}

/// Wrap packages into a result; duplicates (same name and version) dropped,
/// order kept.
pub(crate) fn result(kind: &str, eco: Ecosystem, mut packages: Vec<Package>) -> FileAnalysis {
    let mut seen = std::collections::HashSet::new();
    packages.retain(|p| seen.insert((p.name.clone(), p.version.clone())));
    FileAnalysis::Packages {
        kind: kind.to_string(),
        ecosystem: eco,
        packages,
    }
}

/// Last path component.
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// File names the manifest fuzz target picks from.
const FUZZ_PATHS: &[&str] = &[
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "poetry.lock",
    "Pipfile.lock",
    "requirements.txt",
    "uv.lock",
    "Cargo.lock",
    "go.mod",
    "Gemfile.lock",
    "composer.lock",
    "vendor/composer/installed.json",
    "app.deps.json",
    "packages.lock.json",
    "app/node_modules/a/package.json",
    "site-packages/a.dist-info/METADATA",
    "gems/specifications/a.gemspec",
];

/// Fuzzing entry (also replayed by tests): the first byte picks a file
/// name, the rest is given to every analyzer reading that name.
pub fn fuzz_manifest(data: &[u8]) {
    let Some((sel, rest)) = data.split_first() else {
        return;
    };
    let Some(path) = FUZZ_PATHS.get(usize::from(*sel) % FUZZ_PATHS.len()) else {
        return;
    };
    for a in crate::all() {
        if a.required(path, rest.len() as u64) {
            let _ = a.analyze(path, rest);
        }
    }
}

/// Fuzzing entry for the binary readers: Go build info, cargo-auditable
/// `.dep-v0` and the (nested) jar walker.
pub fn fuzz_binary(data: &[u8]) {
    use crate::Analyzer;
    let _ = golang::GoBinaryAnalyzer.analyze("bin/x", data);
    let _ = rust::AuditableAnalyzer.analyze("bin/x", data);
    let _ = java::JarAnalyzer.analyze("x.jar", data);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls() {
        assert_eq!(
            lang_purl(Ecosystem::Python, "Flask_Login", "0.6.0"),
            "pkg:pypi/flask-login@0.6.0"
        );
        assert_eq!(
            lang_purl(Ecosystem::Npm, "@babel/core", "7.0.0"),
            "pkg:npm/%40babel/core@7.0.0"
        );
        assert_eq!(
            lang_purl(Ecosystem::Go, "golang.org/x/text", "v0.3.7"),
            "pkg:golang/golang.org/x/text@v0.3.7"
        );
        assert_eq!(
            lang_purl(
                Ecosystem::Maven,
                "org.apache.logging.log4j:log4j-core",
                "2.14.1"
            ),
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
        );
        assert_eq!(
            lang_purl(Ecosystem::Composer, "symfony/http-kernel", "v5.4.0"),
            "pkg:composer/symfony/http-kernel@v5.4.0"
        );
        assert_eq!(
            lang_purl(Ecosystem::Cargo, "smallvec", "1.6.0"),
            "pkg:cargo/smallvec@1.6.0"
        );
    }

    #[test]
    fn pep503_names() {
        assert_eq!(pep503("Foo.Bar__baz"), "foo-bar-baz");
        assert_eq!(pep503("requests"), "requests");
    }
}

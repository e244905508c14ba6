//! Ruby: installed gems (`**/specifications/*.gemspec`) and, for `fs`
//! scans, `Gemfile.lock`.

use super::{file_name, lang_pkg, result};
use crate::{AnalyzeError, Analyzer, FileAnalysis, text};
use bulkhead_types::{Ecosystem, Package};

const MAX_FILE: u64 = 16 * 1024 * 1024;

/// Installed gem specifications.
pub struct GemspecAnalyzer;

/// The string literal at the start of `s` (`"x"`, `'x'`, `%q{x}`), with
/// `.freeze` and similar suffixes ignored.
fn literal(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s.strip_prefix("Gem::Version.new(").unwrap_or(s);
    let (open, close, body) = if let Some(b) = s.strip_prefix("%q{") {
        ('{', '}', b)
    } else if let Some(b) = s.strip_prefix('"') {
        ('"', '"', b)
    } else if let Some(b) = s.strip_prefix('\'') {
        ('\'', '\'', b)
    } else {
        return None;
    };
    let _ = open;
    body.find(close)
        .and_then(|i| body.get(..i))
        .map(str::to_string)
}

/// Parse a gemspec written by RubyGems (`s.name = "rake".freeze`). Only
/// literal assignments are read; nothing is evaluated.
pub fn parse_gemspec(path: &str, content: &str) -> Result<Package, AnalyzeError> {
    let (mut name, mut version, mut licenses) = (None, None, Vec::new());
    for line in content.lines() {
        let line = line.trim();
        let Some((lhs, rhs)) = line.split_once('=') else {
            continue;
        };
        let field = lhs.trim().rsplit('.').next().unwrap_or("");
        match field {
            "name" if name.is_none() => name = literal(rhs),
            "version" if version.is_none() => version = literal(rhs),
            "licenses" | "license" => {
                let rhs = rhs.trim().trim_start_matches('[');
                licenses = rhs
                    .split(',')
                    .filter_map(literal)
                    .filter(|l| !l.is_empty())
                    .collect();
            }
            _ => {}
        }
    }
    match (name, version) {
        (Some(n), Some(v)) if !n.is_empty() && !v.is_empty() => {
            let mut p = lang_pkg(Ecosystem::RubyGems, &n, &v, path);
            p.licenses = licenses;
            Ok(p)
        }
        _ => Err(AnalyzeError::malformed(
            path,
            "no literal name/version in gemspec",
        )),
    }
}

impl Analyzer for GemspecAnalyzer {
    fn name(&self) -> &'static str {
        "lang/gemspec"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, path: &str, size: u64) -> bool {
        size <= MAX_FILE
            && path.ends_with(".gemspec")
            && path.rsplit('/').nth(1) == Some("specifications")
    }
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        let p = parse_gemspec(path, &text(content))?;
        Ok(Some(result("gemspec", Ecosystem::RubyGems, vec![p])))
    }
}

/// `Gemfile.lock` (`fs` scans).
pub struct GemfileLockAnalyzer;

/// The gems of the `GEM`/`GIT`/`PATH` sections' `specs:` (4-space indented
/// `name (version[-platform])` lines; deeper lines are dependency ranges).
pub fn parse_gemfile_lock(path: &str, content: &str) -> Result<Vec<Package>, AnalyzeError> {
    let mut out = Vec::new();
    let mut in_specs = false;
    let mut saw_section = false;
    for line in content.lines() {
        if !line.starts_with(' ') {
            in_specs = false;
            saw_section |= matches!(
                line.trim(),
                "GEM" | "GIT" | "PATH" | "PLATFORMS" | "DEPENDENCIES"
            );
            continue;
        }
        if line.trim() == "specs:" {
            in_specs = true;
            continue;
        }
        if !in_specs || line.starts_with("      ") || !line.starts_with("    ") {
            continue;
        }
        let Some((name, rest)) = line.trim().split_once(" (") else {
            continue;
        };
        let version = rest.trim_end_matches(')');
        // Platform suffix (`1.13.10-x86_64-linux`): a gem version has no `-`.
        let version = version.split('-').next().unwrap_or(version);
        if !name.is_empty() && !version.is_empty() {
            out.push(lang_pkg(Ecosystem::RubyGems, name, version, path));
        }
    }
    if !saw_section && !content.trim().is_empty() {
        return Err(AnalyzeError::malformed(
            path,
            "no GEM section: not a Gemfile.lock",
        ));
    }
    Ok(out)
}

impl Analyzer for GemfileLockAnalyzer {
    fn name(&self) -> &'static str {
        "lang/bundler"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, path: &str, size: u64) -> bool {
        size <= MAX_FILE && file_name(path) == "Gemfile.lock"
    }
    fn fs_only(&self) -> bool {
        true
    }
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        Ok(Some(result(
            "bundler",
            Ecosystem::RubyGems,
            parse_gemfile_lock(path, &text(content))?,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gemspec() {
        let g = "# -*- encoding: utf-8 -*-\nGem::Specification.new do |s|\n  s.name = \"rake\".freeze\n  s.version = \"13.0.6\"\n  s.licenses = [\"MIT\".freeze]\n  s.add_runtime_dependency(%q<x>.freeze, [\">= 0\"])\nend\n";
        let p = parse_gemspec("var/lib/gems/3.1.0/specifications/rake-13.0.6.gemspec", g).unwrap();
        assert_eq!(p.id, "rake@13.0.6");
        assert_eq!(p.licenses, vec!["MIT"]);
        assert_eq!(p.identifier.purl, "pkg:gem/rake@13.0.6");
        assert!(parse_gemspec("x", "s.name = foo()").is_err());
    }

    #[test]
    fn lock() {
        let l = "GEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri (1.13.10-x86_64-linux)\n      racc (~> 1.4)\n    racc (1.6.1)\n\nPLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  nokogiri\n";
        let ids: Vec<_> = parse_gemfile_lock("Gemfile.lock", l)
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, vec!["nokogiri@1.13.10", "racc@1.6.1"]);
        assert!(parse_gemfile_lock("Gemfile.lock", "junk").is_err());
    }
}

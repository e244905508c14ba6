//! Package-manager helpers for the hygiene rules (not a rule).

use crate::dockerfile::shell::Command;
use crate::rules::{DockerfileCx, Sink};

/// Whether `c` is `<program> <sub> …` with one of the subcommands.
pub fn is(c: &Command, programs: &[&str], subs: &[&str]) -> bool {
    if !programs.contains(&c.program()) {
        return false;
    }
    c.argv()
        .iter()
        .skip(1)
        .find(|w| !w.starts_with('-'))
        .is_some_and(|w| subs.contains(&w.as_str()))
}

/// Whether any word has one of the long flags or a short-flag cluster with `short`.
pub fn has_flag(c: &Command, long: &[&str], short: Option<char>) -> bool {
    c.argv().iter().any(|w| {
        long.iter()
            .any(|l| w == l || w.starts_with(&format!("{l}=")))
            || short.is_some_and(|s| w.starts_with('-') && !w.starts_with("--") && w.contains(s))
    })
}

/// The package arguments of `<program> <sub> …` that `pinned` rejects.
/// `programs` match the program name (or `python* -m <program>`); words
/// after flags listed in `value_flags` are flag values, not packages; words
/// starting with `-` and words holding shell syntax (`$`, `<`, `>`) are skipped.
pub fn unpinned(
    c: &Command,
    programs: &[&str],
    subs: &[&str],
    value_flags: &[&str],
    pinned: fn(&str) -> bool,
) -> Vec<String> {
    let argv = c.argv();
    let prog = c.program();
    let rest: &[String] = if prog.starts_with("python") && argv.get(1).is_some_and(|w| w == "-m") {
        let Some(module) = argv.get(2) else {
            return Vec::new();
        };
        if !programs.contains(&module.as_str()) {
            return Vec::new();
        }
        argv.get(3..).unwrap_or(&[])
    } else if programs.contains(&prog) {
        argv.get(1..).unwrap_or(&[])
    } else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut seen_sub = false;
    let mut skip_next = false;
    for w in rest {
        if skip_next {
            skip_next = false;
            continue;
        }
        if w.starts_with('-') {
            skip_next = !w.contains('=') && value_flags.contains(&w.as_str());
            continue;
        }
        if !seen_sub {
            if !subs.contains(&w.as_str()) {
                return Vec::new();
            }
            seen_sub = true;
            continue;
        }
        if w.is_empty() || w.contains(['$', '<', '>', '`']) && !w.contains("==") {
            continue;
        }
        if !pinned(w) {
            out.push(w.clone());
        }
    }
    out
}

/// Whether a word is a local file or folder, URL or VCS reference rather
/// than a registry package name.
pub fn is_local_or_url(w: &str) -> bool {
    w.starts_with('.')
        || w.starts_with('/')
        || w.starts_with('~')
        || w.contains("://")
        || w.starts_with("git+")
        || w.starts_with("git@")
        || w.starts_with("file:")
}

/// Whether an RPM package spec carries a version: `name-1.2.3`,
/// `name-1.2.3-1.el9`, `name-0:1.2-3`, `name-1.2*`. Package names hold
/// dashes and digits too (`java-11-openjdk`, `compat-libstdc++-33`), so the
/// last dash-separated part must look like a version with a `.` or `:`, or
/// be a release after such a version.
pub fn rpm_versioned(w: &str) -> bool {
    fn version_like(s: &str) -> bool {
        let v = s.split_once(':').map_or(s, |(epoch, v)| {
            if !epoch.is_empty() && epoch.bytes().all(|b| b.is_ascii_digit()) {
                v
            } else {
                ""
            }
        });
        v.starts_with(|c: char| c.is_ascii_digit())
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".+~^_*".contains(c))
    }
    let mut parts = w.rsplit('-');
    let (Some(last), Some(prev)) = (parts.next(), parts.next()) else {
        return false;
    };
    let last_is_version = !prev.is_empty() && version_like(last) && last.contains(['.', ':']);
    let release_after_version = last.starts_with(|c: char| c.is_ascii_digit())
        && parts.next().is_some()
        && version_like(prev)
        && prev.contains(['.', ':']);
    last_is_version || release_after_version
}

/// Report the first command of each RUN that installs unpinned packages
/// (the shape of every pinning rule): `label` names the command in the
/// message, e.g. `yum install`.
pub fn flag_unpinned(
    cx: &DockerfileCx<'_>,
    out: &mut Sink<'_>,
    programs: &[&str],
    subs: &[&str],
    value_flags: &[&str],
    pinned: fn(&str) -> bool,
) {
    for r in &cx.runs {
        for c in &r.commands {
            let u = unpinned(c, programs, subs, value_flags, pinned);
            if !u.is_empty() {
                out.at(
                    r.inst.span,
                    format!(
                        "{} {} without versions: {}",
                        c.program(),
                        subs.first().copied().unwrap_or_default(),
                        u.join(" ")
                    ),
                    c.words.join(" "),
                );
                break;
            }
        }
    }
}

/// Test helper: the lines where rule `id` reports on Dockerfile `src`.
#[cfg(test)]
pub(super) fn finding_lines(src: &str, id: &str) -> Vec<usize> {
    crate::lint_dockerfile(src, None, &crate::LintOptions::default())
        .iter()
        .filter(|f| f.rule.id == id)
        .map(|f| f.line)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::rpm_versioned;

    #[test]
    fn rpm_version_shapes() {
        for w in [
            "nginx-1.24.0",
            "nginx-1.24.0-1.el9",
            "openssl-1:3.0.7-27.el9",
            "tzdata-0:2024a-1.el9",
            "java-11-openjdk-11.0.20.0.8",
            "nginx-1.24*",
            "kernel-5.14.0-362.8.1.el9_3.x86_64",
            "httpd-2.4.57-5",
        ] {
            assert!(rpm_versioned(w), "{w}");
        }
        for w in [
            "nginx",
            "rpm-sign",
            "java-11-openjdk",
            "java-1.8.0-openjdk",
            "compat-libstdc++-33",
            "python3-pip",
            "glibc-32bit",
            "-1.2",
            "a-:1.2",
            "",
        ] {
            assert!(!rpm_versioned(w), "{w}");
        }
    }
}

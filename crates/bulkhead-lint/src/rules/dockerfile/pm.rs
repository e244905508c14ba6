//! Package-manager helpers for the hygiene rules (not a rule).

use crate::dockerfile::shell::Command;

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

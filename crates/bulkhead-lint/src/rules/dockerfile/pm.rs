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

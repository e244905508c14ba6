//! RubyGems versions, ordered like `Gem::Version#<=>` (checked against Debian's
//! ruby-rubygems 3.3 on every vector in `tests/vectors/rubygems.tsv`).
//!
//! Hand-written: there is no maintained Rust crate for `Gem::Version`, and the rules
//! are short. A `-` becomes `.pre.`; segments are digit runs (numbers of any size) and
//! letter runs; trailing zero segments are dropped from the numeric part and from the
//! pre-release part; a letter segment sorts before a number, a missing segment is 0.

use std::cmp::Ordering;

use crate::util::{check_input, cmp_digits};
use crate::{Scheme, VersionError};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    /// Digits without leading zeros (`""` is zero).
    Num(String),
    Str(String),
}

impl Seg {
    fn is_zero(&self) -> bool {
        matches!(self, Seg::Num(d) if d.is_empty())
    }
}

/// A parsed RubyGems version.
#[derive(Debug, Clone)]
pub struct GemVersion {
    text: String,
    canonical: Vec<Seg>,
}

/// Ruby's `\s`.
fn is_ruby_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\x0c' | '\x0b')
}

/// `Gem::Version.correct?`: `[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`.
fn well_formed(s: &str) -> bool {
    let b = s.as_bytes();
    let mut p = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if p == 0 {
        return false;
    }
    let run = |from: usize, dash: bool| {
        b.get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || (dash && **c == b'-'))
            .count()
    };
    while b.get(p) == Some(&b'.') {
        let n = run(p + 1, false);
        if n == 0 {
            break;
        }
        p += 1 + n;
    }
    if b.get(p) == Some(&b'-') {
        let n = run(p + 1, true);
        if n == 0 {
            return false;
        }
        p += 1 + n;
        while b.get(p) == Some(&b'.') {
            let n = run(p + 1, true);
            if n == 0 {
                return false;
            }
            p += 1 + n;
        }
    }
    p == b.len()
}

impl GemVersion {
    /// Parse like `Gem::Version.new` (surrounding whitespace allowed).
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        check_input(Scheme::RubyGems, input)?;
        let s = input.trim_matches(is_ruby_space);
        if s.is_empty() {
            return Err(VersionError::Empty {
                scheme: Scheme::RubyGems,
            });
        }
        if !well_formed(s) {
            return Err(VersionError::invalid(
                Scheme::RubyGems,
                input,
                "malformed version number string",
            ));
        }
        let normalised = s.replace('-', ".pre.");
        // scan(/[0-9]+|[a-z]+/i)
        let mut segs = Vec::new();
        let b = normalised.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let Some(&c) = b.get(i) else { break };
            let digit = c.is_ascii_digit();
            if !digit && !c.is_ascii_alphabetic() {
                i += 1;
                continue;
            }
            let start = i;
            while b.get(i).is_some_and(|c| {
                if digit {
                    c.is_ascii_digit()
                } else {
                    c.is_ascii_alphabetic()
                }
            }) {
                i += 1;
            }
            let text = normalised.get(start..i).unwrap_or_default();
            segs.push(if digit {
                Seg::Num(text.trim_start_matches('0').to_owned())
            } else {
                Seg::Str(text.to_owned())
            });
        }
        // canonical_segments: drop trailing zeros of the numeric part and of the rest
        let split = segs
            .iter()
            .position(|s| matches!(s, Seg::Str(_)))
            .unwrap_or(segs.len());
        let rest = segs.split_off(split);
        let mut canonical = segs;
        while canonical.last().is_some_and(Seg::is_zero) {
            canonical.pop();
        }
        let keep = rest.len() - rest.iter().rev().take_while(|s| s.is_zero()).count();
        canonical.extend(rest.into_iter().take(keep));
        Ok(GemVersion {
            text: input.to_owned(),
            canonical,
        })
    }

    /// The version text as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `true` when the version has a letter (a pre-release in RubyGems' terms).
    pub fn is_prerelease(&self) -> bool {
        self.canonical.iter().any(|s| matches!(s, Seg::Str(_)))
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Seg::Num(String::new());
        let n = self.canonical.len().max(other.canonical.len());
        for i in 0..n {
            let a = self.canonical.get(i).unwrap_or(&zero);
            let b = other.canonical.get(i).unwrap_or(&zero);
            let c = match (a, b) {
                (Seg::Num(x), Seg::Num(y)) => cmp_digits(x.as_bytes(), y.as_bytes()),
                (Seg::Str(x), Seg::Str(y)) => x.as_bytes().cmp(y.as_bytes()),
                (Seg::Str(_), Seg::Num(_)) => Ordering::Less,
                (Seg::Num(_), Seg::Str(_)) => Ordering::Greater,
            };
            if c != Ordering::Equal {
                return c;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for GemVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GemVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> GemVersion {
        GemVersion::parse(s).unwrap()
    }

    #[test]
    fn reference_orderings() {
        let chain = ["1.0.a", "1.0.b1", "1.0.pre.rc1", "1.0", "1.0.1"];
        for w in chain.windows(2) {
            assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
        }
        assert_eq!(v("1.0-rc1"), v("1.0.pre.rc1"));
        assert_eq!(v("1.0"), v("1"));
        assert!(v("1.0.a").is_prerelease());
        for bad in ["a", "1.0.", ".1", "1..0", "1.0-", "1 0"] {
            assert!(GemVersion::parse(bad).is_err(), "{bad}");
        }
    }
}

//! Alpine apk versions: `digits{.digits}[letter]{_suffix[digits]}[~hash][-rN]`.
//!
//! Hand-written from the apk-tools rules (there is no maintained Rust crate for them).
//! There is no apk-tools on the Debian build machine, so `tests/vectors/apk.tsv` was
//! derived from these rules by an independent Python implementation in
//! `scripts/gen_vectors.py` and hand-checked against the orderings the apk-tools
//! documentation and reference list; it is a consistency check, not an oracle.
//!
//! Rules:
//! * tokens are compared pairwise while both sides have the same token kind: numbers
//!   numerically, except a non-initial number where either side starts with `0`, which
//!   is compared as a string (`1.01 < 1.1`); letters and commit hashes bytewise;
//!   suffixes by `_alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p`;
//! * when the kinds differ, a pre-release suffix (`_alpha` … `_rc`) makes its side
//!   older; otherwise the side whose next token kind ranks higher in (initial number,
//!   number, letter, suffix, suffix number, hash, revision, end) is older.

use std::cmp::Ordering;

use crate::util::{check_input, cmp_digits};
use crate::{Scheme, VersionError};

const PRE_SUFFIXES: [&str; 4] = ["alpha", "beta", "pre", "rc"];
const POST_SUFFIXES: [&str; 5] = ["cvs", "svn", "git", "hg", "p"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Initial,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    Hash,
    Revision,
    End,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    /// Byte range of the token's text in the version string (digits, letter, hash).
    start: usize,
    end: usize,
    /// Suffix rank: negative for pre-release suffixes, positive for post-release ones.
    rank: i8,
}

/// A validated apk version.
#[derive(Debug, Clone)]
pub struct ApkVersion {
    text: String,
    tokens: Vec<Token>,
}

impl ApkVersion {
    /// Parse and tokenise an apk version string.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        const S: Scheme = Scheme::Apk;
        check_input(S, input)?;
        let b = input.as_bytes();
        let mut tokens = Vec::new();
        let digits_from = |p: usize| {
            p + b
                .get(p..)
                .unwrap_or_default()
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count()
        };
        let tok = |kind, start, end| Token {
            kind,
            start,
            end,
            rank: 0,
        };

        let mut p = digits_from(0);
        if p == 0 {
            return Err(VersionError::invalid(S, input, "must start with a number"));
        }
        tokens.push(tok(Kind::Initial, 0, p));
        while b.get(p) == Some(&b'.') {
            let e = digits_from(p + 1);
            if e == p + 1 {
                return Err(VersionError::invalid(
                    S,
                    input,
                    "expected a number after '.'",
                ));
            }
            tokens.push(tok(Kind::Digit, p + 1, e));
            p = e;
        }
        if b.get(p).is_some_and(u8::is_ascii_lowercase) {
            tokens.push(tok(Kind::Letter, p, p + 1));
            p += 1;
        }
        while b.get(p) == Some(&b'_') {
            let start = p + 1;
            let mut e = start;
            while b.get(e).is_some_and(u8::is_ascii_lowercase) {
                e += 1;
            }
            let name = input.get(start..e).unwrap_or_default();
            let rank = if let Some(i) = PRE_SUFFIXES.iter().position(|s| *s == name) {
                i as i8 - PRE_SUFFIXES.len() as i8
            } else if let Some(i) = POST_SUFFIXES.iter().position(|s| *s == name) {
                i as i8 + 1
            } else {
                return Err(VersionError::invalid(
                    S,
                    input,
                    "unknown '_' suffix (expected alpha, beta, pre, rc, cvs, svn, git, hg or p)",
                ));
            };
            tokens.push(Token {
                kind: Kind::Suffix,
                start,
                end: e,
                rank,
            });
            p = e;
            let n = digits_from(p);
            if n > p {
                tokens.push(tok(Kind::SuffixNo, p, n));
                p = n;
            }
        }
        if b.get(p) == Some(&b'~') {
            let start = p + 1;
            let mut e = start;
            while b
                .get(e)
                .is_some_and(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
            {
                e += 1;
            }
            if e == start {
                return Err(VersionError::invalid(
                    S,
                    input,
                    "expected a lowercase hex commit hash after '~'",
                ));
            }
            tokens.push(tok(Kind::Hash, start, e));
            p = e;
        }
        if b.get(p) == Some(&b'-') {
            if b.get(p + 1) != Some(&b'r') {
                return Err(VersionError::invalid(S, input, "expected '-r<number>'"));
            }
            let e = digits_from(p + 2);
            if e == p + 2 {
                return Err(VersionError::invalid(
                    S,
                    input,
                    "expected a number after '-r'",
                ));
            }
            tokens.push(tok(Kind::Revision, p + 2, e));
            p = e;
        }
        if p != b.len() {
            return Err(VersionError::invalid(S, input, "unexpected character"));
        }
        tokens.push(tok(Kind::End, p, p));
        Ok(ApkVersion {
            text: input.to_owned(),
            tokens,
        })
    }

    /// The version text as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn token_text(&self, t: &Token) -> &[u8] {
        self.text.as_bytes().get(t.start..t.end).unwrap_or_default()
    }
}

impl Ord for ApkVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        for (ta, tb) in self.tokens.iter().zip(other.tokens.iter()) {
            if ta.kind == tb.kind {
                let (xa, xb) = (self.token_text(ta), other.token_text(tb));
                let c = match ta.kind {
                    Kind::End => return Ordering::Equal,
                    Kind::Digit if xa.first() == Some(&b'0') || xb.first() == Some(&b'0') => {
                        xa.cmp(xb)
                    }
                    Kind::Initial | Kind::Digit | Kind::SuffixNo | Kind::Revision => {
                        cmp_digits(xa, xb)
                    }
                    Kind::Suffix => ta.rank.cmp(&tb.rank),
                    Kind::Letter | Kind::Hash => xa.cmp(xb),
                };
                if c != Ordering::Equal {
                    return c;
                }
                continue;
            }
            if ta.kind == Kind::Suffix && ta.rank < 0 {
                return Ordering::Less;
            }
            if tb.kind == Kind::Suffix && tb.rank < 0 {
                return Ordering::Greater;
            }
            return tb.kind.cmp(&ta.kind);
        }
        Ordering::Equal
    }
}

impl PartialOrd for ApkVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ApkVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ApkVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> ApkVersion {
        ApkVersion::parse(s).unwrap()
    }

    #[test]
    fn reference_chains() {
        let chains: &[&[&str]] = &[
            &[
                "1.0_alpha1",
                "1.0_beta",
                "1.0_pre1",
                "1.0_rc1",
                "1.0",
                "1.0_cvs",
                "1.0_svn",
                "1.0_git",
                "1.0_hg",
                "1.0_p1",
            ],
            &["1.0", "1.0-r0", "1.0-r1", "1.0a", "1.0.1"],
            &["1.0_rc1-r5", "1.0-r0"],
            &["1.0_p1", "1.0.1"],
            &["1.2.3-r9", "1.2.3-r10"],
            &["1.01", "1.1"],
        ];
        for chain in chains {
            for w in chain.windows(2) {
                assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
                assert!(v(w[1]) > v(w[0]), "{} > {}", w[1], w[0]);
            }
        }
    }

    #[test]
    fn invalid() {
        for bad in [
            "a1", "1.0-1", "1.0_foo", "1.0.", "1..0", "1.0-r", "1.0A", "1.0~", "v1.0", "1.0ab",
        ] {
            assert!(ApkVersion::parse(bad).is_err(), "{bad}");
        }
    }
}

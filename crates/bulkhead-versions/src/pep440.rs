//! Python PEP 440 versions (PyPI), ordered like `packaging.version.Version`.
//!
//! Uses the `pep440_rs` crate (maintained by the uv authors); `tests/vectors/pep440.tsv`
//! checks it against python3-packaging on every PyPI version in the OSV test data.
//! Legacy (non-PEP 440) strings are rejected, as `packaging` rejects them.
//!
//! Huge numbers: `pep440_rs` keeps numbers in a `u64`, so it rejects a version with a
//! release/pre/post/dev/epoch number above `u64::MAX`, reads an all-digit local segment
//! that big as a string, and uses `u64::MAX` itself to mean "no dev release", whereas
//! `packaging` has unbounded Python ints. For those versions only, [`Pep440Version::parse`]
//! still lets `pep440_rs` parse, with each number of `u64::MAX` or more replaced by a
//! sentinel absent from the version, then puts the original digits back into a
//! comparison key ([`Wide`]) that mirrors `packaging`'s `_cmpkey`, numbers compared as
//! digit strings. Hand-written because `pep440_rs` has no unbounded numbers and a full
//! second parser would be more code to keep in step; every other version is parsed and
//! ordered by `pep440_rs` alone.

use std::cmp::Ordering;
use std::str::FromStr;

use pep440_rs::{LocalSegment, PrereleaseKind};

use crate::util::{all_digits, check_input, cmp_digits};
use crate::{Scheme, VersionError};

/// A parsed PEP 440 version.
#[derive(Debug, Clone)]
pub struct Pep440Version(Repr);

#[derive(Debug, Clone)]
enum Repr {
    /// Every number fits in a `u64`: `pep440_rs` parses and orders it.
    Std(pep440_rs::Version),
    /// At least one number is above `u64::MAX`.
    Wide(Wide),
}

impl Pep440Version {
    /// Parse a PEP 440 version (normalising spelling variants such as `1.0-1`, `1.0RC1`).
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        check_input(Scheme::Pep440, input)?;
        let invalid = || VersionError::invalid(Scheme::Pep440, input, "not a PEP 440 version");
        let (text, big) = replace_big_numbers(input);
        let parsed = pep440_rs::Version::from_str(&text).map_err(|_| invalid())?;
        if big.is_empty() {
            return Ok(Pep440Version(Repr::Std(parsed)));
        }
        Ok(Pep440Version(Repr::Wide(Wide::from_version(
            &parsed,
            &|n| {
                big.iter()
                    .find(|(sentinel, _)| *sentinel == n)
                    .map_or_else(|| Num::from(n), |(_, digits)| Num::new(digits))
            },
        ))))
    }

    /// The underlying `pep440_rs` version, or `None` when the version has a number of
    /// `u64::MAX` or more (which `pep440_rs` cannot hold faithfully).
    pub fn inner(&self) -> Option<&pep440_rs::Version> {
        match &self.0 {
            Repr::Std(v) => Some(v),
            Repr::Wide(_) => None,
        }
    }
}

impl Ord for Pep440Version {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.0, &other.0) {
            (Repr::Std(a), Repr::Std(b)) => a.cmp(b),
            (Repr::Wide(a), Repr::Wide(b)) => a.cmp(b),
            (Repr::Wide(a), Repr::Std(b)) => a.cmp(&Wide::of(b)),
            (Repr::Std(a), Repr::Wide(b)) => Wide::of(a).cmp(b),
        }
    }
}

impl PartialOrd for Pep440Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Pep440Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Pep440Version {}

/// Compare two parsed versions (same as [`Ord`]).
pub fn compare(a: &Pep440Version, b: &Pep440Version) -> Ordering {
    a.cmp(b)
}

/// Replace every number `pep440_rs` cannot hold by a distinct sentinel `u64` that does
/// not occur elsewhere in `input`; returns the new text and (sentinel, original digits).
///
/// Before the first `+` (the public version) every digit run is a number. In the local
/// part only whole all-digit segments are numbers (`abc123` is a string segment), so
/// only those are replaced.
fn replace_big_numbers(input: &str) -> (String, Vec<(u64, String)>) {
    let (public, local) = match input.split_once('+') {
        Some((p, l)) => (p, Some(l)),
        None => (input, None),
    };
    let mut runs: Vec<&str> = digit_runs(public).collect();
    if let Some(local) = local {
        runs.extend(local.split(['.', '-', '_']).filter(|s| all_digits(s)));
    }
    if runs.iter().all(|r| fits(r)) {
        return (input.to_owned(), Vec::new());
    }
    let used: Vec<u64> = runs.iter().filter_map(|r| r.parse().ok()).collect();
    let mut next = u64::MAX;
    let mut big = Vec::new();
    let mut sentinel = |digits: &str| {
        while used.contains(&next) {
            next -= 1; // at most MAX_VERSION_LEN runs, far from 0
        }
        big.push((next, digits.to_owned()));
        let s = next.to_string();
        next -= 1;
        s
    };
    let mut out = String::with_capacity(input.len());
    push_replaced(&mut out, public, &mut sentinel);
    if let Some(local) = local {
        out.push('+');
        let mut rest = local;
        while !rest.is_empty() {
            let end = rest.find(['.', '-', '_']).unwrap_or(rest.len());
            let (segment, tail) = rest.split_at(end);
            if all_digits(segment) && !fits(segment) {
                out.push_str(&sentinel(segment));
            } else {
                out.push_str(segment);
            }
            let sep_len = tail.chars().next().map_or(0, char::len_utf8);
            let (sep, after) = tail.split_at(sep_len);
            out.push_str(sep);
            rest = after;
        }
    }
    (out, big)
}

/// Copy `text` to `out`, replacing each digit run too big for a `u64`.
fn push_replaced(out: &mut String, text: &str, sentinel: &mut impl FnMut(&str) -> String) {
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        let len = from
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(from.len());
        let (run, after) = from.split_at(len);
        if fits(run) {
            out.push_str(run);
        } else {
            out.push_str(&sentinel(run));
        }
        rest = after;
    }
    out.push_str(rest);
}

/// Whether `pep440_rs` holds the number `digits` faithfully: it must fit a `u64`, and
/// not be `u64::MAX`, which `pep440_rs` uses internally for "no dev release".
fn fits(digits: &str) -> bool {
    digits.parse::<u64>().is_ok_and(|n| n != u64::MAX)
}

/// Maximal runs of ASCII digits in `s`.
fn digit_runs(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
}

/// A non-negative integer of any size, kept as its digits without leading zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Num(String);

impl Num {
    fn new(digits: &str) -> Self {
        let trimmed = digits.trim_start_matches('0');
        Num(trimmed.to_owned())
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<u64> for Num {
    fn from(n: u64) -> Self {
        Num::new(&n.to_string())
    }
}

impl Ord for Num {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(self.0.as_bytes(), other.0.as_bytes())
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// `packaging`'s comparison key (`_cmpkey`) with unbounded numbers. Field and variant
/// order give the ordering, so the derives below are the comparison.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Wide {
    epoch: Num,
    /// Trailing zeros removed (`1.0 == 1.0.0`).
    release: Vec<Num>,
    pre: Pre,
    /// `None` sorts first (no post-release is below any post-release).
    post: Option<Num>,
    dev: Dev,
    /// `None` sorts first (no local part is below any local part).
    local: Option<Vec<Local>>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Pre {
    /// A dev release of a final release (`1.0.dev1`) sorts before its pre-releases.
    DevOnly,
    /// alpha = 0, beta = 1, rc = 2.
    Tagged(u8, Num),
    /// No pre-release.
    Final,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Dev {
    At(Num),
    /// No dev release sorts after any dev release.
    Absent,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Local {
    /// String segments sort before numeric ones, and compare lower-cased.
    Str(String),
    Int(Num),
}

impl Wide {
    /// The key of a version whose numbers all fit (no sentinel to map back).
    fn of(v: &pep440_rs::Version) -> Self {
        Wide::from_version(v, &Num::from)
    }

    /// Build the key of `v`, turning each number into a [`Num`] through `num` (which maps
    /// sentinels back to the original digits).
    fn from_version(v: &pep440_rs::Version, num: &dyn Fn(u64) -> Num) -> Self {
        let mut release: Vec<Num> = v.release().iter().map(|&n| num(n)).collect();
        while release.last().is_some_and(Num::is_zero) {
            release.pop();
        }
        let pre = match v.pre() {
            Some(p) => {
                let kind = match p.kind {
                    PrereleaseKind::Alpha => 0,
                    PrereleaseKind::Beta => 1,
                    PrereleaseKind::Rc => 2,
                };
                Pre::Tagged(kind, num(p.number))
            }
            None if v.post().is_none() && v.dev().is_some() => Pre::DevOnly,
            None => Pre::Final,
        };
        let local = v.local();
        let local = (!local.is_empty()).then(|| {
            local
                .iter()
                .map(|s| match s {
                    LocalSegment::String(s) => Local::Str(s.to_ascii_lowercase()),
                    LocalSegment::Number(n) => Local::Int(num(*n)),
                })
                .collect()
        });
        Wide {
            epoch: num(v.epoch()),
            release,
            pre,
            post: v.post().map(num),
            dev: v.dev().map_or(Dev::Absent, |n| Dev::At(num(n))),
            local,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Pep440Version {
        Pep440Version::parse(s).unwrap()
    }

    #[test]
    fn reference_orderings() {
        let chain = [
            "1.0.dev1",
            "1.0a1.dev1",
            "1.0a1",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0+local",
            "1.0.post1.dev1",
            "1.0.post1",
        ];
        for w in chain.windows(2) {
            assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
        }
        assert_eq!(v("1.0"), v("1.0.0"));
        assert_eq!(v("1.0-1"), v("1.0.post1"));
        assert!(Pep440Version::parse("-class.-jw.util.version.Version-").is_err());
    }

    #[test]
    fn numbers_above_u64_are_ordered() {
        let big = "99999999999999999999999";
        assert!(v(big) > v("18446744073709551615"));
        assert!(v("99999999999999999999998") < v(big));
        assert_eq!(v(big), v(&format!("000{big}")));
        assert!(v(&format!("1.0a{big}")) > v("1.0a18446744073709551615"));
        assert!(v(&format!("1.0a{big}")) < v("1.0b1"));
        assert!(v(&format!("{big}!1.0")) > v("18446744073709551615!9"));
        assert!(v(&format!("1.0.post{big}")) > v("1.0.post1"));
        assert!(v(&format!("1.0.dev{big}")) < v("1.0a1"));
        assert!(v(&format!("1.0.dev{big}")) > v("1.0.dev1"));
        // packaging: an all-digit local segment is an int, and ints sort above strings;
        // pep440_rs alone reads this one as the string "999…" (below "abc").
        assert!(v(&format!("1.0+{big}")) > v("1.0+abc"));
        assert!(v(&format!("1.0+abc.{big}")) > v("1.0+abc.5"));
        // digits inside an alphanumeric local segment stay a string
        assert!(v(&format!("1.0+abc{big}")) < v("1.0+abca"));
        assert!(v(&format!("1.0+abc{big}")) > v("1.0+abc9"));
        // pep440_rs reads a missing dev number as u64::MAX, so it would call these equal
        assert!(v("1.0a1.dev18446744073709551615") < v("1.0a1"));
        // a sentinel must not collide with a number already in the version
        assert!(v(&format!("{big}.18446744073709551615")) > v(&format!("{big}.1")));
        assert!(v(&format!("18446744073709551615.{big}")) > v("18446744073709551615.1"));
        assert!(Pep440Version::parse(&format!("1.0x{big}")).is_err());
        assert!(Pep440Version::parse(&format!("{big}+")).is_err());
    }

    /// The hand-written key must agree with `pep440_rs` (and so with the oracle) on every
    /// vector whose numbers fit, which checks it on 40 000 real orderings.
    #[test]
    fn wide_key_matches_oracle_vectors() {
        let text = include_str!("../tests/vectors/pep440.tsv");
        let mut checked = 0;
        for line in text.lines() {
            let mut parts = line.split('\t');
            let (Some(a), Some(b), Some(r)) = (parts.next(), parts.next(), parts.next()) else {
                panic!("malformed vector {line:?}");
            };
            let (Repr::Std(x), Repr::Std(y)) = (v(a).0, v(b).0) else {
                continue;
            };
            let want = match r {
                "-1" => Ordering::Less,
                "0" => Ordering::Equal,
                _ => Ordering::Greater,
            };
            assert_eq!(Wide::of(&x).cmp(&Wide::of(&y)), want, "{a} vs {b}");
            checked += 1;
        }
        assert!(checked > 40_000, "{checked}");
    }
}

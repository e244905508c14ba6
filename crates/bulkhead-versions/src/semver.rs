//! SemVer-family orderings: npm (node-semver), crates.io (SemVer 2.0 precedence via the
//! `semver` crate), Go modules (`golang.org/x/mod/semver`), and a loose SemVer-like
//! ordering used for NuGet and Packagist.
//!
//! npm and Go are hand-written because their exact acceptance rules differ from the
//! `semver` crate (node-semver: `v` prefix, surrounding whitespace, 256-character and
//! 2^53 limits, floating-point comparison of huge numeric pre-release identifiers; Go:
//! `v1`/`v1.2` short forms, unbounded numbers); each is checked against its real
//! implementation by `tests/vectors/{npm,crates,go}.tsv`.

use std::cmp::Ordering;

use crate::util::{all_digits, check_input, cmp_digits};
use crate::{Scheme, VersionError};

/// Compare dot-separated pre-release identifiers SemVer-style: numeric identifiers
/// numerically (any length), numeric before alphanumeric, alphanumeric bytewise (or
/// ASCII case-insensitively when `fold_case`), a longer list wins when all else is equal.
fn cmp_prerelease(a: &[String], b: &[String], fold_case: bool) -> Ordering {
    for (x, y) in a.iter().zip(b.iter()) {
        let c = match (all_digits(x), all_digits(y)) {
            (true, true) => cmp_digits(x.as_bytes(), y.as_bytes()),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) if fold_case => x
                .bytes()
                .map(|c| c.to_ascii_lowercase())
                .cmp(y.bytes().map(|c| c.to_ascii_lowercase())),
            (false, false) => x.as_bytes().cmp(y.as_bytes()),
        };
        if c != Ordering::Equal {
            return c;
        }
    }
    a.len().cmp(&b.len())
}

/// Release (no pre-release) sorts after any pre-release of the same core version.
fn cmp_optional_prerelease(a: &[String], b: &[String], fold_case: bool) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => cmp_prerelease(a, b, fold_case),
    }
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}

/// Split `s` on `.` into identifiers of `[0-9A-Za-z-]+`; `None` on an empty or bad one.
fn split_idents(s: &str) -> Option<Vec<String>> {
    s.split('.')
        .map(|id| (!id.is_empty() && id.bytes().all(is_ident_char)).then(|| id.to_owned()))
        .collect()
}

/// A number without leading zeros (`0` alone is fine).
fn is_canonical_number(s: &str) -> bool {
    all_digits(s) && (s == "0" || !s.starts_with('0'))
}

// ------------------------------------------------------------------------ npm

/// node-semver's `MAX_SAFE_INTEGER` (2^53 - 1).
const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;
/// node-semver's `MAX_LENGTH`.
const NPM_MAX_LENGTH: usize = 256;

/// An npm version, parsed and ordered like node-semver 7's `SemVer` in its default
/// (strict) mode: `[v]MAJOR.MINOR.PATCH[-pre][+build]`, surrounding whitespace allowed,
/// no leading zeros, at most 256 characters, core numbers at most 2^53 - 1, build
/// metadata ignored in comparison.
#[derive(Debug, Clone)]
pub struct NpmVersion {
    core: [u64; 3],
    pre: Vec<String>,
    build: Vec<String>,
}

impl NpmVersion {
    /// Parse like `new SemVer(input)`.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        const S: Scheme = Scheme::Npm;
        check_input(S, input)?;
        if input.encode_utf16().count() > NPM_MAX_LENGTH {
            return Err(VersionError::TooLong {
                scheme: S,
                len: input.len(),
                max: NPM_MAX_LENGTH,
            });
        }
        // JavaScript's trim(): Unicode white space plus the BOM.
        let s = input.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if s.is_empty() {
            return Err(VersionError::Empty { scheme: S });
        }
        let s = s.strip_prefix('v').unwrap_or(s);
        let bad = |why| VersionError::invalid(S, input, why);
        let (rest, build) = match s.split_once('+') {
            Some((r, b)) => (r, split_idents(b).ok_or_else(|| bad("bad build metadata"))?),
            None => (s, Vec::new()),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, split_idents(p).ok_or_else(|| bad("bad pre-release"))?),
            None => (rest, Vec::new()),
        };
        if pre
            .iter()
            .any(|id| all_digits(id) && !is_canonical_number(id))
        {
            return Err(bad("numeric pre-release identifier with a leading zero"));
        }
        let mut nums = [0u64; 3];
        let mut parts = core.split('.');
        for n in &mut nums {
            let part = parts
                .next()
                .ok_or_else(|| bad("expected MAJOR.MINOR.PATCH"))?;
            if !is_canonical_number(part) {
                return Err(bad(
                    "expected MAJOR.MINOR.PATCH numbers without leading zeros",
                ));
            }
            *n = match part.parse::<u64>() {
                Ok(v) if v <= MAX_SAFE_INTEGER => v,
                _ => return Err(bad("number larger than 2^53 - 1")),
            };
        }
        if parts.next().is_some() {
            return Err(bad("expected MAJOR.MINOR.PATCH"));
        }
        Ok(NpmVersion {
            core: nums,
            pre,
            build,
        })
    }

    /// `[major, minor, patch]`.
    pub fn core(&self) -> [u64; 3] {
        self.core
    }

    /// Pre-release identifiers.
    pub fn pre(&self) -> &[String] {
        &self.pre
    }

    /// Build metadata identifiers (ignored for ordering).
    pub fn build(&self) -> &[String] {
        &self.build
    }
}

/// node-semver's `compareIdentifiers` for pre-release identifiers: numeric ones are
/// compared as JavaScript numbers (IEEE doubles, so identifiers above 2^53 can compare
/// equal), numeric before alphanumeric, otherwise by code units.
fn npm_cmp_ident(a: &str, b: &str) -> Ordering {
    match (all_digits(a), all_digits(b)) {
        (true, true) => {
            let x = a.parse::<f64>().unwrap_or(f64::INFINITY);
            let y = b.parse::<f64>().unwrap_or(f64::INFINITY);
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.as_bytes().cmp(b.as_bytes()),
    }
}

impl Ord for NpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.core
            .cmp(&other.core)
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (x, y) in self.pre.iter().zip(other.pre.iter()) {
                        let c = npm_cmp_ident(x, y);
                        if c != Ordering::Equal {
                            return c;
                        }
                    }
                    self.pre.len().cmp(&other.pre.len())
                }
            })
    }
}

// ----------------------------------------------------------------- crates.io

/// A crates.io version: strict SemVer 2.0 (no `v`, no whitespace) parsed by the `semver`
/// crate, ordered by SemVer *precedence* (build metadata ignored, unlike
/// `semver::Version`'s own `Ord`, which breaks ties on it).
#[derive(Debug, Clone)]
pub struct CargoVersion(::semver::Version);

impl CargoVersion {
    /// Parse with `semver::Version::parse`.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        check_input(Scheme::Cargo, input)?;
        ::semver::Version::parse(input)
            .map(CargoVersion)
            .map_err(|_| VersionError::invalid(Scheme::Cargo, input, "not a SemVer 2.0 version"))
    }

    /// The `semver` crate's value.
    pub fn inner(&self) -> &::semver::Version {
        &self.0
    }
}

impl Ord for CargoVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.0, &other.0);
        (a.major, a.minor, a.patch, &a.pre).cmp(&(b.major, b.minor, b.patch, &b.pre))
    }
}

// ------------------------------------------------------------------------ Go

/// A Go module version as `golang.org/x/mod/semver` reads it, with the leading `v`
/// optional (OSV drops it): `vMAJOR[.MINOR[.PATCH[-pre][+build]]]`, numbers of any
/// length without leading zeros. Pseudo-versions are ordinary pre-releases and
/// `+incompatible` is build metadata, so both order correctly without special cases.
#[derive(Debug, Clone)]
pub struct GoVersion {
    core: [String; 3],
    pre: Vec<String>,
    build: Vec<String>,
}

impl GoVersion {
    /// Parse a Go module version (`v1.2.3`, `1.2.3`, `v1`, `1.2.4-0.20200101000000-abcdef123456`).
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        const S: Scheme = Scheme::Go;
        check_input(S, input)?;
        let bad = |why| VersionError::invalid(S, input, why);
        let s = input.strip_prefix('v').unwrap_or(input);
        let (rest, build) = match s.split_once('+') {
            Some((r, b)) => (r, split_idents(b).ok_or_else(|| bad("bad build metadata"))?),
            None => (s, Vec::new()),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, split_idents(p).ok_or_else(|| bad("bad pre-release"))?),
            None => (rest, Vec::new()),
        };
        if pre
            .iter()
            .any(|id| all_digits(id) && !is_canonical_number(id))
        {
            return Err(bad("numeric pre-release identifier with a leading zero"));
        }
        let parts: Vec<&str> = core.split('.').collect();
        if parts.len() > 3 || !parts.iter().all(|p| is_canonical_number(p)) {
            return Err(bad(
                "expected MAJOR[.MINOR[.PATCH]] numbers without leading zeros",
            ));
        }
        if parts.len() < 3 && (!pre.is_empty() || !build.is_empty()) {
            return Err(bad(
                "a short version (v1, v1.2) cannot have a pre-release or build suffix",
            ));
        }
        let get = |i: usize| {
            parts
                .get(i)
                .map_or_else(|| "0".to_owned(), |p| (*p).to_owned())
        };
        Ok(GoVersion {
            core: [get(0), get(1), get(2)],
            pre,
            build,
        })
    }

    /// `[major, minor, patch]` as decimal strings (`"0"` for short forms).
    pub fn core(&self) -> &[String; 3] {
        &self.core
    }

    /// Pre-release identifiers (pseudo-versions live here).
    pub fn pre(&self) -> &[String] {
        &self.pre
    }

    /// Build metadata (`incompatible`), ignored for ordering.
    pub fn build(&self) -> &[String] {
        &self.build
    }

    /// `true` for a pseudo-version, as `golang.org/x/mod/module.IsPseudoVersion` defines
    /// it: `vX.0.0-yyyymmddhhmmss-rev`, `vX.Y.Z-pre.0.yyyymmddhhmmss-rev` or
    /// `vX.Y.Z-0.yyyymmddhhmmss-rev`.
    pub fn is_pseudo(&self) -> bool {
        let Some((last, before)) = self.pre.split_last() else {
            return false;
        };
        let stamp_ok = match last.split_once('-') {
            Some((ts, rev)) => {
                ts.len() == 14
                    && all_digits(ts)
                    && !rev.is_empty()
                    && rev.bytes().all(|c| c.is_ascii_alphanumeric())
            }
            None => false,
        };
        let base_ok = match before.last() {
            Some(zero) => zero == "0",
            None => self.core[1] == "0" && self.core[2] == "0",
        };
        stamp_ok && base_ok
    }
}

impl Ord for GoVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.core
            .iter()
            .zip(other.core.iter())
            .map(|(a, b)| cmp_digits(a.as_bytes(), b.as_bytes()))
            .find(|c| *c != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
            .then_with(|| cmp_optional_prerelease(&self.pre, &other.pre, false))
    }
}

// -------------------------------------------------------------- NuGet/Packagist

/// A loose SemVer-like version, used for NuGet and Packagist (no oracle on this machine;
/// the rules follow NuGet's documented ordering): optional `v`/`V`, one to four numeric
/// parts (missing parts are 0, leading zeros ignored), optional `-pre` identifiers
/// (compared SemVer-style but ASCII case-insensitively), optional `+build` (ignored).
#[derive(Debug, Clone)]
pub struct LooseVersion {
    parts: Vec<String>,
    pre: Vec<String>,
}

impl LooseVersion {
    /// Parse for `scheme` (used only in error messages).
    pub fn parse(scheme: Scheme, input: &str) -> Result<Self, VersionError> {
        check_input(scheme, input)?;
        let bad = |why| VersionError::invalid(scheme, input, why);
        let s = input.trim();
        let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
        let (rest, _build) = match s.split_once('+') {
            Some((r, b)) => (r, split_idents(b).ok_or_else(|| bad("bad build metadata"))?),
            None => (s, Vec::new()),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, split_idents(p).ok_or_else(|| bad("bad pre-release"))?),
            None => (rest, Vec::new()),
        };
        let parts: Vec<String> = core.split('.').map(str::to_owned).collect();
        if parts.len() > 4 || !parts.iter().all(|p| all_digits(p)) {
            return Err(bad("expected one to four numeric parts"));
        }
        Ok(LooseVersion { parts, pre })
    }
}

impl Ord for LooseVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.parts.len().max(other.parts.len());
        (0..n)
            .map(|i| {
                let a = self.parts.get(i).map_or("0", String::as_str);
                let b = other.parts.get(i).map_or("0", String::as_str);
                cmp_digits(a.as_bytes(), b.as_bytes())
            })
            .find(|c| *c != Ordering::Equal)
            .unwrap_or(Ordering::Equal)
            .then_with(|| cmp_optional_prerelease(&self.pre, &other.pre, true))
    }
}

macro_rules! ord_boilerplate {
    ($($t:ty),*) => {$(
        impl PartialOrd for $t {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                self.cmp(other) == Ordering::Equal
            }
        }
        impl Eq for $t {}
    )*};
}
ord_boilerplate!(NpmVersion, CargoVersion, GoVersion, LooseVersion);

#[cfg(test)]
mod tests {
    use super::*;

    const CHAIN: [&str; 8] = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
    ];

    #[test]
    fn semver_chain_in_every_flavour() {
        for w in CHAIN.windows(2) {
            let (a, b) = (w[0], w[1]);
            assert!(
                NpmVersion::parse(a).unwrap() < NpmVersion::parse(b).unwrap(),
                "{a} {b}"
            );
            assert!(
                CargoVersion::parse(a).unwrap() < CargoVersion::parse(b).unwrap(),
                "{a} {b}"
            );
            assert!(
                GoVersion::parse(a).unwrap() < GoVersion::parse(b).unwrap(),
                "{a} {b}"
            );
            let (la, lb) = (
                LooseVersion::parse(Scheme::NuGet, a).unwrap(),
                LooseVersion::parse(Scheme::NuGet, b).unwrap(),
            );
            assert!(la < lb, "{a} {b}");
        }
    }

    #[test]
    fn build_metadata_is_ignored() {
        assert_eq!(
            CargoVersion::parse("1.0.0+a").unwrap(),
            CargoVersion::parse("1.0.0+b").unwrap()
        );
        assert_eq!(
            NpmVersion::parse("1.0.0+a").unwrap(),
            NpmVersion::parse("v1.0.0").unwrap()
        );
        assert_eq!(
            GoVersion::parse("2.0.0+incompatible").unwrap(),
            GoVersion::parse("v2.0.0").unwrap()
        );
    }

    #[test]
    fn go_pseudo_versions() {
        let base = GoVersion::parse("v1.2.3").unwrap();
        let pseudo = GoVersion::parse("v1.2.4-0.20200101000000-abcdef123456").unwrap();
        let next = GoVersion::parse("v1.2.4").unwrap();
        assert!(base < pseudo && pseudo < next);
        assert!(pseudo.is_pseudo());
        assert!(
            GoVersion::parse("0.0.0-20200101000000-abcdef123456")
                .unwrap()
                .is_pseudo()
        );
        assert!(
            GoVersion::parse("1.2.4-pre.0.20200101000000-abcdef123456")
                .unwrap()
                .is_pseudo()
        );
        assert!(!next.is_pseudo());
        assert_eq!(
            GoVersion::parse("v1").unwrap(),
            GoVersion::parse("1.0.0").unwrap()
        );
        assert!(GoVersion::parse("1.2-pre").is_err());
    }

    #[test]
    fn nuget_loose() {
        let p = |s| LooseVersion::parse(Scheme::NuGet, s).unwrap();
        assert_eq!(p("1.0"), p("1.0.0.0"));
        assert!(p("1.0.0.1") > p("1.0.0"));
        assert_eq!(p("1.0.0-RC.1"), p("1.0.0-rc.1"));
        assert!(LooseVersion::parse(Scheme::NuGet, "1.0.0.0.0").is_err());
    }
}

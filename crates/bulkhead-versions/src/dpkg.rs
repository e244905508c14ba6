//! Debian package versions, ordered exactly like `dpkg --compare-versions`.
//!
//! Hand-written: the crates that exist (e.g. `debversion`) do not follow dpkg's parser
//! on the corner cases the test vectors cover (signed epochs, warnings-only syntax,
//! non-ASCII bytes), and the algorithm is small. Written from dpkg's documented
//! behaviour (deb-version(7)) and checked against `dpkg --compare-versions` on every
//! vector in `tests/vectors/dpkg.tsv`.

use std::cmp::Ordering;

use crate::util::check_input;
use crate::{Scheme, VersionError};

/// A parsed `[epoch:]upstream[-revision]` version.
///
/// Like dpkg, syntax problems dpkg only *warns* about (upstream not starting with a
/// digit, unusual characters) are accepted and compared; the hard errors are rejected.
/// A missing revision compares like `0`.
#[derive(Debug, Clone)]
pub struct DpkgVersion {
    epoch: u32,
    upstream: String,
    revision: String,
}

impl DpkgVersion {
    /// Parse a version the way dpkg's `parseversion` does (surrounding blanks allowed).
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        const S: Scheme = Scheme::Dpkg;
        check_input(S, input)?;
        let s = input.trim_start_matches([' ', '\t']);
        if s.is_empty() {
            return Err(VersionError::Empty { scheme: S });
        }
        let end = s.find(is_c_space).unwrap_or(s.len());
        let (body, tail) = s.split_at(end);
        if !tail.chars().all(is_c_space) {
            return Err(VersionError::invalid(
                S,
                input,
                "version string has embedded spaces",
            ));
        }
        let (epoch, rest) = match body.find(':') {
            Some(colon) => {
                let (e, r) = body.split_at(colon);
                let rest = r.get(1..).unwrap_or_default();
                (
                    parse_epoch(e).map_err(|why| VersionError::invalid(S, input, why))?,
                    rest,
                )
            }
            None => (0, body),
        };
        if rest.is_empty() {
            return Err(VersionError::invalid(
                S,
                input,
                "nothing after colon in version number",
            ));
        }
        let (upstream, revision) = match rest.rfind('-') {
            Some(h) => {
                let (u, r) = rest.split_at(h);
                let r = r.get(1..).unwrap_or_default();
                if r.is_empty() {
                    return Err(VersionError::invalid(S, input, "revision number is empty"));
                }
                (u, r)
            }
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err(VersionError::invalid(S, input, "version number is empty"));
        }
        Ok(DpkgVersion {
            epoch,
            upstream: upstream.to_owned(),
            revision: revision.to_owned(),
        })
    }

    /// The epoch (0 when absent).
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// The upstream version.
    pub fn upstream(&self) -> &str {
        &self.upstream
    }

    /// The Debian revision (`""` when absent).
    pub fn revision(&self) -> &str {
        &self.revision
    }
}

/// C `isspace` in the C locale.
fn is_c_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

/// The epoch as C `strtol` reads it, with dpkg's checks: optional sign, digits, nothing
/// else before the colon, not negative, at most `INT_MAX`.
fn parse_epoch(e: &str) -> Result<u32, &'static str> {
    let (negative, digits) = match e.as_bytes().first() {
        Some(b'-') => (true, e.get(1..).unwrap_or_default()),
        Some(b'+') => (false, e.get(1..).unwrap_or_default()),
        _ => (false, e),
    };
    let ndigits = digits.bytes().take_while(u8::is_ascii_digit).count();
    if ndigits == 0 {
        return Err("epoch in version is empty");
    }
    if ndigits != digits.len() {
        return Err("epoch in version is not number");
    }
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return Ok(0);
    }
    if negative {
        return Err("epoch in version is negative");
    }
    if significant.len() > 10 {
        return Err("epoch in version is too big");
    }
    match significant.parse::<u64>() {
        Ok(v) if v <= i32::MAX as u64 => {
            u32::try_from(v).map_err(|_| "epoch in version is too big")
        }
        _ => Err("epoch in version is too big"),
    }
}

/// dpkg's character weight: `~` first, then end/digit, then letters, then everything else.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        // dpkg reads bytes as (signed) char: bytes >= 0x80 are negative, so adding 256
        // gives back the byte value.
        Some(c) if c >= 0x80 => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`: alternate non-digit runs (by [`order`]) and digit runs (numeric).
fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0usize, 0usize);
    while i < a.len() || j < b.len() {
        loop {
            let ca = a.get(i).copied();
            let cb = b.get(j).copied();
            let a_nondigit = ca.is_some_and(|c| !c.is_ascii_digit());
            let b_nondigit = cb.is_some_and(|c| !c.is_ascii_digit());
            if !a_nondigit && !b_nondigit {
                break;
            }
            let (oa, ob) = (order(ca), order(cb));
            if oa != ob {
                return oa.cmp(&ob);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while let (Some(ca), Some(cb)) = (a.get(i), b.get(j)) {
            if !ca.is_ascii_digit() || !cb.is_ascii_digit() {
                break;
            }
            if first_diff == Ordering::Equal {
                first_diff = ca.cmp(cb);
            }
            i += 1;
            j += 1;
        }
        if a.get(i).is_some_and(u8::is_ascii_digit) {
            return Ordering::Greater;
        }
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

impl Ord for DpkgVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(self.upstream.as_bytes(), other.upstream.as_bytes()))
            .then_with(|| verrevcmp(self.revision.as_bytes(), other.revision.as_bytes()))
    }
}

impl PartialOrd for DpkgVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for DpkgVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DpkgVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> DpkgVersion {
        DpkgVersion::parse(s).unwrap()
    }

    #[test]
    fn reference_chains() {
        let chains: &[&[&str]] = &[
            &["1.0~~", "1.0~~a", "1.0~", "1.0", "1.0a", "1.0+", "1.0.1"],
            &[
                "1.0~rc1",
                "1.0",
                "1.0-0.1",
                "1.0-1",
                "1.0-1ubuntu1",
                "1.0-1+deb12u1",
                "1:0.9",
            ],
            &["1.2.3-1~bpo12+1", "1.2.3-1"],
            &["2.36-9+deb12u4", "2.36-9+deb12u10"],
        ];
        for chain in chains {
            for w in chain.windows(2) {
                assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
            }
        }
        assert_eq!(v("1.01"), v("1.1"));
        assert_eq!(v("1.0"), v("1.0-0"));
        assert_eq!(v("0:1.0"), v("1.0"));
    }

    #[test]
    fn parts_and_errors() {
        let x = v(" 2:1.0-2-3 ");
        assert_eq!((x.epoch(), x.upstream(), x.revision()), (2, "1.0-2", "3"));
        for bad in [
            "1:",
            "1.0-",
            ":1",
            "-1",
            "a:1",
            "-1:1",
            "2147483648:1",
            "1 0",
            " ",
        ] {
            assert!(DpkgVersion::parse(bad).is_err(), "{bad:?}");
        }
        // dpkg only warns about these
        for ok in ["a1", "1.0_1", "+1:1", "-0:1", "1.0é"] {
            assert!(DpkgVersion::parse(ok).is_ok(), "{ok:?}");
        }
    }
}

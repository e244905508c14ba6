//! RPM versions (`[epoch:]version[-release]`), ordered like rpm's `labelCompare`.
//!
//! Hand-written: no maintained crate reproduces `rpmvercmp` together with rpm's EVR
//! splitting (`parseEVR`); the algorithm is short. Checked against python3-rpm's
//! `rpm.labelCompare` on every vector in `tests/vectors/rpm.tsv`.
//!
//! Release handling (decided explicitly, as the reference asks): a missing release sorts
//! *before* any release, like `labelCompare`. rpm's dependency matching instead treats a
//! missing release as "any", which is not a total order and so cannot back [`Ord`];
//! advisories and installed packages both carry full `version-release` strings.

use std::cmp::Ordering;

use crate::util::{check_input, cmp_digits};
use crate::{Scheme, VersionError};

/// A parsed RPM EVR string.
#[derive(Debug, Clone)]
pub struct RpmVersion {
    epoch: String,
    version: String,
    release: Option<String>,
}

impl RpmVersion {
    /// Split like rpm's `parseEVR`: leading digits followed by `:` are the epoch (empty or
    /// missing epoch = `0`), the release is what follows the last `-`. Any other text is
    /// accepted, as rpm does; only empty, over-long or NUL-containing input is refused.
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        check_input(Scheme::Rpm, input)?;
        let ndigits = input.bytes().take_while(u8::is_ascii_digit).count();
        let (epoch, rest) = match input.get(ndigits..) {
            Some(r) if r.starts_with(':') => {
                let e = input.get(..ndigits).unwrap_or_default();
                (
                    if e.is_empty() { "0" } else { e },
                    r.get(1..).unwrap_or_default(),
                )
            }
            _ => ("0", input),
        };
        let (version, release) = match rest.rfind('-') {
            Some(h) => (
                rest.get(..h).unwrap_or_default(),
                Some(rest.get(h + 1..).unwrap_or_default().to_owned()),
            ),
            None => (rest, None),
        };
        Ok(RpmVersion {
            epoch: epoch.to_owned(),
            version: version.to_owned(),
            release,
        })
    }

    /// The epoch digits (`"0"` when absent).
    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    /// The version part.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The release part, if the string had one.
    pub fn release(&self) -> Option<&str> {
        self.release.as_deref()
    }
}

/// rpm's segment comparison (`rpmvercmp`) of one field.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a == b {
        return Ordering::Equal;
    }
    let is_sep = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    let (mut i, mut j) = (0usize, 0usize);
    while i < a.len() || j < b.len() {
        while a.get(i).is_some_and(|&c| is_sep(c)) {
            i += 1;
        }
        while b.get(j).is_some_and(|&c| is_sep(c)) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        // `~` sorts before everything, even the end of the string
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        // `^` sorts after the end of the string but before anything else
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let Some(first) = ca else { break };
        if cb.is_none() {
            break;
        }
        let numeric = first.is_ascii_digit();
        let class = |c: &u8| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let (si, sj) = (i, j);
        while a.get(i).is_some_and(class) {
            i += 1;
        }
        while b.get(j).is_some_and(class) {
            j += 1;
        }
        let seg_a = a.get(si..i).unwrap_or_default();
        let seg_b = b.get(sj..j).unwrap_or_default();
        if seg_b.is_empty() {
            // different kinds of segment: numeric is newer than alpha
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let c = if numeric {
            cmp_digits(seg_a, seg_b)
        } else {
            seg_a.cmp(seg_b)
        };
        if c != Ordering::Equal {
            return c;
        }
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

impl Ord for RpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(self.epoch.as_bytes(), other.epoch.as_bytes())
            .then_with(|| rpmvercmp(&self.version, &other.version))
            .then_with(|| match (&self.release, &other.release) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                (Some(_), None) => Ordering::Greater,
                (None, Some(_)) => Ordering::Less,
                (None, None) => Ordering::Equal,
            })
    }
}

impl PartialOrd for RpmVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for RpmVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for RpmVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> RpmVersion {
        RpmVersion::parse(s).unwrap()
    }

    #[test]
    fn reference_orderings() {
        for w in ["1.0~rc1", "1.0", "1.0^git1", "1.0.1"].windows(2) {
            assert_eq!(rpmvercmp(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
        }
        assert_eq!(rpmvercmp("1.0", "1_0"), Ordering::Equal);
        assert_eq!(rpmvercmp("1.a", "1.1"), Ordering::Less);
        assert_eq!(rpmvercmp("1.0", "1.0a"), Ordering::Less);
        assert_eq!(rpmvercmp("1.el8", "1.el8_5"), Ordering::Less);
    }

    #[test]
    fn evr_split() {
        let x = v("2:1.0-3.el9");
        assert_eq!(
            (x.epoch(), x.version(), x.release()),
            ("2", "1.0", Some("3.el9"))
        );
        let y = v("1.0");
        assert_eq!((y.epoch(), y.release()), ("0", None));
        assert!(v("1.0") < v("1.0-1"));
        assert_eq!(v(":1.0-1"), v("0:1.0-1"));
        assert!(v("1:0.1-1") > v("9.9-9"));
    }
}

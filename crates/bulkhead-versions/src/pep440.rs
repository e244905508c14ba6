//! Python PEP 440 versions (PyPI), ordered like `packaging.version.Version`.
//!
//! Uses the `pep440_rs` crate (maintained by the uv authors); `tests/vectors/pep440.tsv`
//! checks it against python3-packaging on every PyPI version in the OSV test data.
//! Legacy (non-PEP 440) strings are rejected, as `packaging` rejects them.
//!
//! Known divergence: `pep440_rs` keeps numbers in a `u64`, so a version containing a
//! number above `u64::MAX` (20+ digits) is rejected with an error, whereas `packaging`
//! (unbounded Python ints) orders it. No real release uses such numbers; the vector test
//! checks that these give an error rather than a wrong order.

use std::cmp::Ordering;
use std::str::FromStr;

use crate::util::check_input;
use crate::{Scheme, VersionError};

/// A parsed PEP 440 version.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pep440Version(pep440_rs::Version);

impl Pep440Version {
    /// Parse a PEP 440 version (normalising spelling variants such as `1.0-1`, `1.0RC1`).
    pub fn parse(input: &str) -> Result<Self, VersionError> {
        check_input(Scheme::Pep440, input)?;
        pep440_rs::Version::from_str(input)
            .map(Pep440Version)
            .map_err(|_| VersionError::invalid(Scheme::Pep440, input, "not a PEP 440 version"))
    }

    /// The underlying `pep440_rs` version.
    pub fn inner(&self) -> &pep440_rs::Version {
        &self.0
    }
}

/// Compare two parsed versions (same as [`Ord`]).
pub fn compare(a: &Pep440Version, b: &Pep440Version) -> Ordering {
    a.cmp(b)
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
}

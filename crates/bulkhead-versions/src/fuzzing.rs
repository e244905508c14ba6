//! The entry point shared by the `versions` fuzz target and the seed replay
//! test: arbitrary bytes become a pair of versions (split at the first tab;
//! without one, the text against `1.0`), compared under every scheme.

use crate::{Scheme, compare};
use std::cmp::Ordering;

/// Compare the pair read from `data` under every scheme; `Err` names the
/// first broken property: comparing must be antisymmetric when both sides
/// parse, must not accept a version on one side only, and a version that
/// parses must equal itself. The caller decides what a broken property
/// means (the fuzz target panics, the replay test fails).
pub fn check(data: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(data);
    let (a, b) = text.split_once('\t').unwrap_or((&text, "1.0"));
    for scheme in Scheme::ALL {
        let ab = compare(scheme, a, b);
        let ba = compare(scheme, b, a);
        if let (Ok(x), Ok(y)) = (&ab, &ba)
            && *x != y.reverse()
        {
            return Err(format!("{scheme}: {a:?} vs {b:?} not antisymmetric"));
        }
        if ab.is_ok() != ba.is_ok() {
            return Err(format!("{scheme}: {a:?} vs {b:?} parse differs by side"));
        }
        if let Ok(o) = compare(scheme, a, a)
            && o != Ordering::Equal
        {
            return Err(format!("{scheme}: {a:?} not equal to itself"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_and_single_versions_hold() {
        assert_eq!(check(b"1.0\t2.0"), Ok(()));
        assert_eq!(check(b"1.0.0-rc1"), Ok(()));
        assert_eq!(check(b"\xff\xfe\t\t"), Ok(()));
        assert_eq!(check(b""), Ok(()));
    }
}

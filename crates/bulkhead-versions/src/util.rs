//! Helpers shared by the scheme modules.

use std::cmp::Ordering;

use crate::{MAX_VERSION_LEN, Scheme, VersionError};

/// Reject input no scheme accepts: empty, longer than [`MAX_VERSION_LEN`], or containing
/// NUL (the C tools stop reading at NUL, so such a string cannot mean what it says).
pub(crate) fn check_input(scheme: Scheme, s: &str) -> Result<(), VersionError> {
    if s.len() > MAX_VERSION_LEN {
        return Err(VersionError::TooLong {
            scheme,
            len: s.len(),
            max: MAX_VERSION_LEN,
        });
    }
    if s.is_empty() {
        return Err(VersionError::Empty { scheme });
    }
    if s.contains('\0') {
        return Err(VersionError::invalid(scheme, s, "contains a NUL byte"));
    }
    Ok(())
}

/// Compare two runs of ASCII digits as unbounded non-negative integers (leading zeros
/// ignored), without converting them, so any length works.
pub(crate) fn cmp_digits(a: &[u8], b: &[u8]) -> Ordering {
    let a = strip_zeros(a);
    let b = strip_zeros(b);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn strip_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&c| c == b'0').count();
    s.get(n..).unwrap_or_default()
}

/// `true` when `s` is non-empty and all ASCII digits.
pub(crate) fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_compare_as_numbers() {
        assert_eq!(cmp_digits(b"10", b"9"), Ordering::Greater);
        assert_eq!(cmp_digits(b"010", b"10"), Ordering::Equal);
        assert_eq!(cmp_digits(b"000", b""), Ordering::Equal);
        assert_eq!(
            cmp_digits(b"99999999999999999999999", b"99999999999999999999998"),
            Ordering::Greater
        );
    }
}

//! Fuzz every version scheme's compare on arbitrary pairs: it must never panic, and when
//! both sides parse it must be antisymmetric and reflexive.
#![no_main]

use std::cmp::Ordering;

use bulkhead_versions::{Scheme, compare};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (a, b) = text.split_once('\t').unwrap_or((&text, "1.0"));
    for scheme in Scheme::ALL {
        let ab = compare(scheme, a, b);
        let ba = compare(scheme, b, a);
        if let (Ok(x), Ok(y)) = (&ab, &ba) {
            assert_eq!(
                *x,
                y.reverse(),
                "{scheme}: {a:?} vs {b:?} not antisymmetric"
            );
        }
        assert_eq!(
            ab.is_ok(),
            ba.is_ok(),
            "{scheme}: {a:?} vs {b:?} parse differs by side"
        );
        if compare(scheme, a, a).is_ok() {
            assert_eq!(
                compare(scheme, a, a),
                Ok(Ordering::Equal),
                "{scheme}: {a:?} not equal to itself"
            );
        }
    }
});

//! PyPI API tokens: `pypi-` + a base64url macaroon whose location is pypi.org.
use crate::rule::{Hit, LINE, Rule};
use crate::validate::entropy;
use bulkhead_types::Severity;

pub const TOKEN: Rule = Rule {
    id: "pypi-upload-token",
    category: "PyPI",
    title: "PyPI Upload Token",
    severity: Severity::High,
    keywords: &["pypi-ageichlwas5vcmc"],
    // `AgEIcHlwaS5vcmc` is the base64 of the macaroon header naming pypi.org.
    regex: r"(?P<secret>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})",
    region: LINE,
    check: Some(ok),
};

fn ok(h: &Hit<'_>) -> bool {
    h.secret.get(20..).is_some_and(|t| entropy(t) > 4.0)
}

//! Stripe live secret and restricted keys (`sk_test_` keys are test keys:
//! not reported).
use crate::rule::{Hit, LINE, Rule};
use crate::validate::entropy;
use bulkhead_types::Severity;

pub const SECRET_KEY: Rule = Rule {
    id: "stripe-secret-key",
    category: "Stripe",
    title: "Stripe Live Secret Key",
    severity: Severity::Critical,
    keywords: &["sk_live_", "rk_live_"],
    regex: r"(?:^|[^A-Za-z0-9_])(?P<secret>[sr]k_live_[A-Za-z0-9]{24,99})(?:[^A-Za-z0-9_]|$)",
    region: LINE,
    check: Some(ok),
};

fn ok(h: &Hit<'_>) -> bool {
    h.secret.get(8..).is_some_and(|t| entropy(t) > 3.5)
}

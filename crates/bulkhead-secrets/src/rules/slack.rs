//! Slack tokens and incoming-webhook URLs.
use crate::rule::{Hit, LINE, Rule};
use crate::validate::entropy;
use bulkhead_types::Severity;

pub const TOKEN: Rule = Rule {
    id: "slack-token",
    category: "Slack",
    title: "Slack Token",
    severity: Severity::High,
    keywords: &[
        "xoxb-", "xoxp-", "xoxa-", "xoxo-", "xoxr-", "xoxs-", "xoxe-",
    ],
    regex: r"(?P<secret>xox[bpaorse]-[0-9]{8,13}-[0-9]{8,13}(?:-[0-9]{8,13})?-[A-Za-z0-9]{24,34})(?:[^A-Za-z0-9]|$)",
    region: LINE,
    check: Some(token_ok),
};

fn token_ok(h: &Hit<'_>) -> bool {
    h.secret
        .rsplit('-')
        .next()
        .is_some_and(|t| entropy(t) > 3.5)
}

pub const WEBHOOK: Rule = Rule {
    id: "slack-webhook-url",
    category: "Slack",
    title: "Slack Webhook URL",
    severity: Severity::High,
    keywords: &["hooks.slack.com"],
    regex: r"https://hooks\.slack\.com/services/(?P<secret>T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{24})",
    region: LINE,
    check: Some(webhook_ok),
};

fn webhook_ok(h: &Hit<'_>) -> bool {
    h.secret
        .rsplit('/')
        .next()
        .is_some_and(|t| entropy(t) > 3.5)
}

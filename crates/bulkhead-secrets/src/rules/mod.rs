//! Built-in rules: one module per family, one static list ([`BUILTIN`]).
//! Order matters: when two rules match overlapping text, the earlier
//! (more specific) one wins, so the generic rules come last.

mod aws;
mod azure;
mod docker;
mod gcp;
mod generic;
mod github;
mod gitlab;
mod jwt;
mod npm;
mod private_key;
mod pypi;
mod slack;
mod stripe;
mod url;

use crate::rule::Rule;

/// Every built-in rule, most specific first.
pub static BUILTIN: &[Rule] = &[
    gcp::SERVICE_ACCOUNT,
    private_key::OPENSSH,
    private_key::PGP,
    private_key::PEM,
    aws::ACCESS_KEY_ID,
    aws::SECRET_ACCESS_KEY,
    github::CLASSIC,
    github::FINE_GRAINED,
    gitlab::TOKEN,
    slack::TOKEN,
    slack::WEBHOOK,
    stripe::SECRET_KEY,
    npm::TOKEN,
    pypi::TOKEN,
    docker::HUB_PAT,
    gcp::API_KEY,
    azure::STORAGE_KEY,
    jwt::TOKEN,
    url::CREDENTIALS,
    generic::PASSWORD,
    generic::SECRET,
];

//! `require`'s skip is loud, and a failure under CI=true: this test runs its
//! own binary again on the ignored probe below, with the shared test data
//! pointed at a folder that does not exist (`BULKHEAD_SHARED_DIR`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bulkhead_testkit::require;
use std::process::Command;

/// Needs shared data that is never there; run by the tests below.
#[test]
#[ignore = "a probe: run by ci_true_turns_a_skip_into_a_failure"]
fn probe_needs_missing_shared_data() {
    let Some(_) = require::shared("osv/ecosystems.txt") else {
        return;
    };
    panic!("the shared data should be missing in the probe");
}

fn run_probe(ci: &str) -> (bool, String) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "probe_needs_missing_shared_data",
            "--nocapture",
        ])
        .env("CI", ci)
        .env(require::SHARED_DIR_ENV, "/nonexistent/bulkhead-shared")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

const NEED: &str = "!!!!! SKIPPED: probe_needs_missing_shared_data needs the shared test data /nonexistent/bulkhead-shared/osv/ecosystems.txt";

#[test]
fn ci_true_turns_a_skip_into_a_failure() {
    let (ok, text) = run_probe("true");
    assert!(!ok, "CI=true must fail:\n{text}");
    assert!(text.contains(NEED), "{text}");
    assert!(text.contains("CI=true: a skip is a failure"), "{text}");
}

#[test]
fn without_ci_the_skip_is_loud_but_passes() {
    let (ok, text) = run_probe("");
    assert!(ok, "{text}");
    assert!(text.contains(NEED), "{text}");
    assert!(text.contains("1 passed"), "{text}");
}

//! A test of the test suite: every test that needs something from outside
//! the repository goes through `bulkhead_testkit::require`, whose one skip
//! is loud and fails under CI=true. Fails naming `file:line` for each skip
//! printed by hand, `SKIPPED` message written by hand, or `CI` read by hand
//! in any crate's tests or `#[cfg(test)]` code (see `bulkhead_testkit::honest`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bulkhead_testkit::honest::{audit_crates, scan};
use bulkhead_testkit::require;

#[test]
fn no_skip_bypasses_the_helper() {
    let crates = require::repo_root().join("crates");
    let (files, findings) = audit_crates(&crates, &["bulkhead-testkit"]);
    // The walk really saw the suite (not an empty or wrong folder).
    assert!(
        files > 100,
        "only {files} files scanned under {}",
        crates.display()
    );
    assert!(
        findings.is_empty(),
        "skips outside bulkhead_testkit::require (use require::shared/daemon/tool/… or \
         require::skip_or_fail):\n{}",
        findings.join("\n")
    );
}

#[test]
fn the_scanner_fails_on_a_planted_skip() {
    let planted = "#[test]\nfn t() {\n    if !ok() {\n        eprintln!(\"!!!!! SKIPPED: no tool !!!!!\");\n        return;\n    }\n}\n";
    let s = scan(planted, true);
    assert_eq!(s.findings.len(), 1, "{:?}", s.findings);
    assert_eq!(s.findings[0].line, 4);
    let ci =
        "#[cfg(test)]\nmod tests {\n    fn f() { assert!(std::env::var(\"CI\").is_err()); }\n}\n";
    assert_eq!(scan(ci, false).findings[0].line, 3);
}

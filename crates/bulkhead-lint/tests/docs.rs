//! The committed rule docs (docs/rules/) must match the rule metadata.
//! Regenerate with `bulkhead config --write-rule-docs docs/rules` or
//! BULKHEAD_BLESS=1 cargo test -p bulkhead-lint --test docs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

#[test]
fn rule_docs_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    if std::env::var_os("BULKHEAD_BLESS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in bulkhead_lint::docs::files() {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    let mut stale = Vec::new();
    for (name, text) in bulkhead_lint::docs::files() {
        let have = std::fs::read_to_string(dir.join(&name)).unwrap_or_default();
        if have != text {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules out of date: {stale:?}; run `bulkhead config --write-rule-docs docs/rules`"
    );
}

//! Acceptance test: every oracle vector in `tests/vectors/<scheme>.tsv`.
//!
//! The vectors were generated once by `scripts/gen_vectors.py` with the real tools
//! (Debian bookworm packages): dpkg (`dpkg`), rpm (`python3-rpm`), PEP 440
//! (`python3-packaging`), npm and crates.io (`node-semver`, `nodejs`), Go
//! (`golang-golang-x-mod-dev`, `golang-go`), Maven (`maven`, `default-jdk-headless`
//! or any JDK), RubyGems (`ruby`). This test needs none of them: it only reads the
//! committed files.
//!
//! apk has NO oracle on this machine: `apk.tsv` was derived from the documented apk-tools
//! rules by an independent Python implementation in the generator and hand-checked
//! against the orderings listed in the reference, so it checks consistency, not truth.
//!
//! Each line `a<TAB>b<TAB>r` asserts compare(a, b) == r and compare(b, a) == -r.
//! `<scheme>.invalid` lists strings the oracle rejects; they must be rejected here too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cmp::Ordering;
use std::path::PathBuf;

use bulkhead_versions::{Scheme, compare, validate};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("vectors")
}

fn run(scheme: Scheme) {
    let name = scheme.name();
    let text = std::fs::read_to_string(dir().join(format!("{name}.tsv")))
        .unwrap_or_else(|e| panic!("read {name}.tsv: {e}"));
    let mut failures = Vec::new();
    let mut count = 0usize;
    for (n, line) in text.lines().enumerate() {
        let mut parts = line.split('\t');
        let (Some(a), Some(b), Some(r)) = (parts.next(), parts.next(), parts.next()) else {
            panic!("{name}.tsv line {}: malformed", n + 1);
        };
        let want = match r {
            "-1" => Ordering::Less,
            "0" => Ordering::Equal,
            "1" => Ordering::Greater,
            other => panic!("{name}.tsv line {}: bad result {other:?}", n + 1),
        };
        count += 1;
        let got = compare(scheme, a, b);
        let back = compare(scheme, b, a);
        if got != Ok(want) || back != Ok(want.reverse()) {
            failures.push(format!(
                "{a:?} vs {b:?}: oracle {want:?}, got {got:?} / reversed {back:?}"
            ));
        }
    }
    let invalid =
        std::fs::read_to_string(dir().join(format!("{name}.invalid"))).unwrap_or_default();
    let mut invalid_count = 0usize;
    for s in invalid.lines() {
        invalid_count += 1;
        if validate(scheme, s).is_ok() {
            failures.push(format!("{s:?}: oracle rejects it, we accept it"));
        }
    }
    eprintln!(
        "{name}: {count} vectors, {invalid_count} invalid strings, {} failures",
        failures.len()
    );
    assert!(count > 1000, "{name}: only {count} vectors");
    assert!(
        failures.is_empty(),
        "{name}: {} of {count} vectors / {invalid_count} invalid strings disagree with the oracle:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn dpkg() {
    run(Scheme::Dpkg);
}

#[test]
fn rpm() {
    run(Scheme::Rpm);
}

#[test]
fn apk() {
    run(Scheme::Apk);
}

#[test]
fn pep440() {
    run(Scheme::Pep440);
}

#[test]
fn npm() {
    run(Scheme::Npm);
}

#[test]
fn crates() {
    run(Scheme::Cargo);
}

#[test]
fn go() {
    run(Scheme::Go);
}

#[test]
fn maven() {
    run(Scheme::Maven);
}

#[test]
fn rubygems() {
    run(Scheme::RubyGems);
}

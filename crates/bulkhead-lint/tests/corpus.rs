//! Acceptance corpus: every file under tests/corpus has a `.expected` file
//! next to it listing `ID line` per finding. Set BULKHEAD_BLESS=1 to rewrite
//! them after a reviewed change.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bulkhead_lint::{FileKind, LintOptions, detect_file, lint_file};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_none_or(|x| x != "expected") {
            out.push(p);
        }
    }
}

#[test]
fn corpus_findings_match_expected() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut all = Vec::new();
    files(&root, &mut all);
    all.sort();
    let opts = LintOptions {
        env: Some(BTreeMap::new()),
        ..LintOptions::default()
    };
    let bless = std::env::var_os("BULKHEAD_BLESS").is_some();
    let mut failures = Vec::new();
    let mut checked = 0;
    for p in all {
        let Some(kind) = detect_file(&p) else {
            continue;
        };
        if kind == FileKind::DockerIgnore {
            continue;
        }
        let r = lint_file(&p, kind, &opts).unwrap();
        let got: String = r
            .findings
            .iter()
            .map(|f| format!("{} {}\n", f.rule.id, f.line))
            .collect();
        let exp_path = PathBuf::from(format!("{}.expected", p.display()));
        if bless {
            std::fs::write(&exp_path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&exp_path)
            .unwrap_or_else(|_| panic!("missing {}", exp_path.display()));
        checked += 1;
        if got != want {
            failures.push(format!("{}:\n--- want\n{want}--- got\n{got}", p.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(bless || checked >= 10, "corpus too small: {checked}");
}

//! Dockerfile parser and rule throughput on the corpus files, and Compose
//! loading. Run with `cargo bench -p bulkhead-lint`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bulkhead_lint::{LintOptions, dockerfile, lint_compose, lint_dockerfile};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn main() {
    divan::main();
}

fn corpus(sub: &str, ext: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(sub);
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(ext))
        .collect();
    v.sort();
    v.iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// All corpus Dockerfiles concatenated into one long multi-stage file.
fn big_dockerfile() -> String {
    corpus("dockerfile", ".Dockerfile").join("\n").repeat(20)
}

#[divan::bench]
fn parse_corpus(b: divan::Bencher) {
    let files = corpus("dockerfile", ".Dockerfile");
    let bytes: usize = files.iter().map(String::len).sum();
    b.counter(divan::counter::BytesCount::new(bytes)).bench(|| {
        for f in &files {
            divan::black_box(dockerfile::parse(f));
        }
    });
}

#[divan::bench]
fn lint_corpus(b: divan::Bencher) {
    let files = corpus("dockerfile", ".Dockerfile");
    let opts = LintOptions::default();
    b.counter(divan::counter::ItemsCount::new(files.len()))
        .bench(|| {
            for f in &files {
                divan::black_box(lint_dockerfile(f, None, &opts));
            }
        });
}

#[divan::bench]
fn parse_large_file(b: divan::Bencher) {
    let text = big_dockerfile();
    b.counter(divan::counter::BytesCount::new(text.len()))
        .bench(|| divan::black_box(dockerfile::parse(&text)));
}

#[divan::bench]
fn lint_compose_corpus(b: divan::Bencher) {
    let files = corpus("compose", ".yml");
    let opts = LintOptions {
        env: Some(BTreeMap::new()),
        ..LintOptions::default()
    };
    let path = Path::new("compose.yml");
    b.counter(divan::counter::ItemsCount::new(files.len()))
        .bench(|| {
            for f in &files {
                divan::black_box(lint_compose(f, path, &opts));
            }
        });
}

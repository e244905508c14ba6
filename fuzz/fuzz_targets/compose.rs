#![no_main]
//! Fuzz the Compose loader (YAML limits, interpolation, `extends`, typed
//! model) and every Compose rule: must never panic, only return errors.
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let opts = bulkhead_lint::LintOptions {
        env: Some(BTreeMap::from([("TAG".to_string(), "1.0".to_string())])),
        ..bulkhead_lint::LintOptions::default()
    };
    // A path in a folder that does not exist: `extends: {file: …}` fails cleanly.
    let _ = bulkhead_lint::lint_compose(&text, Path::new("/nonexistent-bulkhead-fuzz/compose.yml"), &opts);
    // `-f a -f b …`: the documents separated by `---` lines, merged in order.
    let docs: Vec<(&str, &Path)> = text
        .split("\n---\n")
        .map(|d| (d, Path::new("/nonexistent-bulkhead-fuzz/compose.yml")))
        .collect();
    let env = opts.env.clone().unwrap_or_default();
    let _ = bulkhead_lint::compose::load_texts(&docs, &env, &Default::default());
});

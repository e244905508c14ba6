//! One entry point for the fuzz target `advise` and its seed replay: the
//! parsers here that see untrusted data (registry tags, image labels,
//! names) and the renderers that print it. Never panics.

use crate::base::{from_labels, from_layers};
use crate::rank::{TagVersion, nearest_tags, split_name};

/// Run every untrusted-input path on `data`: each line as a tag and a name,
/// the whole input as an image config (labels) when it is JSON.
pub fn exercise(data: &[u8]) -> usize {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<String> = text.lines().take(1000).map(str::to_string).collect();
    let mut seen = 0;
    for l in &lines {
        if let Some(v) = TagVersion::parse(l) {
            seen += v.parts.len();
            if let Some(first) = lines.first().and_then(|f| TagVersion::parse(f)) {
                let _ = first.distance(&v);
            }
        }
        let _ = split_name(l);
    }
    let (kept, _) = nearest_tags(lines.first().map(String::as_str), &lines, 5);
    seen += kept.len();
    if let Ok(config) = serde_json::from_slice::<serde_json::Value>(data) {
        if let Some(b) = from_labels(&config) {
            seen += bulkhead_types::text::terminal_safe_capped(&b.name, 120).len();
        }
        let _ = from_layers(&lines, [("x", lines.as_slice())]);
    }
    seen
}

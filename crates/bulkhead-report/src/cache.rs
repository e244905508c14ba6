//! What `bulkhead cache info|clean` prints.

use std::path::Path;

/// Bytes with a binary unit and one decimal (`1.5 KiB`).
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS.get(unit).copied().unwrap_or("B"))
}

/// `bulkhead cache info`: JSON (one line) when `json`, else text.
pub fn info(dir: &Path, entries: u64, bytes: u64, json: bool) -> serde_json::Result<String> {
    if json {
        let v = serde_json::json!({
            "Path": serde_json::to_value(dir)?,
            "Entries": entries,
            "Bytes": bytes,
        });
        return Ok(v.to_string() + "\n");
    }
    Ok(format!(
        "Layer cache: {}\nEntries:     {}\nSize:        {} ({} bytes)\n",
        dir.display(),
        entries,
        human(bytes),
        bytes
    ))
}

/// `bulkhead cache clean`: JSON (one line) when `json`, else text.
pub fn cleaned(dir: &Path, entries: u64, bytes: u64, json: bool) -> String {
    if json {
        serde_json::json!({"Removed": entries, "Bytes": bytes}).to_string() + "\n"
    } else {
        format!(
            "Removed {} cached layers ({}) from {}\n",
            entries,
            human(bytes),
            dir.display()
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn sizes_and_lines() {
        assert_eq!(human(0), "0.0 B");
        assert_eq!(human(1536), "1.5 KiB");
        let text = info(Path::new("/c/layers"), 2, 2048, false).unwrap();
        assert_eq!(
            text,
            "Layer cache: /c/layers\nEntries:     2\nSize:        2.0 KiB (2048 bytes)\n"
        );
        let json = info(Path::new("/c/layers"), 2, 2048, true).unwrap();
        assert_eq!(
            json,
            "{\"Bytes\":2048,\"Entries\":2,\"Path\":\"/c/layers\"}\n"
        );
        assert_eq!(
            cleaned(Path::new("/c"), 1, 10, false),
            "Removed 1 cached layers (10.0 B) from /c\n"
        );
    }
}

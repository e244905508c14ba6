//! Small value parsers shared by the adapters.

/// `512m`, `1g`, `1.5G`, `1024`, `100mb` → bytes (binary units, as Docker's
/// `RAMInBytes`). `None` for anything else (negative, garbage, overflow).
pub fn parse_bytes(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_lowercase();
    let t = t.strip_suffix('b').unwrap_or(&t);
    let (num, mult) = match t.chars().last()? {
        'k' => (t.get(..t.len() - 1)?, 1u64 << 10),
        'm' => (t.get(..t.len() - 1)?, 1 << 20),
        'g' => (t.get(..t.len() - 1)?, 1 << 30),
        't' => (t.get(..t.len() - 1)?, 1 << 40),
        'p' => (t.get(..t.len() - 1)?, 1 << 50),
        _ => (t, 1),
    };
    let v: f64 = num.trim().parse().ok()?;
    let bytes = v * mult as f64;
    (v.is_finite() && v >= 0.0 && bytes < u64::MAX as f64).then_some(bytes as u64)
}

/// Whether `path` is `dir` or below it (`/etc/ssl` is under `/etc`).
pub(crate) fn is_under(path: &str, dir: &str) -> bool {
    dir == "/" && path == "/"
        || path == dir
        || (dir != "/" && path.strip_prefix(dir).is_some_and(|r| r.starts_with('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes() {
        assert_eq!(parse_bytes("512m"), Some(512 << 20));
        assert_eq!(parse_bytes("1G"), Some(1 << 30));
        assert_eq!(parse_bytes("100MB"), Some(100 << 20));
        assert_eq!(parse_bytes("1024"), Some(1024));
        assert_eq!(parse_bytes("-1"), None);
        assert_eq!(parse_bytes("lots"), None);
        assert_eq!(parse_bytes(""), None);
        assert_eq!(parse_bytes("1e300p"), None);
    }

    #[test]
    fn under() {
        assert!(is_under("/etc/ssl", "/etc"));
        assert!(is_under("/etc", "/etc"));
        assert!(!is_under("/etcetera", "/etc"));
        assert!(is_under("/", "/"));
        assert!(!is_under("/home", "/"));
    }
}

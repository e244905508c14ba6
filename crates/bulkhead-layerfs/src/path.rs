/// Normalise a tar member name to a root-relative path.
///
/// Leading `/` and `./` are dropped, `.` components removed and `..`
/// resolved lexically; a name whose `..` would climb above the root returns
/// `None` (the entry is skipped, never applied). An empty result is the root.
pub fn normalize(name: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for comp in name.split('/') {
        match comp {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Parent of a normalised path ("" for top-level entries).
pub(crate) fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

/// Join a normalised directory and a name.
pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_cases() {
        assert_eq!(normalize("./etc/passwd").as_deref(), Some("etc/passwd"));
        assert_eq!(normalize("/etc//passwd/").as_deref(), Some("etc/passwd"));
        assert_eq!(normalize("a/./b/../c").as_deref(), Some("a/c"));
        assert_eq!(normalize("../etc/passwd"), None);
        assert_eq!(normalize("a/../../x"), None);
        assert_eq!(normalize("./").as_deref(), Some(""));
        assert_eq!(parent("a/b/c"), "a/b");
        assert_eq!(parent("a"), "");
        assert_eq!(join("", "x"), "x");
    }
}

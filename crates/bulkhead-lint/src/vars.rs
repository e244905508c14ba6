//! Scanning helpers shared by the two variable expanders (Dockerfile
//! `ARG`/`ENV` expansion and Compose interpolation). Their substitution rules
//! differ (quotes, escapes, error forms); finding the extent of `${…}` and of
//! a bare `$NAME` is the same.

/// Index of the `}` closing the `{` at `open`, counting nested braces.
pub(crate) fn matching_brace(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (j, &c) in chars.iter().enumerate().skip(open) {
        if c == '{' {
            depth += 1;
        } else if c == '}' {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return Some(j);
            }
        }
    }
    None
}

/// End (exclusive) of the identifier `[A-Za-z0-9_]*` starting at `start`.
pub(crate) fn identifier_end(chars: &[char], start: usize) -> usize {
    let mut j = start;
    while chars
        .get(j)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
    {
        j += 1;
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_and_identifiers() {
        let c: Vec<char> = "${A:-${B}}x $NAME_1-".chars().collect();
        assert_eq!(matching_brace(&c, 1), Some(9));
        assert_eq!(matching_brace(&c[..5], 1), None);
        assert_eq!(identifier_end(&c, 13), 19);
        assert_eq!(identifier_end(&c, 19), 19);
    }
}

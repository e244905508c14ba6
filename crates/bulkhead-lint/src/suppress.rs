//! Inline suppressions: `# bulkhead:ignore ID[,ID…] reason`.
//!
//! A comment applies to findings on its own line (a trailing YAML comment)
//! and on the next line that is neither blank nor a comment (the instruction
//! or key below it). `# bulkhead:ignore-file ID reason` applies to the whole
//! file. `ID` may also be `all`.

/// Suppressions found in a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suppressions {
    /// (line, ids) for line-scoped comments.
    pub lines: Vec<(usize, Vec<String>)>,
    pub file: Vec<String>,
}

impl Suppressions {
    /// Scan a file's text.
    pub fn scan(text: &str) -> Self {
        let lines: Vec<&str> = text.lines().collect();
        let mut s = Suppressions::default();
        for (i, l) in lines.iter().enumerate() {
            let Some(pos) = l.find("bulkhead:ignore") else {
                continue;
            };
            let before = l.get(..pos).unwrap_or("");
            if !before.trim_end().ends_with('#') {
                continue;
            }
            let rest = l.get(pos + "bulkhead:ignore".len()..).unwrap_or("");
            let (file_wide, rest) = match rest.strip_prefix("-file") {
                Some(r) => (true, r),
                None => (false, rest),
            };
            let ids: Vec<String> = rest
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_start_matches('=')
                .split(',')
                .filter(|x| !x.is_empty())
                .map(|x| x.to_ascii_uppercase())
                .collect();
            if ids.is_empty() {
                continue;
            }
            if file_wide {
                s.file.extend(ids);
                continue;
            }
            let own_line = i + 1;
            s.lines.push((own_line, ids.clone()));
            if before.trim() == "#" || before.trim_start().starts_with('#') {
                // a comment line: also the next code line
                if let Some(off) = lines
                    .iter()
                    .skip(i + 1)
                    .position(|n| !n.trim().is_empty() && !n.trim_start().starts_with('#'))
                {
                    s.lines.push((i + 2 + off, ids));
                }
            }
        }
        s
    }

    /// Whether a finding of `id` starting on `line` is suppressed.
    pub fn covers(&self, id: &str, line: usize) -> bool {
        let m = |ids: &Vec<String>| ids.iter().any(|x| x == "ALL" || x.eq_ignore_ascii_case(id));
        m(&self.file) || self.lines.iter().any(|(l, ids)| *l == line && m(ids))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes() {
        let s = Suppressions::scan(
            "# bulkhead:ignore BH-DF-001 base sets user\n\nFROM x\nuser: root # bulkhead:ignore BH-CO-001,BH-CO-002 ok\n# bulkhead:ignore-file BH-DF-008 no\n",
        );
        assert!(s.covers("BH-DF-001", 3));
        assert!(!s.covers("BH-DF-001", 4));
        assert!(s.covers("bh-co-002", 4));
        assert!(s.covers("BH-DF-008", 99));
    }
}

//! `.dockerignore` matching (Docker's rules: Go `filepath.Match` globs plus
//! `**`, `!` exceptions, last match wins, a match on a parent folder excludes
//! its content).
//!
//! Hand-written: `globset`/`ignore` implement gitignore semantics (patterns
//! without `/` match at any depth, trailing-slash rules), which differ from
//! Docker's, where `*.pem` matches only at the context root.

use std::path::Path;

/// One pattern line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub glob: String,
    pub negated: bool,
}

/// Parsed `.dockerignore`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DockerIgnore {
    pub patterns: Vec<Pattern>,
}

impl DockerIgnore {
    /// Parse the file text.
    pub fn parse(text: &str) -> Self {
        let mut patterns = Vec::new();
        for line in text.lines() {
            let l = line.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let (negated, g) = match l.strip_prefix('!') {
                Some(r) => (true, r.trim()),
                None => (false, l),
            };
            let g = clean(g);
            if !g.is_empty() {
                patterns.push(Pattern { glob: g, negated });
            }
        }
        DockerIgnore { patterns }
    }

    /// Whether `rel` (slash-separated, relative to the context) is excluded.
    pub fn excluded(&self, rel: &str) -> bool {
        let rel = clean(rel);
        let mut out = false;
        for p in &self.patterns {
            let hit = glob_match(&p.glob, &rel) || parents(&rel).any(|d| glob_match(&p.glob, d));
            if hit {
                out = !p.negated;
            }
        }
        out
    }

    /// Whether any pattern is an exception (`!…`).
    pub fn has_exceptions(&self) -> bool {
        self.patterns.iter().any(|p| p.negated)
    }
}

fn clean(p: &str) -> String {
    let p = p.trim_start_matches("./").trim_start_matches('/');
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    parts.join("/")
}

fn parents(p: &str) -> impl Iterator<Item = &str> {
    p.match_indices('/').filter_map(move |(i, _)| p.get(..i))
}

/// Go `filepath.Match` with `**` for any number of folders.
pub fn glob_match(pat: &str, name: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative matcher with memo to stay linear-ish on hostile patterns.
    let mut memo = vec![None; (p.len() + 1) * (n.len() + 1)];
    m(&p, &n, 0, 0, &mut memo)
}

fn m(p: &[char], n: &[char], pi: usize, ni: usize, memo: &mut Vec<Option<bool>>) -> bool {
    let key = pi * (n.len() + 1) + ni;
    if let Some(Some(v)) = memo.get(key) {
        return *v;
    }
    let r = match p.get(pi) {
        None => ni == n.len(),
        Some('*') if p.get(pi + 1) == Some(&'*') => {
            // `**` (optionally followed by `/`) matches any run including `/`.
            let next = if p.get(pi + 2) == Some(&'/') {
                pi + 3
            } else {
                pi + 2
            };
            (ni..=n.len()).any(|k| m(p, n, next, k, memo))
                || (next != pi + 2 && m(p, n, pi + 2, ni, memo))
        }
        Some('*') => {
            let mut k = ni;
            loop {
                if m(p, n, pi + 1, k, memo) {
                    break true;
                }
                match n.get(k) {
                    Some('/') | None => break false,
                    Some(_) => k += 1,
                }
            }
        }
        Some('?') => n.get(ni).is_some_and(|c| *c != '/') && m(p, n, pi + 1, ni + 1, memo),
        Some('[') => match (class_end(p, pi), n.get(ni)) {
            (Some(end), Some(c)) if *c != '/' => {
                let body = p.get(pi + 1..end).unwrap_or(&[]);
                let (neg, body) = match body.first() {
                    Some('^') | Some('!') => (true, body.get(1..).unwrap_or(&[])),
                    _ => (false, body),
                };
                let mut ok = false;
                let mut i = 0;
                while let Some(&a) = body.get(i) {
                    if body.get(i + 1) == Some(&'-')
                        && let Some(&b) = body.get(i + 2)
                    {
                        ok |= a <= *c && *c <= b;
                        i += 3;
                    } else {
                        ok |= a == *c;
                        i += 1;
                    }
                }
                ok != neg && m(p, n, end + 1, ni + 1, memo)
            }
            _ => false,
        },
        Some('\\') => match (p.get(pi + 1), n.get(ni)) {
            (Some(a), Some(b)) if a == b => m(p, n, pi + 2, ni + 1, memo),
            _ => false,
        },
        Some(c) => n.get(ni) == Some(c) && m(p, n, pi + 1, ni + 1, memo),
    };
    if let Some(slot) = memo.get_mut(key) {
        *slot = Some(r);
    }
    r
}

fn class_end(p: &[char], start: usize) -> Option<usize> {
    (start + 2..p.len()).find(|&i| p.get(i) == Some(&']'))
}

const MAX_ENTRIES: usize = 50_000;
const MAX_DEPTH: usize = 12;

/// Credential-looking files under `ctx` that the build context would send
/// (not excluded by `ctx/.dockerignore`), as relative paths, sorted.
pub fn sent_secrets(ctx: &Path) -> Vec<String> {
    let ignore = std::fs::read_to_string(ctx.join(".dockerignore"))
        .map(|t| DockerIgnore::parse(&t))
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut stack = vec![(ctx.to_path_buf(), String::new(), 0usize)];
    let mut seen = 0usize;
    while let Some((dir, rel, depth)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            seen += 1;
            if seen > MAX_ENTRIES {
                break;
            }
            let name = e.file_name().to_string_lossy().into_owned();
            let r = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let Ok(ft) = e.file_type() else { continue };
            let excluded = ignore.excluded(&r);
            if ft.is_dir() {
                if name == ".git" {
                    if !excluded {
                        out.push(r);
                    }
                    continue;
                }
                if name == "secrets" && !excluded {
                    out.push(format!("{r}/"));
                    continue;
                }
                if depth < MAX_DEPTH
                    && (!excluded || ignore.has_exceptions())
                    && name != "node_modules"
                {
                    stack.push((e.path(), r, depth + 1));
                }
            } else if !excluded && crate::rules::secrets::is_secret_file(&r) {
                out.push(r);
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_semantics() {
        let d = DockerIgnore::parse("# c\n*.pem\n**/.env\nsecrets\n!secrets/public.txt\n/build/\n");
        assert!(d.excluded("a.pem"));
        assert!(!d.excluded("sub/a.pem")); // root only, unlike gitignore
        assert!(d.excluded("x/y/.env"));
        assert!(d.excluded(".env"));
        assert!(d.excluded("secrets/k"));
        assert!(!d.excluded("secrets/public.txt"));
        assert!(d.excluded("build/out/x"));
        assert!(glob_match("a[0-9]?", "a1x"));
        assert!(!glob_match("a*", "a/b"));
        assert!(glob_match("**", "a/b/c"));
    }
}

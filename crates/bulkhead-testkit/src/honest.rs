//! Finds skips that bypass [`crate::require`]: in test code, a
//! `println!`/`eprintln!` (or `print!`/`eprint!`) whose text says `SKIP` or
//! `skipped`, a string literal holding `SKIPPED`, or a read of the `CI`
//! environment variable (`env::var("CI")`, `var_os("CI")`,
//! `option_env!("CI")`). Test code is every file under a crate's `tests/`,
//! and under `src/` the items marked `#[cfg(test)]` plus the module files
//! they declare (`#[cfg(test)] mod tests;`, and their own child modules).
//!
//! The scan is lexical (comments ignored, strings and char literals kept
//! apart from code), which is all these patterns need.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One skip outside the helper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// 1-based line.
    pub line: usize,
    /// What was found.
    pub what: String,
}

/// What [`scan`] found in one file.
#[derive(Debug, Default)]
pub struct Scan {
    /// Skips outside the helper, in line order.
    pub findings: Vec<Finding>,
    /// Modules declared by test code with `mod NAME;`: (NAME, `#[path]` if
    /// given). Their files are test code too.
    pub test_children: Vec<(String, Option<String>)>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum K {
    Code,
    Str,
    Comment,
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The kind of every byte: code, string/char literal, or comment.
fn classify(s: &[u8]) -> Vec<K> {
    let mut k = vec![K::Code; s.len()];
    let mut i = 0;
    let n = s.len();
    let at = |j: usize| s.get(j).copied().unwrap_or(0);
    while i < n {
        let c = s[i];
        let prev = if i == 0 { 0 } else { s[i - 1] };
        if c == b'/' && at(i + 1) == b'/' {
            let end = s[i..].iter().position(|&b| b == b'\n').map_or(n, |p| i + p);
            k[i..end].fill(K::Comment);
            i = end;
        } else if c == b'/' && at(i + 1) == b'*' {
            let start = i;
            let mut depth = 0usize;
            while i < n {
                if s[i] == b'/' && at(i + 1) == b'*' {
                    depth += 1;
                    i += 2;
                } else if s[i] == b'*' && at(i + 1) == b'/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            k[start..i.min(n)].fill(K::Comment);
        } else if c == b'r'
            && (!is_ident(prev)
                || ((prev == b'b' || prev == b'c') && !is_ident(at(i.wrapping_sub(2)))))
            && (at(i + 1) == b'"' || at(i + 1) == b'#')
        {
            // Raw string r"…", r#"…"# (or the raw identifier r#name).
            let mut j = i + 1;
            while at(j) == b'#' {
                j += 1;
            }
            if at(j) != b'"' {
                i = j;
                continue;
            }
            let hashes = j - i - 1;
            let mut close = vec![b'"'];
            close.extend(std::iter::repeat_n(b'#', hashes));
            let end = s[j + 1..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(n, |p| j + 1 + p + close.len());
            k[i..end].fill(K::Str);
            i = end;
        } else if c == b'"' {
            let start = i;
            i += 1;
            while i < n && s[i] != b'"' {
                i += if s[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(n);
            k[start..i].fill(K::Str);
        } else if c == b'\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if at(i + 1) == b'\\' {
                let mut j = i + 3;
                while j < n && s[j] != b'\'' {
                    j += 1;
                }
                let end = (j + 1).min(n);
                k[i..end].fill(K::Str);
                i = end;
            } else {
                let len = std::str::from_utf8(&s[i + 1..(i + 5).min(n)])
                    .ok()
                    .or_else(|| {
                        (1..4)
                            .rev()
                            .find_map(|l| std::str::from_utf8(s.get(i + 1..i + 1 + l)?).ok())
                    })
                    .and_then(|t| t.chars().next())
                    .map_or(1, char::len_utf8);
                if at(i + 1 + len) == b'\'' {
                    k[i..i + len + 2].fill(K::Str);
                    i += len + 2;
                } else {
                    i += 1;
                }
            }
        } else {
            i += 1;
        }
    }
    k
}

struct Src<'a> {
    t: &'a str,
    s: &'a [u8],
    k: Vec<K>,
    line_starts: Vec<usize>,
}

impl<'a> Src<'a> {
    fn new(text: &'a str) -> Self {
        let s = text.as_bytes();
        let mut line_starts = vec![0];
        line_starts.extend(
            s.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Src {
            t: text,
            s,
            k: classify(s),
            line_starts,
        }
    }

    fn line(&self, pos: usize) -> usize {
        self.line_starts.partition_point(|&p| p <= pos)
    }

    fn code(&self, i: usize) -> bool {
        self.k.get(i) == Some(&K::Code)
    }

    /// Next code byte that is not whitespace, from `i`.
    fn skip_ws(&self, mut i: usize) -> usize {
        while i < self.s.len() && (!self.code(i) || self.s[i].is_ascii_whitespace()) {
            // Comments count as whitespace.
            if self.k[i] == K::Str {
                break;
            }
            i += 1;
        }
        i
    }

    /// From an opening bracket at `open`, the index after its match.
    fn matching(&self, open: usize) -> usize {
        let mut depth = 0usize;
        for i in open..self.s.len() {
            if !self.code(i) {
                continue;
            }
            match self.s[i] {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            }
        }
        self.s.len()
    }

    /// Identifiers in code: (start, end).
    fn idents(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.s.len() {
            if self.code(i)
                && (self.s[i].is_ascii_alphabetic() || self.s[i] == b'_')
                && (i == 0 || !is_ident(self.s[i - 1]) || !self.code(i - 1))
            {
                let start = i;
                while i < self.s.len() && self.code(i) && is_ident(self.s[i]) {
                    i += 1;
                }
                out.push((start, i));
            } else {
                i += 1;
            }
        }
        out
    }

    /// The text between `a` and `b`, widened to char boundaries.
    fn text(&self, mut a: usize, b: usize) -> &str {
        let mut b = b.min(self.t.len());
        while !self.t.is_char_boundary(a) {
            a -= 1;
        }
        while !self.t.is_char_boundary(b) {
            b += 1;
        }
        self.t.get(a..b).unwrap_or("")
    }

    /// String literal runs: (start, end), quotes included.
    fn strings(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.s.len() {
            if self.k[i] == K::Str {
                let start = i;
                while i < self.s.len() && self.k[i] == K::Str {
                    i += 1;
                }
                out.push((start, i));
            } else {
                i += 1;
            }
        }
        out
    }

    /// Byte ranges of test code: `#[cfg(test)]` items (attribute included),
    /// and the modules such items declare by `mod NAME;`.
    fn test_regions(&self, children: &mut Vec<(String, Option<String>)>) -> Vec<(usize, usize)> {
        let mut regions = Vec::new();
        let mut i = 0;
        while let Some(p) = find_code(self, i, b"#[cfg(") {
            let attr_end = self.matching(p + 1);
            let attr = self.text(p, attr_end);
            i = attr_end;
            let is_test = attr
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .any(|w| w == "test")
                && !attr.contains("not(test");
            if !is_test {
                continue;
            }
            // Skip further attributes; note a #[path = "…"].
            let mut j = self.skip_ws(attr_end);
            let mut path_attr = None;
            while self.s.get(j) == Some(&b'#') {
                let end = self.matching(j + 1);
                let a = self.text(j, end);
                if let Some(rest) = a.strip_prefix("#[path") {
                    path_attr = rest.split('"').nth(1).map(str::to_string);
                }
                j = self.skip_ws(end);
            }
            // The item: up to its first `{` or `;` in code.
            let mut e = j;
            while e < self.s.len() && !(self.code(e) && (self.s[e] == b'{' || self.s[e] == b';')) {
                e += 1;
            }
            if e >= self.s.len() {
                break;
            }
            if self.s[e] == b';' {
                if let Some(name) = mod_decl(self.text(j, e)) {
                    children.push((name, path_attr));
                }
                i = e + 1;
            } else {
                let end = self.matching(e);
                regions.push((p, end));
                i = end;
            }
        }
        regions
    }
}

/// `mod NAME` (with any visibility) → NAME.
fn mod_decl(item: &str) -> Option<String> {
    let words: Vec<&str> = item.split_whitespace().collect();
    let m = words.iter().position(|w| *w == "mod")?;
    words.get(m + 1).map(|w| w.to_string())
}

fn find_code(src: &Src<'_>, from: usize, pat: &[u8]) -> Option<usize> {
    (from..src.s.len().saturating_sub(pat.len() - 1))
        .find(|&i| src.code(i) && src.s[i..].starts_with(pat))
}

const PRINTS: [&str; 4] = ["println", "eprintln", "print", "eprint"];
const ENV_READS: [&str; 3] = ["var", "var_os", "option_env"];

/// Scan one file. `whole_file_is_test`: a file under `tests/`, or a module
/// file declared by test code; otherwise only the `#[cfg(test)]` items count.
pub fn scan(text: &str, whole_file_is_test: bool) -> Scan {
    let src = Src::new(text);
    let mut out = Scan::default();
    let regions = if whole_file_is_test {
        for (a, b) in src.idents() {
            if src.text(a, b) == "mod" {
                let e = (b..src.s.len())
                    .find(|&i| src.code(i) && (src.s[i] == b'{' || src.s[i] == b';'))
                    .unwrap_or(src.s.len());
                if src.s.get(e) == Some(&b';')
                    && let Some(name) = mod_decl(src.text(a, e))
                {
                    // A #[path = "…"] right before it.
                    let before = src.text(a.saturating_sub(200), a);
                    let path = before
                        .rsplit_once("#[path")
                        .and_then(|(_, r)| r.split('"').nth(1))
                        .filter(|_| before.trim_end().ends_with(']'))
                        .map(str::to_string);
                    out.test_children.push((name, path));
                }
            }
        }
        vec![(0, src.s.len())]
    } else {
        src.test_regions(&mut out.test_children)
    };
    let inside = |p: usize| regions.iter().any(|&(a, b)| a <= p && p < b);
    let strings = src.strings();
    let mut found: BTreeMap<usize, String> = BTreeMap::new();

    for (a, b) in src.idents() {
        if !inside(a) {
            continue;
        }
        let name = src.text(a, b);
        let bang = src.skip_ws(b);
        if src.s.get(bang) != Some(&b'!') {
            // env::var("CI") / var_os("CI")
            if ENV_READS.contains(&name) {
                let open = src.skip_ws(b);
                if src.s.get(open) == Some(&b'(') {
                    let lit = src.skip_ws(open + 1);
                    if src.text(lit, lit + 4) == "\"CI\"" {
                        found.entry(src.line(a)).or_insert_with(|| {
                            format!(
                                "reads CI itself (`{name}(\"CI\")`); use bulkhead_testkit::require"
                            )
                        });
                    }
                }
            }
            continue;
        }
        let open = src.skip_ws(bang + 1);
        if !matches!(src.s.get(open), Some(b'(' | b'[' | b'{')) {
            continue;
        }
        let end = src.matching(open);
        let call = src.text(open, end);
        // Only the text it prints counts (not e.g. a `stats.skipped` argument).
        let says_skip = strings
            .iter()
            .filter(|&&(a, _)| open <= a && a < end)
            .map(|&(a, b)| src.text(a, b))
            .any(|t| t.contains("SKIP") || t.contains("skipped") || t.contains("Skipped"));
        if PRINTS.contains(&name) && says_skip {
            found.entry(src.line(a)).or_insert_with(|| {
                format!(
                    "prints its own skip (`{name}!`); use bulkhead_testkit::require::skip_or_fail"
                )
            });
        }
        if name == "option_env" && call.contains("\"CI\"") {
            found.entry(src.line(a)).or_insert_with(|| {
                "reads CI itself (`option_env!(\"CI\")`); use bulkhead_testkit::require".to_string()
            });
        }
    }
    for &(a, b) in &strings {
        if inside(a) && src.text(a, b).contains("SKIPPED") {
            found.entry(src.line(a)).or_insert_with(|| {
                "writes its own SKIPPED message; use bulkhead_testkit::require::skip_or_fail"
                    .to_string()
            });
        }
    }
    out.findings = found
        .into_iter()
        .map(|(line, what)| Finding { line, what })
        .collect();
    out
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The file a test module `mod NAME;` (or `#[path]`) in `parent` lives in.
fn child_file(parent: &Path, name: &str, path_attr: Option<&str>) -> Vec<PathBuf> {
    let dir = parent.parent().unwrap_or(Path::new("."));
    if let Some(p) = path_attr {
        return vec![dir.join(p)];
    }
    let stem = parent.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let base = if matches!(stem, "lib" | "main" | "mod") {
        dir.to_path_buf()
    } else {
        dir.join(stem)
    };
    vec![
        base.join(format!("{name}.rs")),
        base.join(name).join("mod.rs"),
    ]
}

/// Scan `<crates_dir>/*/tests/**/*.rs` and the test code of
/// `<crates_dir>/*/src/**/*.rs`, skipping the crates named in `exclude`.
/// Returns how many files were read and `path:line: what` for each finding
/// (paths relative to the parent of `crates_dir`).
pub fn audit_crates(crates_dir: &Path, exclude: &[&str]) -> (usize, Vec<String>) {
    let mut crates: Vec<PathBuf> = std::fs::read_dir(crates_dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    crates.sort();
    let mut files: BTreeMap<PathBuf, bool> = BTreeMap::new();
    for c in crates {
        let name = c.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if exclude.contains(&name) || !c.join("Cargo.toml").is_file() {
            continue;
        }
        let (mut tests, mut src) = (Vec::new(), Vec::new());
        rs_files(&c.join("tests"), &mut tests);
        rs_files(&c.join("src"), &mut src);
        files.extend(tests.into_iter().map(|p| (p, true)));
        files.extend(src.into_iter().map(|p| (p, false)));
    }
    let texts: BTreeMap<PathBuf, String> = files
        .keys()
        .filter_map(|p| Some((p.clone(), std::fs::read_to_string(p).ok()?)))
        .collect();
    // Test modules declared by test code are test code: to a fixed point.
    loop {
        let mut newly = Vec::new();
        for (p, text) in &texts {
            let whole = files.get(p).copied().unwrap_or(false);
            for (name, path_attr) in scan(text, whole).test_children {
                for f in child_file(p, &name, path_attr.as_deref()) {
                    if files.get(&f) == Some(&false) {
                        newly.push(f);
                    }
                }
            }
        }
        if newly.is_empty() {
            break;
        }
        for f in newly {
            files.insert(f, true);
        }
    }
    let mut out = Vec::new();
    for (p, text) in &texts {
        let whole = files.get(p).copied().unwrap_or(false);
        for f in scan(text, whole).findings {
            let shown = crates_dir
                .parent()
                .and_then(|root| p.strip_prefix(root).ok())
                .unwrap_or(p);
            out.push(format!("{}:{}: {}", shown.display(), f.line, f.what));
        }
    }
    (texts.len(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, whole: bool) -> Vec<usize> {
        scan(text, whole).findings.iter().map(|f| f.line).collect()
    }

    #[test]
    fn planted_skips_are_found_with_their_lines() {
        let planted = concat!(
            "#[test]\n",                                                    // 1
            "fn t() {\n",                                                   // 2
            "    if !std::path::Path::new(\"/x\").exists() {\n",            // 3
            "        eprintln!(\"!!!!! SKIPPED: no /x !!!!!\");\n",         // 4
            "        return;\n",                                            // 5
            "    }\n",                                                      // 6
            "    if std::env::var(\"CI\").as_deref() == Ok(\"true\") {}\n", // 7
            "    println!(\n        \"SKIP compose oracle\"\n    );\n",     // 8-10
            "    let m = format!(\"SKIPPED: {}\", 1);\n",                   // 11
            "    eprintln!(\"{m} was skipped\");\n",                        // 12
            "    let _ = std::env::var_os( \"CI\" );\n",                    // 13
            "}\n",
        );
        assert_eq!(lines(planted, true), [4, 7, 8, 11, 12, 13]);
    }

    #[test]
    fn honest_code_passes() {
        let honest = concat!(
            "// eprintln!(\"SKIPPED in a comment\"); env::var(\"CI\")\n",
            "/* println!(\"skipped\") /* nested */ */\n",
            "fn t() {\n",
            "    let Some(d) = bulkhead_testkit::require::shared(\"osv\") else { return };\n",
            "    eprintln!(\"records {} malformed {}\", r.records, r.skipped);\n",
            "    assert!(out.contains(\"2 malformed skipped\"));\n",
            "    let c = '\"'; let l: &'static str = r#\"eprintln!(\"x\")\"#;\n",
            "    Command::new(\"x\").env(\"CI\", \"true\");\n",
            "}\n",
        );
        assert!(
            scan(honest, true).findings.is_empty(),
            "{:?}",
            scan(honest, true).findings
        );
    }

    #[test]
    fn src_files_count_only_test_modules() {
        let src = concat!(
            "pub fn run() {\n",                                // 1
            "    eprintln!(\"{} records skipped\", 3);\n",     // 2: product output
            "}\n",                                             // 3
            "#[cfg(test)]\n",                                  // 4
            "mod tests {\n",                                   // 5
            "    fn f() { let s = \"}\"; let c = '{'; }\n",    // 6: braces in literals
            "    #[test]\n",                                   // 7
            "    fn t() {\n",                                  // 8
            "        eprintln!(\"SKIPPED the FIFO case\");\n", // 9
            "    }\n",                                         // 10
            "}\n",                                             // 11
            "fn after() { eprintln!(\"skipped\"); }\n",        // 12
            "#[cfg(test)]\n",
            "mod more;\n",
        );
        let s = scan(src, false);
        assert_eq!(s.findings.iter().map(|f| f.line).collect::<Vec<_>>(), [9]);
        assert_eq!(s.test_children, [("more".to_string(), None)]);
        // The same text as a whole test file: every print counts.
        assert_eq!(lines(src, true), [2, 9, 12]);
    }

    #[test]
    fn child_modules_resolve_like_rustc() {
        let lib = Path::new("/c/src/lib.rs");
        let foo = Path::new("/c/src/compose/mod.rs");
        let bar = Path::new("/c/src/bar.rs");
        assert_eq!(
            child_file(lib, "tests", None)[0],
            Path::new("/c/src/tests.rs")
        );
        assert_eq!(
            child_file(foo, "tests", None)[0],
            Path::new("/c/src/compose/tests.rs")
        );
        assert_eq!(
            child_file(bar, "tests", None)[1],
            Path::new("/c/src/bar/tests/mod.rs")
        );
        assert_eq!(
            child_file(bar, "t", Some("x.rs"))[0],
            Path::new("/c/src/x.rs")
        );
    }
}

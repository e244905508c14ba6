//! Word splitting, quote removal and `$VAR` expansion the way BuildKit's
//! shell lexer does it for Dockerfile instructions (not a full POSIX shell:
//! no command substitution, no globbing).

use std::collections::BTreeMap;

/// Variables visible at a point of the Dockerfile. `None` = declared without
/// a value (ARG without default): unset for expansion purposes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    vars: BTreeMap<String, Option<String>>,
}

impl Scope {
    /// Set or declare a variable.
    pub fn set(&mut self, name: &str, value: Option<String>) {
        self.vars.insert(name.to_string(), value);
    }
    /// The value of a set variable.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).and_then(|v| v.as_deref())
    }
}

/// A raw word of a shell-form argument (quotes kept) with its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawWord {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// Split on unquoted whitespace; quotes and escapes stay in the words.
pub fn split_words(s: &str) -> Vec<RawWord> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start = None;
    let mut quote: Option<char> = None;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match quote {
            Some(q) => {
                cur.push(c);
                if c == '\\' && q == '"' {
                    if let Some((_, n)) = chars.next() {
                        cur.push(n);
                    }
                } else if c == q {
                    quote = None;
                }
            }
            None => {
                if c.is_whitespace() {
                    if let Some(st) = start.take() {
                        out.push(RawWord {
                            text: std::mem::take(&mut cur),
                            start: st,
                            end: i,
                        });
                    }
                    continue;
                }
                if start.is_none() {
                    start = Some(i);
                }
                cur.push(c);
                if c == '\\' {
                    if let Some((_, n)) = chars.next() {
                        cur.push(n);
                    }
                } else if c == '"' || c == '\'' {
                    quote = Some(c);
                }
            }
        }
    }
    if let Some(st) = start {
        out.push(RawWord {
            text: cur,
            start: st,
            end: s.len(),
        });
    }
    out
}

/// Remove quotes and backslash escapes from one word.
pub fn unquote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some('\'') => {
                if c == '\'' {
                    quote = None;
                } else {
                    out.push(c);
                }
            }
            Some(_) => {
                if c == '"' {
                    quote = None;
                } else if c == '\\' {
                    match chars.next() {
                        Some(n @ ('"' | '\\' | '$')) => out.push(n),
                        Some(n) => {
                            out.push('\\');
                            out.push(n);
                        }
                        None => out.push('\\'),
                    }
                } else {
                    out.push(c);
                }
            }
            None => {
                if c == '"' || c == '\'' {
                    quote = Some(c);
                } else if c == '\\' {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// Expand then unquote a single word.
pub fn expand_word(s: &str, scope: &Scope, esc: char) -> String {
    unquote(&expand_text(s, scope, esc))
}

/// Maximum nesting of `${A:-${B:-…}}` before expansion gives up (keeps
/// hostile input from recursing deeply).
const MAX_DEPTH: usize = 16;

/// Expand `$VAR` references outside single quotes; quotes are kept.
pub fn expand_text(s: &str, scope: &Scope, esc: char) -> String {
    expand_inner(s, scope, esc, 0)
}

fn expand_inner(s: &str, scope: &Scope, esc: char, depth: usize) -> String {
    if depth > MAX_DEPTH {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut in_single = false;
    while let Some(&c) = chars.get(i) {
        if in_single {
            out.push(c);
            if c == '\'' {
                in_single = false;
            }
            i += 1;
            continue;
        }
        if c == esc {
            out.push(c);
            if let Some(&n) = chars.get(i + 1) {
                out.push(n);
            }
            i += 2;
            continue;
        }
        if c == '\'' {
            in_single = true;
            out.push(c);
            i += 1;
            continue;
        }
        if c != '$' {
            out.push(c);
            i += 1;
            continue;
        }
        // `$`
        match chars.get(i + 1) {
            Some('{') => {
                let Some(close) = crate::vars::matching_brace(&chars, i + 1) else {
                    // unterminated: keep literally
                    out.extend(chars.get(i..).unwrap_or(&[]).iter());
                    break;
                };
                let inner: String = chars.get(i + 2..close).unwrap_or(&[]).iter().collect();
                out.push_str(&substitute(&inner, scope, esc, depth));
                i = close + 1;
            }
            Some(&n) if n.is_ascii_alphabetic() || n == '_' => {
                let j = crate::vars::identifier_end(&chars, i + 1);
                let name: String = chars.get(i + 1..j).unwrap_or(&[]).iter().collect();
                out.push_str(scope.get(&name).unwrap_or(""));
                i = j;
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
    out
}

/// `NAME`, `NAME:-w`, `NAME-w`, `NAME:+w`, `NAME+w`, `NAME:?w`, `NAME?w`.
fn substitute(inner: &str, scope: &Scope, esc: char, depth: usize) -> String {
    let name_len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let name = inner.get(..name_len).unwrap_or("");
    let rest = inner.get(name_len..).unwrap_or("");
    let value = scope.get(name);
    let word = |w: &str| expand_inner(w, scope, esc, depth + 1);
    if let Some(w) = rest.strip_prefix(":-") {
        match value {
            Some(v) if !v.is_empty() => v.to_string(),
            _ => word(w),
        }
    } else if let Some(w) = rest.strip_prefix('-') {
        match value {
            Some(v) => v.to_string(),
            None => word(w),
        }
    } else if let Some(w) = rest.strip_prefix(":+") {
        match value {
            Some(v) if !v.is_empty() => word(w),
            _ => String::new(),
        }
    } else if let Some(w) = rest.strip_prefix('+') {
        match value {
            Some(_) => word(w),
            None => String::new(),
        }
    } else {
        // `${NAME}`, and `${NAME:?msg}` (an error at build time; we keep the value or empty)
        value.unwrap_or("").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Scope {
        let mut s = Scope::default();
        s.set("A", Some("one".into()));
        s.set("E", Some(String::new()));
        s.set("U", None);
        s
    }

    #[test]
    fn expansion_forms() {
        let s = scope();
        assert_eq!(expand_text("$A", &s, '\\'), "one");
        assert_eq!(expand_text("${A}x", &s, '\\'), "onex");
        assert_eq!(expand_text("${U:-d}", &s, '\\'), "d");
        assert_eq!(expand_text("${E:-d}", &s, '\\'), "d");
        assert_eq!(expand_text("${E-d}", &s, '\\'), "");
        assert_eq!(expand_text("${A:+x}", &s, '\\'), "x");
        assert_eq!(expand_text("${U:+x}", &s, '\\'), "");
        assert_eq!(expand_text("${U:-${A}}", &s, '\\'), "one");
        assert_eq!(expand_text("'$A' \"$A\"", &s, '\\'), "'$A' \"one\"");
        assert_eq!(expand_text("\\$A", &s, '\\'), "\\$A");
        assert_eq!(unquote("\\$A"), "$A");
        assert_eq!(expand_text("`$A", &s, '`'), "`$A");
        assert_eq!(expand_text("${unterminated", &s, '\\'), "${unterminated");
        assert_eq!(expand_text("$ $1 $", &s, '\\'), "$ $1 $");
    }

    #[test]
    fn words_and_quotes() {
        let w: Vec<String> = split_words(r#"a "b c" 'd e' f\ g"#)
            .into_iter()
            .map(|w| unquote(&w.text))
            .collect();
        assert_eq!(w, vec!["a", "b c", "d e", "f g"]);
    }
}

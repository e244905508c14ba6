//! Reading `strace` output: raw traces (`strace -f`, with or without `-o`,
//! `[pid N]` prefixes, timestamps, `<unfinished ...>` / `resumed` pairs,
//! signal and exit lines) and the `strace -c` summary table.
//!
//! strace has no machine-readable output mode and no crate parses it, so this
//! is a small hand-written line parser.

use crate::table;
use std::collections::BTreeSet;

/// Why strace output was rejected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StraceError {
    #[error(
        "the strace input is empty: pass the output of `strace -f -o FILE CMD` or `strace -c -f CMD`"
    )]
    Empty,
    #[error(
        "line {line}: not an strace line: `{text}`; if it is the traced program's own output, record the trace with `strace -f -o FILE` so the two do not mix"
    )]
    Malformed { line: usize, text: String },
    #[error(
        "line {line}: `{name}` is not a syscall known for x86_64, x86, aarch64 or arm; check the trace"
    )]
    UnknownSyscall { line: usize, name: String },
    #[error(
        "the strace -c summary table is truncated: {what}; it may have been cut by `tail`/`head` (e.g. `| tail -20`). Re-run strace -c and pass its whole output (`strace -c -f -o FILE CMD`), otherwise the profile would miss syscalls"
    )]
    Truncated { what: String },
    #[error("line {line}: summary row does not parse: `{text}`")]
    BadRow { line: usize, text: String },
}

/// Parse strace output of either kind (detected from its content) into the
/// set of syscall names it shows.
pub fn parse(text: &str) -> Result<BTreeSet<String>, StraceError> {
    if text.trim().is_empty() {
        return Err(StraceError::Empty);
    }
    if looks_like_summary(text) {
        parse_summary(text)
    } else {
        parse_raw(text)
    }
}

fn is_separator(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && t.starts_with("---") && t.chars().all(|c| c == '-' || c == ' ')
}

fn looks_like_summary(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim_start();
        t.starts_with("% time") || is_separator(l)
    })
}

/// Lines strace itself prints that name no syscall.
fn is_noise(rest: &str) -> bool {
    rest.is_empty()
        || rest.starts_with("+++ ")
        || rest.starts_with("--- ")
        || rest.starts_with("strace: ")
        || rest.starts_with("[ Process PID=")
        || rest.starts_with(" > ")
        || rest.starts_with("> ")
}

/// Strip the `[pid N]` / `N` prefix and any `-t`/`-tt`/`-ttt`/`-r` timestamp.
fn strip_prefixes(line: &str) -> &str {
    let mut rest = line.trim_start();
    if let Some(after) = rest.strip_prefix("[pid")
        && let Some(end) = after.find(']')
    {
        rest = after.get(end + 1..).unwrap_or("").trim_start();
    }
    // Up to two leading numeric tokens: a bare pid (`-o FILE` with -f) and a
    // timestamp (`12:00:00`, `12:00:00.123456`, `1700000000.123456`, `(+ 0.000012)`).
    for _ in 0..2 {
        let token_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let token = rest.get(..token_end).unwrap_or("");
        if !token.is_empty()
            && token_end < rest.len()
            && token
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b':' || b == b'.')
        {
            rest = rest.get(token_end..).unwrap_or("").trim_start();
        }
    }
    rest
}

fn syscall_name_at_start(rest: &str) -> Option<&str> {
    let end = rest.find('(')?;
    let name = rest.get(..end)?;
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then_some(name)
}

fn parse_raw(text: &str) -> Result<BTreeSet<String>, StraceError> {
    let mut out = BTreeSet::new();
    // strace writing to a terminal or pipe can print `strace: Process N
    // attached` in the middle of a syscall line; the rest of that syscall
    // line then follows on the next line.
    let mut continuation = false;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let (line, split) = match line.find("strace: Process ") {
            Some(at) if at > 0 => (line.get(..at).unwrap_or(line), true),
            _ => (line, false),
        };
        let rest = strip_prefixes(line);
        if is_noise(rest) {
            continuation = split;
            continue;
        }
        if continuation && syscall_name_at_start(rest).is_none() && !rest.starts_with("<... ") {
            continuation = split;
            continue;
        }
        continuation = split;
        let name = if let Some(resumed) = rest.strip_prefix("<... ") {
            // `<... read resumed>...`
            resumed
                .split_whitespace()
                .next()
                .filter(|_| resumed.contains(" resumed>"))
        } else {
            syscall_name_at_start(rest)
        };
        let Some(name) = name else {
            return Err(StraceError::Malformed {
                line: n,
                text: line.chars().take(120).collect(),
            });
        };
        if !table::is_known(name) {
            return Err(StraceError::UnknownSyscall {
                line: n,
                name: name.to_string(),
            });
        }
        out.insert(name.to_string());
    }
    if out.is_empty() {
        return Err(StraceError::Empty);
    }
    Ok(out)
}

/// One table of a summary (strace prints one per personality).
#[derive(Default)]
struct Table {
    header: bool,
    total: Option<u64>,
    sum: u64,
    rows: usize,
}

fn parse_summary(text: &str) -> Result<BTreeSet<String>, StraceError> {
    let mut out = BTreeSet::new();
    let mut tables: Vec<Table> = Vec::new();
    let mut current = Table::default();
    let mut calls_col: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let t = line.trim();
        if t.is_empty()
            || is_separator(line)
            || t.starts_with("strace: ")
            || t.starts_with("System call usage summary")
        {
            continue;
        }
        if t.starts_with("% time") {
            if current.header || current.rows > 0 {
                tables.push(std::mem::take(&mut current));
            }
            current.header = true;
            // Column names, with "% time" as one column.
            let cols: Vec<&str> = t.trim_start_matches("% time").split_whitespace().collect();
            calls_col = cols.iter().position(|c| *c == "calls").map(|p| p + 1);
            continue;
        }
        let tokens: Vec<&str> = t.split_whitespace().collect();
        let Some(name) = tokens.last().copied() else {
            continue;
        };
        if !tokens
            .iter()
            .take(tokens.len().saturating_sub(1))
            .all(|tok| tok.parse::<f64>().is_ok())
            || tokens.len() < 2
        {
            return Err(StraceError::BadRow {
                line: n,
                text: line.chars().take(120).collect(),
            });
        }
        let calls = calls_col
            .and_then(|c| tokens.get(c))
            .and_then(|v| v.parse::<u64>().ok());
        if name == "total" {
            current.total = Some(calls.unwrap_or(0));
            tables.push(std::mem::take(&mut current));
            continue;
        }
        if !table::is_known(name) {
            return Err(StraceError::UnknownSyscall {
                line: n,
                name: name.to_string(),
            });
        }
        current.rows += 1;
        current.sum = current.sum.saturating_add(calls.unwrap_or(0));
        out.insert(name.to_string());
    }
    if current.header || current.rows > 0 {
        tables.push(current);
    }
    if tables.is_empty() {
        return Err(StraceError::Empty);
    }
    for table in &tables {
        if !table.header {
            return Err(StraceError::Truncated {
                what: "the header line (`% time  seconds  usecs/call  calls ...`) is missing"
                    .into(),
            });
        }
        match table.total {
            None => {
                return Err(StraceError::Truncated {
                    what: "the closing `total` line is missing".into(),
                });
            }
            Some(total) if calls_col.is_some() && total != table.sum => {
                return Err(StraceError::Truncated {
                    what: format!(
                        "the rows add up to {} calls but the total line says {total}",
                        table.sum
                    ),
                });
            }
            Some(_) => {}
        }
        if table.rows == 0 {
            return Err(StraceError::Truncated {
                what: "the table has no syscall rows".into(),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_forms() {
        let text = "\
execve(\"/bin/busybox\", [\"busybox\"], 0x7ffc /* 3 vars */) = 0
[pid  1234] read(3,  <unfinished ...>
[pid 1235] <... clone resumed>, child_tidptr=0x1) = 5
1236  12:00:01.000001 write(1, \"x\", 1) = 1
1236 +++ exited with 0 +++
--- SIGCHLD {si_signo=SIGCHLD} ---
strace: Process 1236 attached
+++ killed by SIGKILL +++
exit_group(0) = ?
clone(child_stack=NULL, flags=SIGCHLDstrace: Process 11166 attached
, child_tidptr=0x3aa24690) = 11166
";
        let set = parse(text).unwrap();
        let v: Vec<_> = set.iter().map(String::as_str).collect();
        assert_eq!(v, ["clone", "execve", "exit_group", "read", "write"]);
    }

    #[test]
    fn raw_errors() {
        assert_eq!(parse("  \n"), Err(StraceError::Empty));
        let e = parse("read(0, \"\", 1) = 0\nhello world\n").unwrap_err();
        assert_eq!(
            e,
            StraceError::Malformed {
                line: 2,
                text: "hello world".into()
            }
        );
        let e = parse("frobnicate(1) = 0\n").unwrap_err();
        assert!(
            e.to_string().contains("`frobnicate` is not a syscall"),
            "{e}"
        );
        assert_eq!(parse("+++ exited with 0 +++\n"), Err(StraceError::Empty));
    }

    const FULL: &str = "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 50.00    0.000010          10         1           read
 50.00    0.000010           5         2         1 openat
------ ----------- ----------- --------- --------- ----------------
100.00    0.000020           6         3         1 total
";

    #[test]
    fn summary_ok() {
        let set = parse(FULL).unwrap();
        assert_eq!(set.len(), 2);
    }

    #[test]
    fn summary_truncated() {
        let no_header: String = FULL.lines().skip(2).map(|l| format!("{l}\n")).collect();
        let e = parse(&no_header).unwrap_err();
        assert!(matches!(e, StraceError::Truncated { .. }), "{e}");
        assert!(e.to_string().contains("header"), "{e}");
        let no_total: String = FULL.lines().take(4).map(|l| format!("{l}\n")).collect();
        let e = parse(&no_total).unwrap_err();
        assert!(e.to_string().contains("`total` line is missing"), "{e}");
        let missing_row = FULL.replace(
            " 50.00    0.000010          10         1           read\n",
            "",
        );
        let e = parse(&missing_row).unwrap_err();
        assert!(e.to_string().contains("add up to 2"), "{e}");
    }

    #[test]
    fn summary_bad_row() {
        let bad = FULL.replace("read", "read\nsome program output");
        let e = parse(&bad).unwrap_err();
        assert!(matches!(e, StraceError::BadRow { line: 4, .. }), "{e}");
    }
}

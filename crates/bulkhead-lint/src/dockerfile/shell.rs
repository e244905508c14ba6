//! A small shell command splitter for RUN scripts.
//!
//! Why hand-written: the rules only need the simple commands of a script and
//! how they are joined (`&&`, `||`, `;`, `|`, newlines). `shell-words` splits
//! words but knows no operators; `conch-parser` is unmaintained and full POSIX
//! parsers are far heavier than this need. Quotes and backslashes are
//! honoured; `$(…)` and backticks stay inside their word.

/// How a command is connected to the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    /// First command, or after `;`, `&` or a newline.
    Seq,
    /// After `&&`.
    And,
    /// After `||`.
    Or,
    /// After `|`: reads the previous command's output.
    Pipe,
}

/// A simple command: its words (quotes removed) and how it is joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub words: Vec<String>,
    pub join: Join,
}

/// Wrappers whose first argument is the real program.
const WRAPPERS: &[&str] = &[
    "sudo", "env", "exec", "command", "nohup", "time", "nice", "builtin",
];

impl Command {
    /// The words from the real program on: leading `VAR=value` assignments
    /// and wrappers (`sudo`, `env`, `exec`, …) with their options skipped.
    pub fn argv(&self) -> &[String] {
        let mut i = 0;
        while let Some(w) = self.words.get(i) {
            let is_assign = w.split_once('=').is_some_and(|(k, _)| {
                !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            });
            if is_assign || w.starts_with('-') && i > 0 || WRAPPERS.contains(&w.as_str()) {
                i += 1;
                continue;
            }
            break;
        }
        self.words.get(i..).unwrap_or(&[])
    }

    /// The program name (basename of the first argv word).
    pub fn program(&self) -> &str {
        self.argv()
            .first()
            .map(|w| w.rsplit('/').next().unwrap_or(w))
            .unwrap_or("")
    }

    /// Whether any word equals `w`.
    pub fn has(&self, w: &str) -> bool {
        self.words.iter().any(|x| x == w)
    }
}

/// Split a script into simple commands.
pub fn commands(script: &str) -> Vec<Command> {
    let mut out = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut join = Join::Seq;
    let mut chars = script.chars().peekable();
    let mut paren = 0usize; // inside $( … )
    let flush_word = |cur: &mut String, in_word: &mut bool, words: &mut Vec<String>| {
        if *in_word {
            words.push(std::mem::take(cur));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        if paren > 0 {
            cur.push(c);
            if c == '(' {
                paren += 1;
            } else if c == ')' {
                paren -= 1;
            }
            continue;
        }
        match c {
            '\'' => {
                in_word = true;
                for n in chars.by_ref() {
                    if n == '\'' {
                        break;
                    }
                    cur.push(n);
                }
            }
            '"' => {
                in_word = true;
                while let Some(n) = chars.next() {
                    if n == '"' {
                        break;
                    }
                    if n == '\\' {
                        if let Some(m) = chars.next() {
                            cur.push(m);
                        }
                        continue;
                    }
                    cur.push(n);
                }
            }
            '\\' => match chars.next() {
                Some('\n') | None => {}
                Some(n) => {
                    in_word = true;
                    cur.push(n);
                }
            },
            '&' if cur.ends_with('>') || cur.ends_with('<') => {
                // `2>&1`, `<&0`: a redirection, not an operator
                in_word = true;
                cur.push('&');
            }
            '$' if chars.peek() == Some(&'(') => {
                in_word = true;
                cur.push('$');
                if let Some(p) = chars.next() {
                    cur.push(p);
                }
                paren = 1;
            }
            '#' if !in_word => {
                // comment to end of line
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
                flush_word(&mut cur, &mut in_word, &mut words);
                push(&mut out, &mut words, join);
                join = Join::Seq;
            }
            ';' | '\n' | '&' | '|' | '(' | ')' => {
                flush_word(&mut cur, &mut in_word, &mut words);
                let next = match c {
                    '&' if chars.peek() == Some(&'&') => {
                        chars.next();
                        Join::And
                    }
                    '|' if chars.peek() == Some(&'|') => {
                        chars.next();
                        Join::Or
                    }
                    '|' => Join::Pipe,
                    _ => Join::Seq,
                };
                if !words.is_empty() {
                    push(&mut out, &mut words, join);
                    join = next;
                } else if next != Join::Seq {
                    join = next;
                }
            }
            c if c.is_whitespace() => flush_word(&mut cur, &mut in_word, &mut words),
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    flush_word(&mut cur, &mut in_word, &mut words);
    push(&mut out, &mut words, join);
    out
}

fn push(out: &mut Vec<Command>, words: &mut Vec<String>, join: Join) {
    if !words.is_empty() {
        out.push(Command {
            words: std::mem::take(words),
            join,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_operators() {
        let c =
            commands("apt-get update && apt-get install -y 'a b' | tee x; echo \"q\\\"\" # c\nls");
        let w: Vec<Vec<String>> = c.iter().map(|c| c.words.clone()).collect();
        assert_eq!(w[0], vec!["apt-get", "update"]);
        assert_eq!(c[1].join, Join::And);
        assert_eq!(w[1], vec!["apt-get", "install", "-y", "a b"]);
        assert_eq!(c[2].join, Join::Pipe);
        assert_eq!(w[3], vec!["echo", "q\""]);
        assert_eq!(w[4], vec!["ls"]);
        assert_eq!(c.len(), 5);
    }

    #[test]
    fn argv_skips_wrappers() {
        let c = commands("DEBIAN_FRONTEND=noninteractive sudo -E apt-get install x");
        assert_eq!(c[0].program(), "apt-get");
        let c = commands("echo $(curl x | sh) | bash");
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].join, Join::Pipe);
    }
}

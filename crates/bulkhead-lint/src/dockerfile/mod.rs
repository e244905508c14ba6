//! A Dockerfile parser for the BuildKit syntax.
//!
//! Why hand-written: the only Dockerfile parser on crates.io, `dockerfile-parser`
//! (0.9, pest grammar), has no heredocs, no `# escape=` directive, no column
//! spans and no ARG/ENV scoping across stages; BuildKit's own parser is Go. The
//! grammar is line based and small, so a direct scanner is simpler than a
//! grammar crate and lets us keep exact line/column spans and never fail hard.
//!
//! What it understands: parser directives (`# syntax=`, `# escape=`,
//! `# check=`), line continuations with the escape character, comment and
//! blank lines inside continuations, heredocs (`<<EOF`, `<<-EOF`, quoted
//! delimiters, several per instruction), JSON and shell forms, instruction
//! flags (`--mount`, `--chown`, `--chmod`, `--link`, `--from`, `--platform`,
//! …), ARG/ENV expansion (`$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`,
//! `${VAR:+x}`, `${VAR+x}`) scoped per stage with global ARGs before the first
//! FROM, named stages and a `--target` stage.
//!
//! The parser never panics and never rejects a file: problems are collected in
//! [`Dockerfile::errors`] and the rest is still parsed.

pub mod expand;
pub mod shell;

pub use expand::{Scope, expand_word, split_words};

use std::collections::BTreeMap;

/// A position in the source: 1-based line and 1-based column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

/// A source range; `end` is inclusive of the last character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

/// A parser directive at the top of the file (`# syntax=…`, `# escape=…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lower-case name.
    pub name: String,
    pub value: String,
    pub span: Span,
}

/// A comment line (outside or inside a continuation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Text after `#`, trimmed.
    pub text: String,
    pub span: Span,
}

/// An instruction flag such as `--mount=type=secret,id=npm` or `--link`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Name without the leading dashes, lower-case.
    pub name: String,
    /// Value after `=`, quotes removed; `None` for a bare flag.
    pub value: Option<String>,
    pub span: Span,
}

impl Flag {
    /// The comma-separated `key=value` options of a flag value (`--mount`).
    /// A bare key gets an empty value.
    pub fn options(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if let Some(v) = &self.value {
            for part in v.split(',') {
                let (k, val) = part.split_once('=').unwrap_or((part, ""));
                out.insert(k.trim().to_ascii_lowercase(), val.trim().to_string());
            }
        }
        out
    }
}

/// A here-document attached to a RUN, COPY or ADD instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter word, quotes removed.
    pub delimiter: String,
    /// `<<-`: leading tabs are stripped from the body lines.
    pub strip_tabs: bool,
    /// The delimiter was quoted: no expansion inside the body.
    pub quoted: bool,
    /// The body (without the terminator line), lines joined with `\n`.
    pub body: String,
    /// From the first body line to the terminator line.
    pub span: Span,
    /// False when the file ended before the terminator.
    pub terminated: bool,
}

/// The argument form of an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    /// Shell form: the argument text after the flags (continuations joined).
    Shell(String),
    /// JSON (exec) form: the array elements.
    Json(Vec<String>),
}

/// One instruction with its flags, arguments and heredocs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Upper-case keyword (`RUN`, `FROM`, …).
    pub keyword: String,
    /// From the keyword to the end of the last continuation or heredoc line.
    pub span: Span,
    pub keyword_span: Span,
    pub flags: Vec<Flag>,
    pub form: Form,
    /// Span of the argument text after the flags.
    pub args_span: Span,
    pub heredocs: Vec<Heredoc>,
    /// The argument text with ARG/ENV references expanded for instructions
    /// that Docker expands (FROM, COPY, ADD, ENV, ARG, LABEL, USER, WORKDIR,
    /// EXPOSE, VOLUME, STOPSIGNAL, …); the raw text for others.
    pub expanded: String,
    /// Index of the stage this instruction belongs to (`None` before the
    /// first FROM: global ARGs).
    pub stage: Option<usize>,
}

impl Instruction {
    /// The raw argument text (shell form) or the JSON elements joined by spaces.
    pub fn args_text(&self) -> String {
        match &self.form {
            Form::Shell(s) => s.clone(),
            Form::Json(v) => v.join(" "),
        }
    }

    /// The flag named `name` (without dashes), if present.
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// Whether this is a JSON (exec) form instruction.
    pub fn is_json(&self) -> bool {
        matches!(self.form, Form::Json(_))
    }

    /// The expanded arguments split into words (quotes removed); JSON form
    /// elements as they are.
    pub fn words(&self) -> Vec<String> {
        match &self.form {
            Form::Json(v) => v.clone(),
            Form::Shell(_) => split_words(&self.expanded)
                .into_iter()
                .map(|w| expand::unquote(&w.text))
                .collect(),
        }
    }

    /// The shell script this instruction runs (RUN, CMD, ENTRYPOINT, and
    /// `HEALTHCHECK CMD`): shell-form text plus heredoc bodies when the
    /// heredoc feeds the shell.
    pub fn script(&self) -> String {
        let mut s = match &self.form {
            Form::Shell(s) => s.clone(),
            Form::Json(v) => v.join(" "),
        };
        for h in &self.heredocs {
            s.push('\n');
            s.push_str(&h.body);
        }
        s
    }

    /// `KEY=VALUE` pairs of ENV, ARG and LABEL (expanded, quotes removed).
    /// Handles the legacy `ENV KEY value with spaces` form. ARG without a
    /// default gives `None`.
    pub fn key_values(&self) -> Vec<(String, Option<String>)> {
        let words = split_words(&self.expanded);
        let mut out = Vec::new();
        let legacy = self.keyword == "ENV"
            && words.first().is_some_and(|w| !w.text.contains('='))
            && words.len() > 1;
        if legacy {
            let key = words.first().map(|w| w.text.clone()).unwrap_or_default();
            let rest: Vec<String> = words
                .iter()
                .skip(1)
                .map(|w| expand::unquote(&w.text))
                .collect();
            out.push((key, Some(rest.join(" "))));
            return out;
        }
        for w in words {
            match w.text.split_once('=') {
                Some((k, v)) => out.push((expand::unquote(k), Some(expand::unquote(v)))),
                None => out.push((expand::unquote(&w.text), None)),
            }
        }
        out
    }
}

/// A build stage: a FROM and the instructions up to the next FROM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// `AS name`, lower-cased as BuildKit compares them.
    pub name: Option<String>,
    /// The base image with global ARG defaults expanded.
    pub base: String,
    /// The base image as written.
    pub base_raw: String,
    /// `--platform` value, if any.
    pub platform: Option<String>,
    /// Index of the FROM instruction in [`Dockerfile::instructions`].
    pub from: usize,
    /// One past the last instruction of the stage.
    pub end: usize,
    /// True when the base is an earlier stage of this file.
    pub base_is_stage: bool,
}

/// A parse problem; parsing continues after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub span: Span,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerfile {
    pub directives: Vec<Directive>,
    /// The escape character (`\` unless `# escape=` says otherwise).
    pub escape: char,
    pub instructions: Vec<Instruction>,
    pub comments: Vec<Comment>,
    pub stages: Vec<Stage>,
    pub errors: Vec<ParseError>,
    /// Global ARGs (before the first FROM) and their defaults.
    pub global_args: BTreeMap<String, Option<String>>,
}

/// Options for parsing.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// `--build-arg` values: override ARG defaults.
    pub build_args: BTreeMap<String, String>,
}

const KNOWN: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Instructions whose arguments Docker expands with ARG/ENV values.
const EXPANDS: &[&str] = &[
    "ADD",
    "ARG",
    "COPY",
    "ENV",
    "EXPOSE",
    "FROM",
    "LABEL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
    "ONBUILD",
];

/// One physical line.
struct Line<'a> {
    text: &'a str,
    no: usize,
}

/// A piece of a logical line: where a physical segment starts.
#[derive(Clone, Copy)]
struct Seg {
    logical: usize,
    pos: Pos,
}

fn pos_at(segs: &[Seg], logical: usize, text: &str) -> Pos {
    let mut best = Seg {
        logical: 0,
        pos: Pos { line: 1, col: 1 },
    };
    for s in segs {
        if s.logical <= logical {
            best = *s;
        } else {
            break;
        }
    }
    let chars = text
        .get(best.logical..logical)
        .map(|t| t.chars().count())
        .unwrap_or(0);
    Pos {
        line: best.pos.line,
        col: best.pos.col + chars,
    }
}

fn end_pos(line: &Line<'_>) -> Pos {
    Pos {
        line: line.no,
        col: line.text.chars().count().max(1),
    }
}

/// Parse a Dockerfile. Never fails: problems go to [`Dockerfile::errors`].
pub fn parse(src: &str) -> Dockerfile {
    parse_with(src, &ParseOptions::default())
}

/// Parse with options (build args).
pub fn parse_with(src: &str, opts: &ParseOptions) -> Dockerfile {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let lines: Vec<Line<'_>> = src
        .split('\n')
        .enumerate()
        .map(|(i, t)| Line {
            text: t.strip_suffix('\r').unwrap_or(t),
            no: i + 1,
        })
        .collect();
    let mut df = Dockerfile {
        escape: '\\',
        ..Dockerfile::default()
    };
    let mut i = 0;
    // Parser directives: only at the very top, before any blank line,
    // comment or instruction.
    while let Some(line) = lines.get(i) {
        let Some(d) = directive(line) else { break };
        if df.directives.iter().any(|x| x.name == d.name) {
            break;
        }
        if d.name == "escape" {
            match d.value.as_str() {
                "`" => df.escape = '`',
                "\\" => df.escape = '\\',
                other => df.errors.push(ParseError {
                    message: format!("invalid escape character {other:?}: use \\ or `"),
                    span: d.span,
                }),
            }
        }
        df.directives.push(d);
        i += 1;
    }
    let esc = df.escape;
    while i < lines.len() {
        let Some(line) = lines.get(i) else { break };
        let trimmed = line.text.trim_start();
        if trimmed.is_empty() {
            i += 1;
            continue;
        }
        if let Some(c) = trimmed.strip_prefix('#') {
            df.comments.push(comment(line, c));
            i += 1;
            continue;
        }
        // Assemble the logical line.
        let mut logical = String::new();
        let mut segs = Vec::new();
        let start_line = line;
        let mut last_line = line;
        let mut j = i;
        while let Some(l) = lines.get(j) {
            j += 1;
            let lt = l.text.trim_start();
            if j - 1 != i && (lt.is_empty() || lt.starts_with('#')) {
                if let Some(c) = lt.strip_prefix('#') {
                    df.comments.push(comment(l, c));
                }
                continue;
            }
            let lead = if j - 1 == i {
                l.text.len() - lt.len()
            } else {
                0
            };
            let body = l.text.get(lead..).unwrap_or("");
            let lead_cols = l.text.get(..lead).map(|s| s.chars().count()).unwrap_or(0);
            segs.push(Seg {
                logical: logical.len(),
                pos: Pos {
                    line: l.no,
                    col: lead_cols + 1,
                },
            });
            last_line = l;
            let t = body.trim_end();
            if let Some(stripped) = t.strip_suffix(esc) {
                logical.push_str(stripped);
                if j >= lines.len() {
                    break;
                }
                continue;
            }
            logical.push_str(body);
            break;
        }
        i = j;
        let mut inst = instruction(&logical, &segs, start_line, last_line, &mut df.errors);
        // Heredocs: bodies follow the instruction's last line.
        if let Some(inst) = inst.as_mut()
            && matches!(inst.keyword.as_str(), "RUN" | "COPY" | "ADD")
            && let Form::Shell(args) = &inst.form
        {
            for (delim, strip_tabs, quoted) in heredoc_markers(args) {
                let mut body = Vec::new();
                let first = lines.get(i).map(|l| l.no).unwrap_or(last_line.no + 1);
                let mut terminated = false;
                let mut end = last_line;
                while let Some(l) = lines.get(i) {
                    i += 1;
                    end = l;
                    let t = if strip_tabs {
                        l.text.trim_start_matches('\t')
                    } else {
                        l.text
                    };
                    if t == delim {
                        terminated = true;
                        break;
                    }
                    body.push(t.to_string());
                }
                let span = Span {
                    start: Pos {
                        line: first,
                        col: 1,
                    },
                    end: end_pos(end),
                };
                if !terminated {
                    df.errors.push(ParseError {
                        message: format!(
                            "heredoc <<{delim} is never terminated: add a line `{delim}`"
                        ),
                        span,
                    });
                }
                inst.span.end = end_pos(end);
                inst.heredocs.push(Heredoc {
                    delimiter: delim,
                    strip_tabs,
                    quoted,
                    body: body.join("\n"),
                    span,
                    terminated,
                });
            }
        }
        if let Some(inst) = inst {
            df.instructions.push(inst);
        }
    }
    analyse(&mut df, opts);
    df
}

fn comment(line: &Line<'_>, after_hash: &str) -> Comment {
    let lead = line.text.chars().take_while(|c| c.is_whitespace()).count();
    Comment {
        text: after_hash.trim().to_string(),
        span: Span {
            start: Pos {
                line: line.no,
                col: lead + 1,
            },
            end: end_pos(line),
        },
    }
}

fn directive(line: &Line<'_>) -> Option<Directive> {
    let rest = line.text.trim_start().strip_prefix('#')?;
    let (name, value) = rest.split_once('=')?;
    let name = name.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let name = name.to_ascii_lowercase();
    if !matches!(name.as_str(), "syntax" | "escape" | "check") {
        return None;
    }
    Some(Directive {
        name,
        value: value.trim().to_string(),
        span: Span {
            start: Pos {
                line: line.no,
                col: 1,
            },
            end: end_pos(line),
        },
    })
}

fn instruction(
    logical: &str,
    segs: &[Seg],
    first: &Line<'_>,
    last: &Line<'_>,
    errors: &mut Vec<ParseError>,
) -> Option<Instruction> {
    let kw_len = logical
        .find(|c: char| c.is_whitespace())
        .unwrap_or(logical.len());
    let keyword_raw = logical.get(..kw_len).unwrap_or("");
    if keyword_raw.is_empty() {
        return None;
    }
    let keyword = keyword_raw.to_ascii_uppercase();
    let keyword_span = Span {
        start: pos_at(segs, 0, logical),
        end: pos_at(segs, kw_len.saturating_sub(1), logical),
    };
    let span = Span {
        start: keyword_span.start,
        end: end_pos(last),
    };
    if !KNOWN.contains(&keyword.as_str()) {
        errors.push(ParseError {
            message: format!(
                "unknown instruction {keyword_raw:?} on line {}: check the spelling or a missing line continuation",
                first.no
            ),
            span,
        });
        return None;
    }
    let mut off = kw_len;
    let mut flags = Vec::new();
    let takes_flags = matches!(
        keyword.as_str(),
        "FROM" | "RUN" | "COPY" | "ADD" | "HEALTHCHECK"
    );
    loop {
        let rest = logical.get(off..).unwrap_or("");
        let ws = rest.len() - rest.trim_start().len();
        off += ws;
        let rest = logical.get(off..).unwrap_or("");
        if !takes_flags || !rest.starts_with("--") {
            break;
        }
        let word = split_words(rest).into_iter().next();
        let Some(word) = word else { break };
        let len = word.end;
        let text = word.text.get(2..).unwrap_or("");
        let (name, value) = match text.split_once('=') {
            Some((n, v)) => (n.to_ascii_lowercase(), Some(expand::unquote(v))),
            None => (text.to_ascii_lowercase(), None),
        };
        flags.push(Flag {
            name,
            value,
            span: Span {
                start: pos_at(segs, off, logical),
                end: pos_at(segs, off + len.saturating_sub(1), logical),
            },
        });
        off += len.max(1);
    }
    let args = logical.get(off..).unwrap_or("").trim_end();
    let args_span = Span {
        start: pos_at(segs, off, logical),
        end: span.end,
    };
    let form = if args.trim_start().starts_with('[') {
        match serde_json::from_str::<Vec<String>>(args) {
            Ok(v) => Form::Json(v),
            Err(_) => Form::Shell(args.to_string()),
        }
    } else {
        Form::Shell(args.to_string())
    };
    if args.is_empty() && !matches!(keyword.as_str(), "RUN" | "COPY" | "ADD") {
        errors.push(ParseError {
            message: format!("{keyword} on line {} has no arguments", first.no),
            span,
        });
    }
    Some(Instruction {
        expanded: args.to_string(),
        keyword,
        span,
        keyword_span,
        flags,
        form,
        args_span,
        heredocs: Vec::new(),
        stage: None,
    })
}

/// `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` words of a shell-form line, in order.
fn heredoc_markers(args: &str) -> Vec<(String, bool, bool)> {
    let mut out = Vec::new();
    for w in split_words(args) {
        // A word may carry a redirection before it, e.g. `cat<<EOF` is not
        // split by the shell lexer BuildKit uses either; only whole words.
        let t = w.text.as_str();
        let Some(rest) = t.strip_prefix("<<") else {
            continue;
        };
        if rest.starts_with('<') {
            continue; // here-string
        }
        let (strip, rest) = match rest.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let quoted = rest.starts_with('"') || rest.starts_with('\'');
        let delim = expand::unquote(rest);
        if delim.is_empty()
            || !delim
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        {
            continue;
        }
        out.push((delim, strip, quoted));
    }
    out
}

/// Stages, scopes and expansion.
fn analyse(df: &mut Dockerfile, opts: &ParseOptions) {
    let esc = df.escape;
    let mut global = Scope::default();
    let mut stage_scope: Option<Scope> = None;
    let mut stage_names: Vec<Option<String>> = Vec::new();
    let n = df.instructions.len();
    for idx in 0..n {
        let Some(inst) = df.instructions.get_mut(idx) else {
            continue;
        };
        let raw = match &inst.form {
            Form::Shell(s) => s.clone(),
            Form::Json(v) => v.join(" "),
        };
        if inst.keyword == "FROM" {
            let words = split_words(&raw);
            let image_raw = words
                .first()
                .map(|w| expand::unquote(&w.text))
                .unwrap_or_default();
            let base = expand_word(&image_raw, &global, esc);
            let name = match (words.get(1), words.get(2)) {
                (Some(a), Some(b)) if a.text.eq_ignore_ascii_case("as") => {
                    Some(b.text.to_ascii_lowercase())
                }
                _ => None,
            };
            let platform = inst
                .flag("platform")
                .and_then(|f| f.value.clone())
                .map(|p| expand_word(&p, &global, esc));
            let base_is_stage = stage_names
                .iter()
                .any(|s| s.as_deref() == Some(base.to_ascii_lowercase().as_str()));
            if let Some(prev) = df.stages.last_mut() {
                prev.end = idx;
            }
            let index = df.stages.len();
            stage_names.push(name.clone());
            df.stages.push(Stage {
                index,
                name,
                base: base.clone(),
                base_raw: image_raw,
                platform,
                from: idx,
                end: n,
                base_is_stage,
            });
            inst.expanded = expand_word(&raw, &global, esc);
            inst.stage = Some(index);
            stage_scope = Some(Scope::default());
            continue;
        }
        inst.stage = df.stages.len().checked_sub(1);
        let scope_ref = stage_scope.as_ref().unwrap_or(&global);
        if EXPANDS.contains(&inst.keyword.as_str()) {
            inst.expanded = expand::expand_text(&raw, scope_ref, esc);
        }
        if inst.keyword == "ARG" || inst.keyword == "ENV" {
            let kvs = inst.key_values();
            for (k, v) in kvs {
                let value = if inst.keyword == "ARG" {
                    match opts.build_args.get(&k) {
                        Some(b) => Some(b.clone()),
                        None => match (&v, &stage_scope) {
                            (Some(v), _) => Some(v.clone()),
                            // `ARG X` inside a stage re-imports the global default.
                            (None, Some(_)) => global.get(&k).map(str::to_string),
                            (None, None) => None,
                        },
                    }
                } else {
                    v.clone()
                };
                match stage_scope.as_mut() {
                    Some(s) => s.set(&k, value),
                    None => {
                        df.global_args.insert(k.clone(), v.clone());
                        global.set(&k, value);
                    }
                }
            }
        }
    }
}

impl Dockerfile {
    /// The stage named `target` (case-insensitive) or the last stage.
    pub fn final_stage(&self, target: Option<&str>) -> Option<&Stage> {
        match target {
            Some(t) => self
                .stages
                .iter()
                .find(|s| s.name.as_deref() == Some(t.to_ascii_lowercase().as_str())),
            None => self.stages.last(),
        }
    }

    /// The instructions of a stage (without its FROM).
    pub fn stage_instructions(&self, stage: &Stage) -> &[Instruction] {
        self.instructions
            .get(stage.from + 1..stage.end.max(stage.from + 1))
            .unwrap_or(&[])
    }

    /// Index of the stage named `name` or with that number.
    pub fn stage_by_ref(&self, name: &str) -> Option<&Stage> {
        let lower = name.to_ascii_lowercase();
        self.stages
            .iter()
            .find(|s| s.name.as_deref() == Some(lower.as_str()))
            .or_else(|| name.parse::<usize>().ok().and_then(|i| self.stages.get(i)))
    }
}

#[cfg(test)]
mod tests;

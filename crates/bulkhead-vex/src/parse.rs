//! Reading OpenVEX documents: bounded, tolerant of fields it does not know,
//! strict on the ones the specification requires, with errors that name
//! the file, the statement index and the field.
//!
//! The JSON is read into a `serde_json::Value` (its recursion limit stops
//! deep nesting) and walked by hand rather than through derived
//! `Deserialize` impls: serde's errors name neither the statement nor the
//! field path, and the walk also accepts the older string forms of
//! `vulnerability`, `products` and `subcomponents` (OpenVEX v0.0.x), which a
//! derived impl could only take through untagged enums and their
//! unhelpful "did not match any variant" errors.

use crate::model::{
    CONTEXT_PREFIX, CONTEXT_V020, Component, Justification, Statement, Status, VexDocument,
    VulnerabilityRef,
};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Bounds on what reading VEX documents may cost (`docs/limits.md`).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest document file, in bytes.
    pub max_file_bytes: u64,
    /// Most `*.json` files read from one folder.
    pub max_files: usize,
    /// Most statements over all documents read together.
    pub max_statements: usize,
    /// Most products and subcomponents in one statement.
    pub max_components: usize,
    /// Most aliases of one vulnerability.
    pub max_aliases: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 32 << 20,
            max_files: 10_000,
            max_statements: 200_000,
            max_components: 10_000,
            max_aliases: 1_000,
        }
    }
}

/// Why a document cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum VexError {
    #[error("cannot read VEX document {file}: {error}: check the path given to --vex")]
    Read { file: String, error: std::io::Error },
    #[error("VEX document {file}{at}: {message} (fix the document, or leave it out of --vex)", at = .statement.map(|i| format!(", statement {i}")).unwrap_or_default())]
    Invalid {
        file: String,
        /// 0-based index in `statements`.
        statement: Option<usize>,
        message: String,
    },
    #[error("{0}")]
    Create(String),
}

/// A document read, and what the reader noticed without refusing it.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub document: VexDocument,
    pub warnings: Vec<String>,
}

/// Documents read from files and folders.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub documents: Vec<VexDocument>,
    pub warnings: Vec<String>,
}

/// Where an error is: the file and, inside `statements`, the index.
struct Cx<'a> {
    file: &'a str,
    statement: Option<usize>,
}

impl Cx<'_> {
    fn err(&self, message: impl Into<String>) -> VexError {
        VexError::Invalid {
            file: self.file.to_string(),
            statement: self.statement,
            message: message.into(),
        }
    }

    fn warn(&self, message: &str) -> String {
        match self.statement {
            Some(i) => format!("VEX document {}, statement {i}: {message}", self.file),
            None => format!("VEX document {}: {message}", self.file),
        }
    }
}

/// A JSON value's kind, for "must be a string, not an array".
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// At most 80 characters of an input string, for messages.
fn excerpt(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if s.chars().nth(80).is_some() {
        out.push('…');
    }
    format!("{out:?}")
}

fn opt_str(
    cx: &Cx,
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<String>, VexError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(cx.err(format!("`{path}{key}` must be a string, not {}", kind(v)))),
    }
}

fn req_str(cx: &Cx, obj: &Map<String, Value>, key: &str, path: &str) -> Result<String, VexError> {
    opt_str(cx, obj, key, path)?.ok_or_else(|| {
        cx.err(format!(
            "`{path}{key}` is missing (the specification requires it)"
        ))
    })
}

fn check_time(cx: &Cx, value: &str, field: &str) -> Result<(), VexError> {
    crate::matching::parse_time(value).map(drop).ok_or_else(|| {
        cx.err(format!(
            "`{field}` is not an RFC 3339 date-time ({}), e.g. 2024-05-01T12:00:00Z",
            excerpt(value)
        ))
    })
}

fn opt_time(cx: &Cx, obj: &Map<String, Value>, key: &str) -> Result<Option<String>, VexError> {
    let v = opt_str(cx, obj, key, "")?;
    if let Some(s) = &v {
        check_time(cx, s, key)?;
    }
    Ok(v)
}

fn opt_uint(cx: &Cx, obj: &Map<String, Value>, key: &str) -> Result<Option<u64>, VexError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(|| {
            cx.err(format!(
                "`{key}` must be a whole number of at least 0, not {n}"
            ))
        }),
        // Documents written by older tools carry the version as a string.
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s
            .parse::<u64>()
            .map(Some)
            .map_err(|_| cx.err(format!("`{key}` is too large ({})", excerpt(s)))),
        Some(v) => Err(cx.err(format!("`{key}` must be a whole number, not {}", kind(v)))),
    }
}

fn string_map(
    cx: &Cx,
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<BTreeMap<String, String>, VexError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => Ok((k.clone(), s.clone())),
                other => Err(cx.err(format!(
                    "`{path}{key}.{k}` must be a string, not {}",
                    kind(other)
                ))),
            })
            .collect(),
        Some(v) => Err(cx.err(format!("`{path}{key}` must be an object, not {}", kind(v)))),
    }
}

/// A product or subcomponent: an object, or (OpenVEX v0.0.x) a string IRI.
fn component(
    cx: &Cx,
    v: &Value,
    path: &str,
    nested: bool,
    count: &mut usize,
    max: usize,
) -> Result<Component, VexError> {
    *count += 1;
    if *count > max {
        return Err(cx.err(format!(
            "more than {max} products and subcomponents: split the statement"
        )));
    }
    let obj = match v {
        Value::String(s) => {
            return Ok(Component {
                id: Some(s.clone()),
                ..Component::default()
            });
        }
        Value::Object(o) => o,
        other => {
            return Err(cx.err(format!("`{path}` must be an object, not {}", kind(other))));
        }
    };
    let prefix = format!("{path}.");
    let id = opt_str(cx, obj, "@id", &prefix)?;
    let identifiers = string_map(cx, obj, "identifiers", &prefix)?;
    let hashes = string_map(cx, obj, "hashes", &prefix)?;
    if id.is_none() && identifiers.is_empty() {
        return Err(cx.err(format!(
            "`{path}` has neither `@id` nor `identifiers`: name the component (a purl, or an image digest)"
        )));
    }
    let mut subcomponents = Vec::new();
    if !nested {
        subcomponents = components(
            cx,
            obj.get("subcomponents"),
            &format!("{path}.subcomponents"),
            true,
            count,
            max,
        )?;
    }
    Ok(Component {
        id,
        identifiers,
        hashes,
        subcomponents,
    })
}

fn components(
    cx: &Cx,
    v: Option<&Value>,
    path: &str,
    nested: bool,
    count: &mut usize,
    max: usize,
) -> Result<Vec<Component>, VexError> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| component(cx, item, &format!("{path}[{i}]"), nested, count, max))
            .collect(),
        Some(other) => Err(cx.err(format!("`{path}` must be an array, not {}", kind(other)))),
    }
}

fn vulnerability(
    cx: &Cx,
    v: Option<&Value>,
    limits: &Limits,
) -> Result<VulnerabilityRef, VexError> {
    let obj = match v {
        None | Some(Value::Null) => {
            return Err(cx.err("`vulnerability` is missing (the specification requires it)"));
        }
        // OpenVEX v0.0.x: the vulnerability is its name.
        Some(Value::String(s)) => Map::from_iter([("name".to_string(), Value::String(s.clone()))]),
        Some(Value::Object(o)) => o.clone(),
        Some(other) => {
            return Err(cx.err(format!(
                "`vulnerability` must be an object, not {}",
                kind(other)
            )));
        }
    };
    let name = req_str(cx, &obj, "name", "vulnerability.")?;
    if name.trim().is_empty() {
        return Err(cx.err("`vulnerability.name` is empty"));
    }
    let aliases = match obj.get("aliases") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            if items.len() > limits.max_aliases {
                return Err(cx.err(format!(
                    "`vulnerability.aliases` has more than {} entries",
                    limits.max_aliases
                )));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, a)| match a {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(cx.err(format!(
                        "`vulnerability.aliases[{i}]` must be a string, not {}",
                        kind(other)
                    ))),
                })
                .collect::<Result<Vec<_>, _>>()?
        }
        Some(other) => {
            return Err(cx.err(format!(
                "`vulnerability.aliases` must be an array, not {}",
                kind(other)
            )));
        }
    };
    Ok(VulnerabilityRef {
        id: opt_str(cx, &obj, "@id", "vulnerability.")?,
        name,
        description: opt_str(cx, &obj, "description", "vulnerability.")?,
        aliases,
    })
}

fn statement(
    cx: &Cx,
    v: &Value,
    limits: &Limits,
    warnings: &mut Vec<String>,
) -> Result<Statement, VexError> {
    let Value::Object(obj) = v else {
        return Err(cx.err(format!("a statement must be an object, not {}", kind(v))));
    };
    let vulnerability = vulnerability(cx, obj.get("vulnerability"), limits)?;
    let status_text = req_str(cx, obj, "status", "")?;
    let status = Status::parse(&status_text).ok_or_else(|| {
        cx.err(format!(
            "`status` {} is not an OpenVEX status: use one of {}",
            excerpt(&status_text),
            Status::names()
        ))
    })?;
    let justification = match opt_str(cx, obj, "justification", "")? {
        None => None,
        Some(j) if j.is_empty() => None,
        Some(j) => Some(Justification::parse(&j).ok_or_else(|| {
            cx.err(format!(
                "`justification` {} is not an OpenVEX justification: use one of {}",
                excerpt(&j),
                Justification::names()
            ))
        })?),
    };
    let mut count = 0;
    let mut products = components(
        cx,
        obj.get("products"),
        "products",
        false,
        &mut count,
        limits.max_components,
    )?;
    // OpenVEX v0.0.x: subcomponents beside the products, for all of them.
    let legacy_subs = components(
        cx,
        obj.get("subcomponents"),
        "subcomponents",
        true,
        &mut count,
        limits.max_components,
    )?;
    if !legacy_subs.is_empty() {
        for p in &mut products {
            p.subcomponents.extend(legacy_subs.iter().cloned());
        }
    }
    let s = Statement {
        id: opt_str(cx, obj, "@id", "")?,
        version: opt_uint(cx, obj, "version")?,
        vulnerability,
        timestamp: opt_time(cx, obj, "timestamp")?,
        last_updated: opt_time(cx, obj, "last_updated")?,
        products,
        status,
        supplier: opt_str(cx, obj, "supplier", "")?,
        status_notes: opt_str(cx, obj, "status_notes", "")?,
        justification,
        impact_statement: opt_str(cx, obj, "impact_statement", "")?,
        action_statement: opt_str(cx, obj, "action_statement", "")?,
        action_statement_timestamp: opt_time(cx, obj, "action_statement_timestamp")?,
    };
    if s.products.is_empty() {
        warnings.push(cx.warn("names no product: it applies to nothing"));
    }
    if s.status == Status::NotAffected && !s.gives_reason() {
        warnings.push(cx.warn(
            "not_affected without a justification or impact_statement (the specification requires one): it annotates findings but suppresses none",
        ));
    }
    Ok(s)
}

/// Whether `v`'s `@context` is OpenVEX's (any version).
fn is_openvex(v: &Value) -> bool {
    v.get("@context")
        .and_then(Value::as_str)
        .is_some_and(|c| c.starts_with(CONTEXT_PREFIX))
}

/// Read one document from `bytes`; `file` names it in errors and reports.
pub fn parse_document(bytes: &[u8], file: &str, limits: &Limits) -> Result<Parsed, VexError> {
    let cx = Cx {
        file,
        statement: None,
    };
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(cx.err(format!("larger than {} bytes", limits.max_file_bytes)));
    }
    parse_value(&json(bytes, file)?, file, limits)
}

/// The JSON of a document. serde_json refuses nesting deeper than 128
/// levels: no stack overflow on hostile input.
fn json(bytes: &[u8], file: &str) -> Result<Value, VexError> {
    serde_json::from_slice(bytes).map_err(|e| VexError::Invalid {
        file: file.to_string(),
        statement: None,
        message: format!("not valid JSON: {e}"),
    })
}

fn parse_value(v: &Value, file: &str, limits: &Limits) -> Result<Parsed, VexError> {
    let cx = Cx {
        file,
        statement: None,
    };
    let Value::Object(obj) = v else {
        return Err(cx.err(format!(
            "an OpenVEX document is a JSON object, not {}",
            kind(v)
        )));
    };
    let mut warnings = Vec::new();
    let context = req_str(&cx, obj, "@context", "")?;
    if !context.starts_with(CONTEXT_PREFIX) {
        return Err(cx.err(format!(
            "`@context` {} is not OpenVEX's ({CONTEXT_V020}): only OpenVEX documents are read",
            excerpt(&context)
        )));
    }
    if context != CONTEXT_V020 {
        warnings.push(cx.warn(&format!(
            "`@context` {} is not {CONTEXT_V020}: read as v0.2.0",
            excerpt(&context)
        )));
    }
    let id = req_str(&cx, obj, "@id", "")?;
    let author = req_str(&cx, obj, "author", "")?;
    let timestamp = req_str(&cx, obj, "timestamp", "")?;
    check_time(&cx, &timestamp, "timestamp")?;
    let version = opt_uint(&cx, obj, "version")?
        .ok_or_else(|| cx.err("`version` is missing (the specification requires it)"))?;
    let items = match obj.get("statements") {
        Some(Value::Array(items)) => items,
        None | Some(Value::Null) => {
            return Err(cx.err("`statements` is missing (the specification requires it)"));
        }
        Some(other) => {
            return Err(cx.err(format!(
                "`statements` must be an array, not {}",
                kind(other)
            )));
        }
    };
    if items.len() > limits.max_statements {
        return Err(cx.err(format!("more than {} statements", limits.max_statements)));
    }
    if items.is_empty() {
        warnings.push(cx.warn("has no statements"));
    }
    let mut statements = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let scx = Cx {
            file,
            statement: Some(i),
        };
        statements.push(statement(&scx, item, limits, &mut warnings)?);
    }
    Ok(Parsed {
        document: VexDocument {
            context,
            id,
            author,
            role: opt_str(&cx, obj, "role", "")?,
            timestamp,
            last_updated: opt_time(&cx, obj, "last_updated")?,
            version,
            tooling: opt_str(&cx, obj, "tooling", "")?,
            statements,
            source: file.to_string(),
        },
        warnings,
    })
}

/// Read a file, refusing one larger than the limit without reading it all.
fn read_capped(path: &Path, limits: &Limits) -> Result<Vec<u8>, VexError> {
    let file = path.display().to_string();
    let read_err = |error| VexError::Read {
        file: file.clone(),
        error,
    };
    let f = std::fs::File::open(path).map_err(read_err)?;
    let mut bytes = Vec::new();
    f.take(limits.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(VexError::Invalid {
            file,
            statement: None,
            message: format!("larger than {} bytes", limits.max_file_bytes),
        });
    }
    Ok(bytes)
}

/// The `*.json` files of a folder (`*.openvex.json`, `*.vex.json`, …),
/// sorted by name, not recursive.
fn folder_files(dir: &Path, limits: &Limits) -> Result<Vec<PathBuf>, VexError> {
    let read_err = |error| VexError::Read {
        file: dir.display().to_string(),
        error,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let path = entry.map_err(read_err)?.path();
        let json = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.to_ascii_lowercase().ends_with(".json"));
        if json && path.is_file() {
            files.push(path);
            if files.len() > limits.max_files {
                return Err(VexError::Invalid {
                    file: dir.display().to_string(),
                    statement: None,
                    message: format!(
                        "more than {} .json files: point --vex at fewer",
                        limits.max_files
                    ),
                });
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Read every document named: files, and folders (each `*.json` file in
/// them, by name; one that is JSON but not OpenVEX is skipped with a
/// warning). Documents keep the order given, which breaks timestamp ties
/// (see [`crate::matching`]).
pub fn load_paths(paths: &[PathBuf], limits: &Limits) -> Result<Loaded, VexError> {
    let mut out = Loaded::default();
    let mut statements = 0usize;
    for path in paths {
        let (files, from_folder) = if path.is_dir() {
            (folder_files(path, limits)?, true)
        } else {
            (vec![path.clone()], false)
        };
        if from_folder && files.is_empty() {
            out.warnings.push(format!(
                "no .json file in the VEX folder {}",
                path.display()
            ));
        }
        for file in files {
            let name = file.display().to_string();
            let bytes = read_capped(&file, limits)?;
            let v = json(&bytes, &name)?;
            if from_folder && !is_openvex(&v) {
                out.warnings.push(format!(
                    "{name} is not an OpenVEX document (no https://openvex.dev/ns @context): skipped"
                ));
                continue;
            }
            let parsed = parse_value(&v, &name, limits)?;
            statements = statements.saturating_add(parsed.document.statements.len());
            if statements > limits.max_statements {
                return Err(VexError::Invalid {
                    file: name,
                    statement: None,
                    message: format!(
                        "the VEX documents hold more than {} statements together",
                        limits.max_statements
                    ),
                });
            }
            out.warnings.extend(parsed.warnings);
            out.documents.push(parsed.document);
        }
    }
    Ok(out)
}

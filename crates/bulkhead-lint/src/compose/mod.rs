//! Compose files: a bounded loader, interpolation, `extends`, profiles, and a
//! typed model of each service's runtime settings.
//!
//! [`Service`] is what the file says (user, read-only root, tmpfs,
//! capabilities, security options, namespaces, limits, ports, mounts,
//! environment, secrets, devices, healthcheck), with the line of every key.
//! [`Service::to_spec`] turns it into the [`bulkhead_types::ContainerSpec`]
//! that the container controls of `bulkhead-policy` read; the Compose rules
//! run those controls, as do the live audit and `harden`.

pub mod interp;
mod spec;
pub mod yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use yaml::{Node, Value};

/// A problem that stops a Compose file from being read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}: {message}")]
pub struct ComposeError {
    pub path: String,
    pub line: usize,
    pub message: String,
}

/// A tmpfs mount and its options (`rw`, `noexec`, `nosuid`, `size=…`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tmpfs {
    pub target: String,
    pub options: Vec<String>,
}

impl Tmpfs {
    /// Whether an option (`noexec`, `nosuid`, `nodev`) is set.
    pub fn has(&self, opt: &str) -> bool {
        self.options.iter().any(|o| o == opt)
    }
    /// The `size=` option, if any.
    pub fn size(&self) -> Option<&str> {
        self.options.iter().find_map(|o| o.strip_prefix("size="))
    }
}

/// The kind of a volume mount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountKind {
    Bind,
    Volume,
    Tmpfs,
    Other,
}

/// A volume entry of a service (short or long syntax).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub kind: MountKind,
    /// Host path (bind) or volume name; empty for anonymous volumes/tmpfs.
    pub source: String,
    pub target: String,
    pub read_only: bool,
    /// `bind.propagation` (or the short-syntax mode), if any.
    pub propagation: Option<String>,
    pub line: usize,
}

/// A published port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    /// Host address; empty = all interfaces.
    pub host_ip: String,
    /// Host port (or range); empty = ephemeral.
    pub published: String,
    pub target: String,
    pub protocol: String,
    /// Line of the entry.
    pub line: usize,
}

/// An environment variable. `value` is `None` when passed through from the
/// host (`- NAME` / `NAME:`) .
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub value: Option<String>,
    pub line: usize,
}

/// A `security_opt` entry, normalised from `key:value` or `key=value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityOpt {
    pub key: String,
    pub value: String,
}

/// Resource limits from the service keys or `deploy.resources.limits`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Limits {
    /// Bytes.
    pub memory: Option<u64>,
    pub cpus: Option<f64>,
    pub pids: Option<i64>,
    /// `cpu_shares`.
    pub cpu_shares: Option<i64>,
    /// `cpu_quota` (µs per period).
    pub cpu_quota: Option<i64>,
    /// `cpuset` (`0-1`).
    pub cpuset: Option<String>,
}

/// A service healthcheck.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Healthcheck {
    pub test: Vec<String>,
    pub disabled: bool,
}

/// The runtime settings of one service, after interpolation and `extends`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Service {
    pub name: String,
    /// Line of the service key.
    pub line: usize,
    pub image: Option<String>,
    pub user: Option<String>,
    pub read_only: bool,
    pub privileged: bool,
    pub tmpfs: Vec<Tmpfs>,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub security_opt: Vec<SecurityOpt>,
    pub network_mode: Option<String>,
    pub pid: Option<String>,
    pub ipc: Option<String>,
    pub uts: Option<String>,
    pub userns_mode: Option<String>,
    pub cgroup: Option<String>,
    pub limits: Limits,
    pub ports: Vec<Port>,
    pub mounts: Vec<Mount>,
    pub env: Vec<EnvVar>,
    /// Names of the secrets the service mounts.
    pub secrets: Vec<String>,
    pub devices: Vec<String>,
    /// `device_cgroup_rules` entries (`c 1:3 rwm`, `a *:* rwm`, …).
    pub device_cgroup_rules: Vec<String>,
    pub healthcheck: Option<Healthcheck>,
    /// `restart` (`no`, `always`, `on-failure[:N]`, `unless-stopped`).
    pub restart: Option<String>,
    pub profiles: Vec<String>,
    pub use_api_socket: bool,
    /// Line of each top-level key of the service, for findings.
    pub key_lines: BTreeMap<String, usize>,
}

impl Service {
    /// The line of `key` in the service, or the service's own line.
    pub fn line_of(&self, key: &str) -> usize {
        self.key_lines.get(key).copied().unwrap_or(self.line)
    }
    /// Whether `security_opt` has `key` (and, when given, that value).
    pub fn has_security_opt(&self, key: &str, value: Option<&str>) -> bool {
        self.security_opt
            .iter()
            .any(|o| o.key == key && value.is_none_or(|v| o.value == v))
    }
    /// Whether no-new-privileges is on (`no-new-privileges`, `:true`, `=true`).
    pub fn no_new_privileges(&self) -> bool {
        self.security_opt
            .iter()
            .any(|o| o.key == "no-new-privileges" && (o.value.is_empty() || o.value == "true"))
    }
}

/// A loaded Compose project (one file plus what it extends).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Project {
    pub path: PathBuf,
    pub services: Vec<Service>,
    /// Problems that did not stop loading (unknown `extends` target, …).
    pub warnings: Vec<(usize, String)>,
}

/// Options for loading.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Variables for interpolation; when `None`, the process environment
    /// plus the `.env` file next to the Compose file (process wins).
    pub env: Option<BTreeMap<String, String>>,
    /// Only services with no profile or one of these (like
    /// `docker compose --profile`). `None` = every service.
    pub profiles: Option<Vec<String>>,
}

/// Load a Compose file from disk.
pub fn load_file(path: &Path, opts: &LoadOptions) -> Result<Project, ComposeError> {
    let text = read_capped(path, crate::MAX_INPUT_FILE).map_err(|e| ComposeError {
        path: path.display().to_string(),
        line: 0,
        message: format!("cannot read the file: {e}"),
    })?;
    let env = match &opts.env {
        Some(e) => e.clone(),
        None => default_env(path)?,
    };
    load_str(&text, path, &env, opts)
}

/// The variables Compose interpolates `path` with when none are given: the
/// `.env` file next to it (when there is one) overlaid by the process
/// environment (process wins). The `.env` file is read like an `extends`
/// file (regular file, at most [`MAX_DOTENV_FILE`] bytes); one that cannot
/// be read is an error, as it is for `docker compose`.
pub fn default_env(path: &Path) -> Result<BTreeMap<String, String>, ComposeError> {
    let mut env = BTreeMap::new();
    if let Some(dir) = path.parent() {
        let dotenv = dir.join(".env");
        match read_capped(&dotenv, MAX_DOTENV_FILE) {
            Ok(text) => env = interp::parse_dotenv(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(ComposeError {
                    path: path.display().to_string(),
                    line: 0,
                    message: format!(
                        "cannot read {} (the .env file Compose takes ${{VARIABLES}} from): {e}; \
                         make it a regular file under {} MiB or move it away",
                        dotenv.display(),
                        MAX_DOTENV_FILE >> 20
                    ),
                });
            }
        }
    }
    env.extend(std::env::vars());
    Ok(env)
}

/// Load Compose text (`path` is used for messages and relative `extends`).
pub fn load_str(
    text: &str,
    path: &Path,
    env: &BTreeMap<String, String>,
    opts: &LoadOptions,
) -> Result<Project, ComposeError> {
    let root = load_tree(text, &path.display().to_string(), env)?;
    project_from_tree(&root, path, env, opts)
}

/// Most files [`load_files`] merges.
pub const MAX_FILES: usize = 32;

/// Load several Compose files merged in order, as `docker compose -f a.yml
/// -f b.yml` does: a service of a later file is merged onto the same
/// service of the earlier ones with the rules `extends` uses (scalars
/// replaced, `environment`/`labels` merged by name, volumes and devices
/// by container path, other lists joined without duplicates), other
/// top-level sections (`secrets`, `volumes`, …) merged key by key. The
/// first file names the project: `.env`, relative `extends` and the
/// lines of messages refer to it (lines of merged services may come from
/// any file).
pub fn load_files(paths: &[PathBuf], opts: &LoadOptions) -> Result<Project, ComposeError> {
    let Some(first) = paths.first() else {
        return Err(ComposeError {
            path: String::new(),
            line: 0,
            message: "no Compose file given".into(),
        });
    };
    if paths.len() > MAX_FILES {
        return Err(ComposeError {
            path: first.display().to_string(),
            line: 0,
            message: format!(
                "{} Compose files given, more than the {MAX_FILES} merged",
                paths.len()
            ),
        });
    }
    let mut texts = Vec::with_capacity(paths.len());
    for p in paths {
        let text = read_capped(p, crate::MAX_INPUT_FILE).map_err(|e| ComposeError {
            path: p.display().to_string(),
            line: 0,
            message: format!("cannot read the file: {e}"),
        })?;
        texts.push((text, p.as_path()));
    }
    let env = match &opts.env {
        Some(e) => e.clone(),
        None => default_env(first)?,
    };
    let texts: Vec<(&str, &Path)> = texts.iter().map(|(t, p)| (t.as_str(), *p)).collect();
    load_texts(&texts, &env, opts)
}

/// [`load_files`] on texts already read (each with its path, for messages
/// and relative `extends`), interpolated with `env`.
pub fn load_texts(
    texts: &[(&str, &Path)],
    env: &BTreeMap<String, String>,
    opts: &LoadOptions,
) -> Result<Project, ComposeError> {
    let Some((_, first)) = texts.first() else {
        return Err(ComposeError {
            path: String::new(),
            line: 0,
            message: "no Compose file given".into(),
        });
    };
    let mut merged: Option<Node> = None;
    let mut warnings = Vec::new();
    for (text, p) in texts.iter().take(MAX_FILES) {
        let shown = p.display().to_string();
        let mut tree = load_tree(text, &shown, env)?;
        // `extends` is resolved within each file, before the files merge
        // (a service extends the other service as its own file has it).
        let dir = p.parent().unwrap_or(Path::new("."));
        if let Some(services) = tree.get("services").cloned()
            && let Value::Map(entries) = &services.value
        {
            let mut resolved = Vec::with_capacity(entries.len());
            for (name, node) in entries {
                let r = resolve_extends(node, &services, dir, env, 0, &mut warnings).map_err(
                    |(line, message)| ComposeError {
                        path: shown.clone(),
                        line,
                        message,
                    },
                )?;
                resolved.push((name.clone(), r));
            }
            if let Value::Map(top) = &mut tree.value
                && let Some((_, slot)) = top.iter_mut().find(|(k, _)| k == "services")
            {
                slot.value = Value::Map(resolved);
            }
        }
        merged = Some(match merged {
            None => tree,
            Some(base) => merge_files(&base, &tree),
        });
    }
    let root = merged.unwrap_or(Node {
        value: Value::Map(Vec::new()),
        line: 1,
        col: 1,
        key_line: 1,
    });
    let mut project = project_from_tree(&root, first, env, opts)?;
    warnings.extend(project.warnings);
    project.warnings = warnings;
    Ok(project)
}

/// Merge a later Compose file's tree onto the earlier ones': services by
/// name with [`merge_service`], every other top-level key with [`merge`].
fn merge_files(base: &Node, over: &Node) -> Node {
    let (Value::Map(b), Value::Map(o)) = (&base.value, &over.value) else {
        return over.clone();
    };
    let out = merge_entries(b, o, |k, bv, v| match bv {
        None => v.clone(),
        Some(bv) if k == "services" => match (&bv.value, &v.value) {
            (Value::Map(bs), Value::Map(os)) => Node {
                value: Value::Map(merge_entries(bs, os, |_, b, s| match b {
                    Some(b) => merge_service(b, s),
                    None => s.clone(),
                })),
                ..bv.clone()
            },
            (Value::Map(_), Value::Null) => bv.clone(),
            _ => v.clone(),
        },
        Some(bv) => merge(bv, v),
    });
    Node {
        value: Value::Map(out),
        ..base.clone()
    }
}

/// The project of a loaded (interpolated) tree.
fn project_from_tree(
    root: &Node,
    path: &Path,
    env: &BTreeMap<String, String>,
    opts: &LoadOptions,
) -> Result<Project, ComposeError> {
    let shown = path.display().to_string();
    let mut project = Project {
        path: path.to_path_buf(),
        ..Project::default()
    };
    let services_node = match root.get("services") {
        Some(s) => s.clone(),
        None if root.get("version").is_none() && matches!(root.value, Value::Map(_)) => {
            // Compose file format v1: services at the top level.
            root.clone()
        }
        None => Node {
            value: Value::Map(Vec::new()),
            line: 1,
            col: 1,
            key_line: 1,
        },
    };
    if !matches!(services_node.value, Value::Map(_) | Value::Null) {
        return Err(ComposeError {
            path: shown,
            line: services_node.line,
            message: "`services` must be a mapping of service names to definitions".into(),
        });
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    for (name, node) in services_node.entries() {
        if !matches!(node.value, Value::Map(_) | Value::Null) {
            return Err(ComposeError {
                path: shown,
                line: node.line,
                message: format!("service {name} must be a mapping, not a scalar or list"),
            });
        }
        let resolved = resolve_extends(node, &services_node, dir, env, 0, &mut project.warnings)
            .map_err(|(line, message)| ComposeError {
                path: shown.clone(),
                line,
                message,
            })?;
        let svc =
            service(name, &resolved, node.key_line).map_err(|(line, message)| ComposeError {
                path: shown.clone(),
                line,
                message,
            })?;
        if let Some(active) = &opts.profiles
            && !svc.profiles.is_empty()
            && !svc
                .profiles
                .iter()
                .any(|p| active.contains(p) || active.iter().any(|a| a == "*"))
        {
            continue;
        }
        project.services.push(svc);
    }
    Ok(project)
}

fn load_tree(
    text: &str,
    shown: &str,
    env: &BTreeMap<String, String>,
) -> Result<Node, ComposeError> {
    let mut root = yaml::load(text).map_err(|e| ComposeError {
        path: shown.to_string(),
        line: e.line,
        message: e.message,
    })?;
    if !matches!(root.value, Value::Map(_)) {
        return Err(ComposeError {
            path: shown.to_string(),
            line: root.line,
            message: "a Compose file must be a YAML mapping with a `services` key".into(),
        });
    }
    interpolate_tree(&mut root, env).map_err(|(line, message)| ComposeError {
        path: shown.to_string(),
        line,
        message,
    })?;
    Ok(root)
}

fn interpolate_tree(n: &mut Node, env: &BTreeMap<String, String>) -> Result<(), (usize, String)> {
    // Iterative: depth is already capped by the loader, but keep it simple.
    let line = n.line;
    match &mut n.value {
        Value::Scalar { text, .. } => {
            *text = interp::interpolate(text, env).map_err(|e| (line, e))?;
        }
        Value::Seq(s) => {
            for x in s {
                interpolate_tree(x, env)?;
            }
        }
        Value::Map(m) => {
            for (_, v) in m {
                interpolate_tree(v, env)?;
            }
        }
        Value::Null => {}
    }
    Ok(())
}

const MAX_EXTENDS: usize = 10;
/// Largest Compose file `extends: {file: …}` may name.
const MAX_EXTENDED_FILE: u64 = 4 << 20;
/// Largest `.env` file read for interpolation (real ones are a few KiB).
pub const MAX_DOTENV_FILE: u64 = 4 << 20;

/// Read a file Compose names or implies (`extends` files, `.env`): only a
/// regular file of at most `max` bytes (never /dev/zero, a FIFO or a huge
/// file). The type is checked before opening, as opening a FIFO blocks until
/// something writes to it.
pub(crate) fn read_capped(p: &Path, max: u64) -> std::io::Result<String> {
    use std::io::Read;
    let not_regular = || std::io::Error::other("not a regular file");
    if !std::fs::metadata(p)?.is_file() {
        return Err(not_regular());
    }
    let f = std::fs::File::open(p)?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    if meta.len() > max {
        return Err(std::io::Error::other(format!(
            "{} bytes, larger than {} MiB",
            meta.len(),
            max >> 20
        )));
    }
    let mut buf = Vec::new();
    f.take(max).read_to_end(&mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

fn resolve_extends(
    node: &Node,
    siblings: &Node,
    dir: &Path,
    env: &BTreeMap<String, String>,
    depth: usize,
    warnings: &mut Vec<(usize, String)>,
) -> Result<Node, (usize, String)> {
    let Some(ext) = node.get("extends") else {
        return Ok(node.clone());
    };
    if depth >= MAX_EXTENDS {
        return Err((
            ext.line,
            format!("`extends` nested more than {MAX_EXTENDS} levels (a cycle?)"),
        ));
    }
    let (svc, file) = match &ext.value {
        Value::Scalar { text, .. } => (text.clone(), None),
        Value::Map(_) => (
            ext.get("service")
                .and_then(Node::str)
                .unwrap_or("")
                .to_string(),
            ext.get("file").and_then(Node::str).map(str::to_string),
        ),
        _ => {
            return Err((
                ext.line,
                "`extends` must be a service name or {service, file}".into(),
            ));
        }
    };
    let (base_services, base_dir) = match &file {
        Some(f) => {
            let p = dir.join(f);
            let text = read_capped(&p, MAX_EXTENDED_FILE).map_err(|e| {
                (
                    ext.line,
                    format!("cannot read extended file {}: {e}", p.display()),
                )
            })?;
            let tree = load_tree(&text, &p.display().to_string(), env)
                .map_err(|e| (ext.line, e.to_string()))?;
            let services = tree.get("services").cloned().unwrap_or(tree);
            (services, p.parent().unwrap_or(dir).to_path_buf())
        }
        None => (siblings.clone(), dir.to_path_buf()),
    };
    let Some(base) = base_services.get(&svc) else {
        warnings.push((ext.line, format!("extends: service {svc} not found")));
        return Err((
            ext.line,
            format!("`extends` refers to service {svc:?}, which does not exist"),
        ));
    };
    let base = resolve_extends(base, &base_services, &base_dir, env, depth + 1, warnings)?;
    let mut merged = merge_service(&base, node);
    if let Value::Map(m) = &mut merged.value {
        m.retain(|(k, _)| k != "extends");
    }
    merged.line = node.line;
    merged.key_line = node.key_line;
    Ok(merged)
}

/// Keys whose list form (`- NAME=value`) is a mapping in disguise.
const MAP_LIKE: &[&str] = &["environment", "labels", "sysctls", "annotations"];
/// Keys that take one string or a list of them: a string merges as a
/// one-item list.
const LIST_OR_STRING: &[&str] = &["tmpfs", "dns", "dns_search", "env_file"];
/// Keys whose entries are merged by their container path.
const BY_TARGET: &[&str] = &["volumes", "devices"];

/// Merge a service onto the one it `extends` (Compose's rules, checked
/// against `docker-compose config` in tests/compose_oracle.rs): mapping-like
/// keys merge by name whether written as a list or a mapping, volumes and
/// devices by container path, other sequences are joined without
/// duplicates, and scalars from `over` win.
fn merge_service(base: &Node, over: &Node) -> Node {
    let (Value::Map(b), Value::Map(o)) = (&base.value, &over.value) else {
        return merge(base, over);
    };
    let out = merge_entries(b, o, |k, bv, v| match bv {
        None => v.clone(),
        Some(bv) if MAP_LIKE.contains(&k) => merge(&as_map(bv), &as_map(v)),
        Some(bv) if BY_TARGET.contains(&k) => merge_by_target(bv, v),
        Some(bv) if LIST_OR_STRING.contains(&k) => merge(&as_list(bv), &as_list(v)),
        Some(bv) => merge(bv, v),
    });
    Node {
        value: Value::Map(out),
        line: over.line,
        col: over.col,
        key_line: over.key_line,
    }
}

/// The entries of `base` with those of `over` merged in by key (`f` gets
/// the key, the base's value if any, and the new value), in first-seen
/// order. Keys are looked up in an index: hostile files with many keys on
/// both sides merge in linear time.
fn merge_entries(
    base: &[(String, Node)],
    over: &[(String, Node)],
    f: impl Fn(&str, Option<&Node>, &Node) -> Node,
) -> Vec<(String, Node)> {
    let mut out = base.to_vec();
    let mut index: std::collections::HashMap<String, usize> =
        std::collections::HashMap::with_capacity(out.len());
    for (i, (k, _)) in out.iter().enumerate() {
        index.entry(k.clone()).or_insert(i);
    }
    for (k, v) in over {
        match index.get(k).copied() {
            Some(i) => {
                if let Some((_, slot)) = out.get_mut(i) {
                    *slot = f(k, Some(slot), v);
                }
            }
            None => {
                index.insert(k.clone(), out.len());
                out.push((k.clone(), f(k, None, v)));
            }
        }
    }
    out
}

/// Beyond this many pairwise comparisons, two lists are joined without
/// removing duplicates (real lists are short; this bounds hostile ones).
const MAX_DEDUP_COMPARISONS: usize = 1 << 22;

/// A string as a one-item list; anything else as it is.
fn as_list(n: &Node) -> Node {
    match &n.value {
        Value::Scalar { .. } => Node {
            value: Value::Seq(vec![n.clone()]),
            ..n.clone()
        },
        _ => n.clone(),
    }
}

/// `[A=1, B]` → `{A: "1", B: null}`; mappings are returned as they are.
fn as_map(n: &Node) -> Node {
    let Value::Seq(items) = &n.value else {
        return n.clone();
    };
    let entries = items
        .iter()
        .filter_map(|i| {
            let t = i.str()?;
            let (k, v) = match t.split_once('=') {
                Some((k, v)) => (
                    k,
                    Value::Scalar {
                        text: v.to_string(),
                        plain: false,
                    },
                ),
                None => (t, Value::Null),
            };
            Some((
                k.to_string(),
                Node {
                    value: v,
                    line: i.line,
                    col: i.col,
                    key_line: i.line,
                },
            ))
        })
        .collect();
    Node {
        value: Value::Map(entries),
        ..n.clone()
    }
}

/// The container path of a volume or device entry (short or long syntax).
fn entry_target(n: &Node) -> Option<String> {
    match n.str() {
        Some(t) => {
            let parts: Vec<&str> = t.split(':').collect();
            match parts.as_slice() {
                [only] => Some((*only).to_string()),
                [_, target, ..] => Some((*target).to_string()),
                [] => None,
            }
        }
        None => n.get("target").and_then(Node::str).map(str::to_string),
    }
}

/// Join two lists; an entry of `over` replaces a `base` entry with the
/// same container path.
fn merge_by_target(base: &Node, over: &Node) -> Node {
    let (Value::Seq(b), Value::Seq(o)) = (&base.value, &over.value) else {
        return merge(base, over);
    };
    let targets: std::collections::HashSet<String> = o.iter().filter_map(entry_target).collect();
    let mut out: Vec<Node> = b
        .iter()
        .filter(|x| entry_target(x).is_none_or(|t| !targets.contains(&t)))
        .cloned()
        .collect();
    let dedup = out.len().saturating_mul(o.len()) <= MAX_DEDUP_COMPARISONS;
    for v in o {
        if !dedup || !out.iter().any(|x| x.value == v.value) {
            out.push(v.clone());
        }
    }
    Node {
        value: Value::Seq(out),
        ..over.clone()
    }
}

/// Merge `over` onto `base` (Compose rules, simplified): mappings merge
/// key by key, sequences are concatenated without duplicates, scalars from
/// `over` win.
fn merge(base: &Node, over: &Node) -> Node {
    match (&base.value, &over.value) {
        (Value::Map(b), Value::Map(o)) => {
            let out = merge_entries(b, o, |_, bv, v| match bv {
                Some(bv) => merge(bv, v),
                None => v.clone(),
            });
            Node {
                value: Value::Map(out),
                line: over.line,
                col: over.col,
                key_line: over.key_line,
            }
        }
        (Value::Seq(b), Value::Seq(o)) => {
            let mut out = b.clone();
            let dedup = b.len().saturating_mul(o.len()) <= MAX_DEDUP_COMPARISONS;
            for v in o {
                if !dedup || !out.iter().any(|x| x.value == v.value) {
                    out.push(v.clone());
                }
            }
            Node {
                value: Value::Seq(out),
                line: over.line,
                col: over.col,
                key_line: over.key_line,
            }
        }
        _ => over.clone(),
    }
}

fn type_err(n: &Node, key: &str, want: &str) -> (usize, String) {
    (n.line, format!("`{key}` must be {want}"))
}

fn string_list(n: &Node, key: &str) -> Result<Vec<String>, (usize, String)> {
    match &n.value {
        Value::Null => Ok(Vec::new()),
        Value::Scalar { text, .. } => Ok(vec![text.clone()]),
        Value::Seq(items) => items
            .iter()
            .map(|i| {
                i.str()
                    .map(str::to_string)
                    .ok_or_else(|| type_err(i, key, "a list of strings"))
            })
            .collect(),
        Value::Map(_) => Err(type_err(n, key, "a string or a list of strings")),
    }
}

fn scalar(n: &Node, key: &str) -> Result<Option<String>, (usize, String)> {
    match &n.value {
        Value::Null => Ok(None),
        Value::Scalar { text, .. } => Ok(Some(text.clone())),
        _ => Err(type_err(n, key, "a string")),
    }
}

fn boolean(n: &Node, key: &str) -> Result<bool, (usize, String)> {
    match n.str().map(str::to_ascii_lowercase).as_deref() {
        None if matches!(n.value, Value::Null) => Ok(false),
        Some("true" | "yes" | "on") => Ok(true),
        Some("false" | "no" | "off") => Ok(false),
        _ => Err(type_err(n, key, "true or false")),
    }
}

/// `512m`, `1g`, `1024` → bytes.
pub fn parse_bytes(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_lowercase();
    let t = t.strip_suffix('b').unwrap_or(&t);
    let (num, mult) = match t.chars().last()? {
        'k' => (t.get(..t.len() - 1)?, 1u64 << 10),
        'm' => (t.get(..t.len() - 1)?, 1 << 20),
        'g' => (t.get(..t.len() - 1)?, 1 << 30),
        't' => (t.get(..t.len() - 1)?, 1 << 40),
        _ => (t, 1),
    };
    let v: f64 = num.trim().parse().ok()?;
    (v >= 0.0).then_some((v * mult as f64) as u64)
}

fn service(name: &str, n: &Node, line: usize) -> Result<Service, (usize, String)> {
    let mut s = Service {
        name: name.to_string(),
        line,
        ..Service::default()
    };
    for (k, v) in n.entries() {
        s.key_lines.insert(k.clone(), v.key_line);
        match k.as_str() {
            "image" => s.image = scalar(v, k)?,
            "user" => s.user = scalar(v, k)?,
            "read_only" => s.read_only = boolean(v, k)?,
            "privileged" => s.privileged = boolean(v, k)?,
            "use_api_socket" => s.use_api_socket = boolean(v, k)?,
            "cap_add" => s.cap_add = string_list(v, k)?.into_iter().map(norm_cap).collect(),
            "cap_drop" => s.cap_drop = string_list(v, k)?.into_iter().map(norm_cap).collect(),
            "security_opt" => {
                s.security_opt = string_list(v, k)?
                    .into_iter()
                    .map(|o| {
                        let (k, v) = o.split_once([':', '=']).unwrap_or((o.as_str(), ""));
                        SecurityOpt {
                            key: k.trim().to_ascii_lowercase(),
                            value: v.trim().to_string(),
                        }
                    })
                    .collect()
            }
            "network_mode" => s.network_mode = scalar(v, k)?,
            "pid" => s.pid = scalar(v, k)?,
            "ipc" => s.ipc = scalar(v, k)?,
            "uts" => s.uts = scalar(v, k)?,
            "userns_mode" => s.userns_mode = scalar(v, k)?,
            "cgroup" => s.cgroup = scalar(v, k)?,
            "tmpfs" => {
                for t in string_list(v, k)? {
                    s.tmpfs.push(parse_tmpfs(&t));
                }
            }
            "mem_limit" => {
                s.limits.memory = scalar(v, k)?
                    .and_then(|x| parse_bytes(&x))
                    .or(s.limits.memory)
            }
            "cpus" => s.limits.cpus = scalar(v, k)?.and_then(|x| x.parse().ok()).or(s.limits.cpus),
            "cpu_shares" => s.limits.cpu_shares = scalar(v, k)?.and_then(|x| x.parse().ok()),
            "cpu_quota" => s.limits.cpu_quota = scalar(v, k)?.and_then(|x| x.parse().ok()),
            "cpuset" => s.limits.cpuset = scalar(v, k)?,
            "restart" => s.restart = scalar(v, k)?,
            "pids_limit" => {
                s.limits.pids = scalar(v, k)?.and_then(|x| x.parse().ok()).or(s.limits.pids)
            }
            "deploy" => {
                if let Some(l) = v.get("resources").and_then(|r| r.get("limits")) {
                    if let Some(m) = l.get("memory").and_then(Node::str) {
                        s.limits.memory = s.limits.memory.or(parse_bytes(m));
                    }
                    if let Some(c) = l.get("cpus").and_then(Node::str) {
                        s.limits.cpus = s.limits.cpus.or(c.parse().ok());
                    }
                    if let Some(p) = l.get("pids").and_then(Node::str) {
                        s.limits.pids = s.limits.pids.or(p.parse().ok());
                    }
                }
            }
            "ports" => {
                for p in v.items() {
                    s.ports.push(parse_port(p));
                }
            }
            "volumes" => {
                if !matches!(v.value, Value::Seq(_) | Value::Null) {
                    return Err(type_err(v, k, "a list"));
                }
                for m in v.items() {
                    s.mounts.push(parse_mount(m)?);
                }
            }
            "environment" => match &v.value {
                Value::Map(m) => {
                    for (name, val) in m {
                        s.env.push(EnvVar {
                            name: name.clone(),
                            value: val.str().map(str::to_string),
                            line: val.line,
                        });
                    }
                }
                Value::Seq(items) => {
                    for i in items {
                        let t = i
                            .str()
                            .ok_or_else(|| type_err(i, k, "a list of NAME=value strings"))?;
                        let (name, value) = match t.split_once('=') {
                            Some((a, b)) => (a.to_string(), Some(b.to_string())),
                            None => (t.to_string(), None),
                        };
                        s.env.push(EnvVar {
                            name,
                            value,
                            line: i.line,
                        });
                    }
                }
                Value::Null => {}
                Value::Scalar { .. } => return Err(type_err(v, k, "a mapping or a list")),
            },
            "secrets" => {
                for i in v.items() {
                    match i.str() {
                        Some(t) => s.secrets.push(t.to_string()),
                        None => {
                            if let Some(src) = i.get("source").and_then(Node::str) {
                                s.secrets.push(src.to_string());
                            }
                        }
                    }
                }
            }
            "devices" => {
                for i in v.items() {
                    match i.str() {
                        Some(t) => s.devices.push(t.to_string()),
                        None => {
                            if let Some(src) = i.get("source").and_then(Node::str) {
                                s.devices.push(src.to_string());
                            }
                        }
                    }
                }
            }
            "device_cgroup_rules" => s.device_cgroup_rules = string_list(v, k)?,
            "healthcheck" => {
                let disabled = v
                    .get("disable")
                    .map(|d| boolean(d, "healthcheck.disable"))
                    .transpose()?
                    .unwrap_or(false);
                let test = match v.get("test") {
                    Some(t) => string_list(t, "healthcheck.test")?,
                    None => Vec::new(),
                };
                let disabled = disabled || test.first().is_some_and(|t| t == "NONE");
                s.healthcheck = Some(Healthcheck { test, disabled });
            }
            "profiles" => s.profiles = string_list(v, k)?,
            _ => {}
        }
    }
    Ok(s)
}

fn norm_cap(c: String) -> String {
    let u = c.trim().to_ascii_uppercase();
    u.strip_prefix("CAP_").map(str::to_string).unwrap_or(u)
}

fn parse_tmpfs(t: &str) -> Tmpfs {
    let (target, opts) = t.split_once(':').unwrap_or((t, ""));
    Tmpfs {
        target: target.trim().to_string(),
        options: opts
            .split(',')
            .filter(|o| !o.is_empty())
            .map(|o| o.trim().to_string())
            .collect(),
    }
}

fn parse_port(p: &Node) -> Port {
    if let Some(t) = p.str() {
        let (spec, proto) = t.split_once('/').unwrap_or((t, "tcp"));
        // ip:host:container, host:container, container; IPv6 in [..]
        let parts: Vec<&str> = if spec.starts_with('[') {
            let end = spec.find(']').unwrap_or(0);
            let ip = spec.get(1..end).unwrap_or("");
            let rest: Vec<&str> = spec.get(end + 2..).unwrap_or("").split(':').collect();
            std::iter::once(ip).chain(rest).collect()
        } else {
            spec.split(':').collect()
        };
        let (host_ip, published, target) = match parts.as_slice() {
            [c] => ("", "", *c),
            [h, c] => ("", *h, *c),
            [ip, h, c] => (*ip, *h, *c),
            _ => ("", "", spec),
        };
        return Port {
            host_ip: host_ip.into(),
            published: published.into(),
            target: target.into(),
            protocol: proto.into(),
            line: p.line,
        };
    }
    let g = |k: &str| p.get(k).and_then(Node::str).unwrap_or("").to_string();
    Port {
        host_ip: g("host_ip"),
        published: g("published"),
        target: g("target"),
        protocol: if g("protocol").is_empty() {
            "tcp".into()
        } else {
            g("protocol")
        },
        line: p.line,
    }
}

fn parse_mount(m: &Node) -> Result<Mount, (usize, String)> {
    if let Some(t) = m.str() {
        let parts: Vec<&str> = t.split(':').collect();
        let (source, target, mode) = match parts.as_slice() {
            [t] => ("", *t, ""),
            [s, t] => (*s, *t, ""),
            [s, t, m, ..] => (*s, *t, *m),
            [] => ("", "", ""),
        };
        let kind = if source.is_empty() {
            MountKind::Volume
        } else if source.starts_with('/') || source.starts_with('.') || source.starts_with('~') {
            MountKind::Bind
        } else {
            MountKind::Volume
        };
        let modes: Vec<&str> = mode.split(',').collect();
        return Ok(Mount {
            kind,
            source: source.into(),
            target: target.into(),
            read_only: modes.contains(&"ro"),
            propagation: modes
                .iter()
                .find(|m| {
                    matches!(
                        **m,
                        "shared" | "rshared" | "slave" | "rslave" | "private" | "rprivate"
                    )
                })
                .map(|m| m.to_string()),
            line: m.line,
        });
    }
    if !matches!(m.value, Value::Map(_)) {
        return Err(type_err(m, "volumes", "a list of strings or mappings"));
    }
    let g = |k: &str| m.get(k).and_then(Node::str).unwrap_or("").to_string();
    let kind = match g("type").as_str() {
        "bind" => MountKind::Bind,
        "volume" | "" => MountKind::Volume,
        "tmpfs" => MountKind::Tmpfs,
        _ => MountKind::Other,
    };
    Ok(Mount {
        kind,
        source: g("source"),
        target: g("target"),
        read_only: m
            .get("read_only")
            .map(|r| boolean(r, "read_only"))
            .transpose()?
            .unwrap_or(false),
        propagation: m
            .get("bind")
            .and_then(|b| b.get("propagation"))
            .and_then(Node::str)
            .map(str::to_string),
        line: m.line,
    })
}

/// Service names referenced by the project (for tests and tools).
pub fn service_names(p: &Project) -> BTreeSet<String> {
    p.services.iter().map(|s| s.name.clone()).collect()
}

#[cfg(test)]
mod tests;

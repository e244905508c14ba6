//! Kubernetes manifests: recognition, a bounded multi-document loader and
//! a typed model of each workload's pod template.
//!
//! A manifest is YAML, often several documents separated by `---`, each an
//! object with `apiVersion` and `kind`. The workload kinds (Pod, Deployment,
//! StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob,
//! PodTemplate, and the items of a `List`) carry a pod template; [`PodSpec`]
//! holds what the rules judge in it (host namespaces, hostPath volumes,
//! the pod security context) and each container's settings, init
//! containers included ([`Container`]), with the line of every key.
//!
//! The YAML is read by [`crate::compose::yaml`] (depth, node and alias
//! caps for the whole stream). A stream that cannot be read is a
//! [`ManifestError`]; a field of the wrong type (`privileged: "yes"`, which
//! the API server refuses) is a [`Manifest::problems`] entry, read as unset,
//! so the rest of the file is still checked.
//!
//! Why the rules do not go through `bulkhead-policy`'s container controls:
//! Kubernetes' defaults differ from Docker's (no seccomp profile unless the
//! pod asks for one or the kubelet sets `seccompDefault`; `runAsNonRoot` is
//! a check the kubelet makes, not a user), so the rules read this model.

use crate::compose::yaml::{self, Node, Value};
use std::path::{Path, PathBuf};

/// Most objects read from one file (documents and `List` items together).
pub const MAX_OBJECTS: usize = 10_000;
/// Deepest `List` inside `List` followed.
const MAX_LIST_DEPTH: usize = 4;

/// A manifest that cannot be read (not YAML, too large, too deep, an alias
/// bomb).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}: {message}")]
pub struct ManifestError {
    pub path: String,
    pub line: usize,
    pub message: String,
}

/// A value with the line it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At<T> {
    pub value: T,
    pub line: usize,
}

/// The objects of one manifest file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Manifest {
    pub path: PathBuf,
    pub objects: Vec<Object>,
    /// Fields of the wrong type and documents that are not objects, by
    /// line; the field is read as unset.
    pub problems: Vec<(usize, String)>,
    /// More than [`MAX_OBJECTS`] objects: the rest was not read.
    pub truncated: bool,
}

/// One Kubernetes object.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Object {
    pub api_version: String,
    pub kind: String,
    /// `metadata.name` (or `generateName`), empty when neither is given.
    pub name: String,
    pub namespace: Option<String>,
    /// Line where the object starts.
    pub line: usize,
    /// The pod template, for the workload kinds.
    pub pod: Option<PodSpec>,
}

impl Object {
    /// `Kind name`, for messages.
    pub fn label(&self) -> String {
        if self.name.is_empty() {
            self.kind.clone()
        } else {
            format!("{} {}", self.kind, self.name)
        }
    }
}

/// The settings of a security context: the container's, or the pod's (which
/// has only `runAsNonRoot`, `runAsUser` and `seccompProfile` of these).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SecurityContext {
    /// Line of the `securityContext` key, when present.
    pub line: Option<usize>,
    pub privileged: Option<At<bool>>,
    pub allow_privilege_escalation: Option<At<bool>>,
    pub read_only_root_filesystem: Option<At<bool>>,
    pub run_as_non_root: Option<At<bool>>,
    pub run_as_user: Option<At<i64>>,
    /// `capabilities.add`, as written.
    pub cap_add: Vec<At<String>>,
    /// `capabilities.drop`, as written.
    pub cap_drop: Vec<At<String>>,
    /// Line of `capabilities`, when present.
    pub capabilities_line: Option<usize>,
    /// `seccompProfile.type` (`RuntimeDefault`, `Localhost`, `Unconfined`).
    pub seccomp: Option<At<String>>,
}

/// `resources.limits`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Limits {
    pub memory: Option<At<String>>,
    pub cpu: Option<At<String>>,
}

/// One container of a pod template.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Container {
    pub name: String,
    /// An init container (`initContainers`).
    pub init: bool,
    /// Line of the container's entry.
    pub line: usize,
    pub image: Option<String>,
    pub security: SecurityContext,
    pub limits: Limits,
}

impl Container {
    /// `container NAME` or `init container NAME`, for messages.
    pub fn label(&self) -> String {
        let what = if self.init {
            "init container"
        } else {
            "container"
        };
        if self.name.is_empty() {
            what.to_string()
        } else {
            format!("{what} {}", self.name)
        }
    }
}

/// A volume of a pod template.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Volume {
    pub name: String,
    pub line: usize,
    /// `hostPath.path`, when the volume is a hostPath.
    pub host_path: Option<At<String>>,
}

/// A pod template's spec.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodSpec {
    /// Line of the pod spec.
    pub line: usize,
    pub host_network: Option<At<bool>>,
    pub host_pid: Option<At<bool>>,
    pub host_ipc: Option<At<bool>>,
    /// The pod-level `securityContext`.
    pub security: SecurityContext,
    /// Init containers first, then containers, each in file order.
    pub containers: Vec<Container>,
    pub volumes: Vec<Volume>,
}

impl PodSpec {
    /// Whether the container runs with `runAsNonRoot: true` (its own
    /// setting, else the pod's), and the line that says so or not.
    pub fn run_as_non_root<'a>(&'a self, c: &'a Container) -> Option<&'a At<bool>> {
        c.security
            .run_as_non_root
            .as_ref()
            .or(self.security.run_as_non_root.as_ref())
    }
    /// The container's `runAsUser` (its own, else the pod's).
    pub fn run_as_user<'a>(&'a self, c: &'a Container) -> Option<&'a At<i64>> {
        c.security
            .run_as_user
            .as_ref()
            .or(self.security.run_as_user.as_ref())
    }
    /// The container's seccomp profile type (its own, else the pod's).
    pub fn seccomp<'a>(&'a self, c: &'a Container) -> Option<&'a At<String>> {
        c.security
            .seccomp
            .as_ref()
            .or(self.security.seccomp.as_ref())
    }
}

/// Whether a file's text looks like a Kubernetes manifest: a top-level
/// `apiVersion:` and `kind:` line.
pub fn looks_like_manifest(text: &str) -> bool {
    let top = |key: &str| text.lines().any(|l| l.starts_with(key));
    top("apiVersion:") && top("kind:")
}

/// Whether `dir` is the `templates` folder of a Helm chart (beside a
/// `Chart.yaml`): its files are YAML only once rendered, so a folder walk
/// leaves them out.
pub fn is_helm_templates(dir: &Path) -> bool {
    dir.file_name().is_some_and(|n| n == "templates")
        && dir.parent().is_some_and(|p| p.join("Chart.yaml").is_file())
}

/// How much of a `.yml`/`.yaml` file [`sniff`] reads.
pub const SNIFF_BYTES: u64 = 64 << 10;

/// Whether the file at `path` is a Kubernetes manifest by name and content:
/// `*.yml` or `*.yaml`, a regular file (checked before it is opened: opening
/// a FIFO would block), whose first [`SNIFF_BYTES`] pass
/// [`looks_like_manifest`].
pub fn sniff(path: &Path) -> bool {
    use std::io::Read;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if !(name.ends_with(".yml") || name.ends_with(".yaml")) {
        return false;
    }
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let Ok(f) = std::fs::File::open(path) else {
        return false;
    };
    if !f.metadata().is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut buf = Vec::new();
    if f.take(SNIFF_BYTES).read_to_end(&mut buf).is_err() {
        return false;
    }
    looks_like_manifest(&String::from_utf8_lossy(&buf))
}

/// Read a manifest's text (`path` is for messages).
pub fn load_str(text: &str, path: &Path) -> Result<Manifest, ManifestError> {
    let docs = yaml::load_all(text).map_err(|e| ManifestError {
        path: path.display().to_string(),
        line: e.line,
        message: if text.contains("{{") {
            format!(
                "{} (it looks like a template: render it first, e.g. `helm template`)",
                e.message
            )
        } else {
            e.message
        },
    })?;
    let mut m = Manifest {
        path: path.to_path_buf(),
        ..Manifest::default()
    };
    for doc in &docs {
        match &doc.value {
            Value::Null => {}
            Value::Map(_) => read_object(doc, &mut m, 0),
            _ => m.problems.push((
                doc.line,
                "this document is not a Kubernetes object (a mapping with apiVersion and kind)"
                    .into(),
            )),
        }
    }
    m.problems.sort_by_key(|(line, _)| *line);
    Ok(m)
}

fn read_object(node: &Node, m: &mut Manifest, depth: usize) {
    if m.objects.len() >= MAX_OBJECTS {
        if !m.truncated {
            m.truncated = true;
            m.problems.push((
                node.line,
                format!("more than {MAX_OBJECTS} objects: the rest is not checked"),
            ));
        }
        return;
    }
    let mut p = Reader::new(&mut m.problems);
    let api_version = p.string(node, "apiVersion");
    let kind = p.string(node, "kind");
    let (Some(api_version), Some(kind)) = (api_version, kind) else {
        m.problems.push((
            node.line,
            "an object without apiVersion or kind: Kubernetes refuses it".into(),
        ));
        return;
    };
    if kind.value.ends_with("List") && node.get("items").is_some() {
        if depth >= MAX_LIST_DEPTH {
            m.problems.push((
                node.line,
                format!("a List nested deeper than {MAX_LIST_DEPTH} levels is not checked"),
            ));
            return;
        }
        for item in node.get("items").map(Node::items).unwrap_or_default() {
            if matches!(item.value, Value::Map(_)) {
                read_object(item, m, depth + 1);
            } else {
                m.problems
                    .push((item.line, "a List item that is not an object".into()));
            }
        }
        return;
    }
    let meta = node.get("metadata");
    let name = meta
        .and_then(|md| {
            p.string(md, "name")
                .or_else(|| p.string(md, "generateName"))
        })
        .map(|a| a.value)
        .unwrap_or_default();
    let namespace = meta
        .and_then(|md| p.string(md, "namespace"))
        .map(|a| a.value);
    let pod = pod_spec_node(node, &api_version.value, &kind.value).map(|spec| p.pod_spec(spec));
    m.objects.push(Object {
        api_version: api_version.value,
        kind: kind.value,
        name,
        namespace,
        line: node.line,
        pod,
    });
}

/// The pod spec of a workload object: where each built-in workload kind
/// keeps it (by API group, so a custom resource of the same kind is not
/// misread).
fn pod_spec_node<'a>(obj: &'a Node, api_version: &str, kind: &str) -> Option<&'a Node> {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let path: &[&str] = match (group, kind) {
        ("", "Pod") => &["spec"],
        ("", "PodTemplate") => &["template", "spec"],
        ("", "ReplicationController")
        | ("apps" | "extensions", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("batch", "Job") => &["spec", "template", "spec"],
        ("batch", "CronJob") => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => return None,
    };
    let mut n = obj;
    for key in path {
        n = n.get(key)?;
    }
    matches!(n.value, Value::Map(_)).then_some(n)
}

/// Reads typed fields, recording the ones of the wrong type.
struct Reader<'a> {
    problems: &'a mut Vec<(usize, String)>,
}

/// YAML 1.1 booleans, which Kubernetes' YAML reader still accepts.
fn boolean(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "y" | "Y" | "on" | "On" | "ON" => {
            Some(true)
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "n" | "N" | "off" | "Off" | "OFF" => {
            Some(false)
        }
        _ => None,
    }
}

impl<'a> Reader<'a> {
    fn new(problems: &'a mut Vec<(usize, String)>) -> Self {
        Reader { problems }
    }

    fn wrong(&mut self, n: &Node, key: &str, want: &str) {
        let got = match &n.value {
            Value::Null => "null",
            Value::Scalar { plain: false, .. } => "a quoted string",
            Value::Scalar { .. } => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        };
        self.problems.push((
            n.key_line,
            format!("{key} is {got}, not {want}: Kubernetes refuses it (read as unset)"),
        ));
    }

    /// A scalar's text (numbers and booleans as written).
    fn string(&mut self, parent: &Node, key: &str) -> Option<At<String>> {
        let n = parent.get(key)?;
        match &n.value {
            Value::Null => None,
            Value::Scalar { text, .. } => Some(At {
                value: text.clone(),
                line: n.key_line,
            }),
            _ => {
                self.wrong(n, key, "a string");
                None
            }
        }
    }

    /// A typed scalar: `parse` reads a plain scalar's text; anything else
    /// (quoted, a list, a mapping, text `parse` refuses) is recorded.
    fn typed<T>(
        &mut self,
        parent: &Node,
        key: &str,
        want: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<At<T>> {
        let n = parent.get(key)?;
        let value = match &n.value {
            Value::Null => return None,
            Value::Scalar { text, plain: true } => parse(text),
            _ => None,
        };
        if value.is_none() {
            self.wrong(n, key, want);
        }
        value.map(|value| At {
            value,
            line: n.key_line,
        })
    }

    fn bool(&mut self, parent: &Node, key: &str) -> Option<At<bool>> {
        self.typed(parent, key, "a boolean", boolean)
    }

    fn int(&mut self, parent: &Node, key: &str) -> Option<At<i64>> {
        self.typed(parent, key, "an integer", |t| t.parse().ok())
    }

    /// A list's items, or nothing (a wrong type is recorded).
    fn list<'n>(&mut self, parent: &'n Node, key: &str) -> &'n [Node] {
        match parent.get(key) {
            None => &[],
            Some(n) => match &n.value {
                Value::Null => &[],
                Value::Seq(items) => items,
                _ => {
                    self.wrong(n, key, "a list");
                    &[]
                }
            },
        }
    }

    /// A mapping under `key`, or nothing (a wrong type is recorded).
    fn map<'n>(&mut self, parent: &'n Node, key: &str) -> Option<&'n Node> {
        let n = parent.get(key)?;
        match &n.value {
            Value::Map(_) => Some(n),
            Value::Null => None,
            _ => {
                self.wrong(n, key, "a mapping");
                None
            }
        }
    }

    fn strings(&mut self, parent: &Node, key: &str) -> Vec<At<String>> {
        let mut out = Vec::new();
        for item in self.list(parent, key) {
            match item.str() {
                Some(s) => out.push(At {
                    value: s.to_string(),
                    line: item.line,
                }),
                None => self.wrong(item, key, "a list of strings"),
            }
        }
        out
    }

    fn security(&mut self, parent: &Node) -> SecurityContext {
        let Some(sc) = self.map(parent, "securityContext") else {
            return SecurityContext::default();
        };
        let mut s = SecurityContext {
            line: Some(sc.key_line),
            privileged: self.bool(sc, "privileged"),
            allow_privilege_escalation: self.bool(sc, "allowPrivilegeEscalation"),
            read_only_root_filesystem: self.bool(sc, "readOnlyRootFilesystem"),
            run_as_non_root: self.bool(sc, "runAsNonRoot"),
            run_as_user: self.int(sc, "runAsUser"),
            ..SecurityContext::default()
        };
        if let Some(caps) = self.map(sc, "capabilities") {
            s.capabilities_line = Some(caps.key_line);
            s.cap_add = self.strings(caps, "add");
            s.cap_drop = self.strings(caps, "drop");
        }
        if let Some(profile) = self.map(sc, "seccompProfile") {
            s.seccomp = self.string(profile, "type");
        }
        s
    }

    fn container(&mut self, n: &Node, init: bool) -> Container {
        let mut limits = Limits::default();
        if let Some(res) = self.map(n, "resources")
            && let Some(l) = self.map(res, "limits")
        {
            limits.memory = self.string(l, "memory");
            limits.cpu = self.string(l, "cpu");
        }
        Container {
            name: self.string(n, "name").map(|a| a.value).unwrap_or_default(),
            init,
            line: n.line,
            image: self.string(n, "image").map(|a| a.value),
            security: self.security(n),
            limits,
        }
    }

    fn pod_spec(&mut self, spec: &Node) -> PodSpec {
        let mut pod = PodSpec {
            line: spec.key_line,
            host_network: self.bool(spec, "hostNetwork"),
            host_pid: self.bool(spec, "hostPID"),
            host_ipc: self.bool(spec, "hostIPC"),
            security: self.security(spec),
            ..PodSpec::default()
        };
        for (key, init) in [("initContainers", true), ("containers", false)] {
            for c in self.list(spec, key) {
                if matches!(c.value, Value::Map(_)) {
                    pod.containers.push(self.container(c, init));
                } else {
                    self.wrong(c, key, "a list of containers");
                }
            }
        }
        for v in self.list(spec, "volumes") {
            let host_path = self
                .map(v, "hostPath")
                .and_then(|hp| self.string(hp, "path"));
            pod.volumes.push(Volume {
                name: self.string(v, "name").map(|a| a.value).unwrap_or_default(),
                line: v.line,
                host_path,
            });
        }
        pod
    }
}

/// The body of the `kubernetes` fuzz target, also replayed over the
/// committed seeds (`crates/bulkhead-cli/tests/fuzz_replay.rs`): the bytes
/// as a manifest, then indented under a Deployment's pod template, so
/// mutations reach the typed model without first having to spell
/// `apiVersion` and `kind`. It must never panic.
pub fn fuzz_exercise(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let path = Path::new("/nonexistent-bulkhead-fuzz/manifest.yaml");
    let _ = looks_like_manifest(&text);
    let _ = crate::lint_kubernetes(&text, path);
    let mut wrapped =
        String::from("apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n");
    for line in text.lines() {
        wrapped.push_str("      ");
        wrapped.push_str(line);
        wrapped.push('\n');
    }
    let _ = crate::lint_kubernetes(&wrapped, path);
}

#[cfg(test)]
mod tests;

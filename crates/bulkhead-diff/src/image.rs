//! Shared base layers and image config changes.

use bulkhead_types::Report;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Layers the two images share.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LayerDelta {
    /// Length of the common prefix of `rootfs.diff_ids`: the shared base.
    pub shared: usize,
    /// Layers of the first image.
    pub before: usize,
    /// Layers of the second image.
    pub after: usize,
    /// The diff_ids of the shared prefix, base first.
    #[serde(rename = "SharedDiffIDs")]
    pub shared_diff_ids: Vec<String>,
}

/// The shared layer prefix of two reports.
pub fn layer_delta(before: &Report, after: &Report) -> LayerDelta {
    let a = &before.metadata.diff_ids;
    let b = &after.metadata.diff_ids;
    let shared_diff_ids: Vec<String> = a
        .iter()
        .zip(b)
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.clone())
        .collect();
    LayerDelta {
        shared: shared_diff_ids.len(),
        before: a.len(),
        after: b.len(),
        shared_diff_ids,
    }
}

/// A setting that differs, with both values (absent = unset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ValueChange {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// Names added to, removed from or changed in a set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetChange {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Names in both whose value differs (for `env`: the value is never shown).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
}

impl SetChange {
    fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// A label added, removed or changed (labels are shown with values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LabelChange {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// Image config changes. Absent fields did not change.
///
/// Environment variables are compared by name and value but reported by
/// name only: values often hold credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfigDelta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<ValueChange>,
    #[serde(rename = "WorkingDir", skip_serializing_if = "Option::is_none")]
    pub workdir: Option<ValueChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<ValueChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cmd: Option<ValueChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<ValueChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<SetChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposed_ports: Option<SetChange>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<LabelChange>,
}

impl ConfigDelta {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        *self == ConfigDelta::default()
    }
}

/// The `config` object of an image config (Docker and OCI both nest the
/// runtime settings there).
fn runtime(report: &Report) -> &Value {
    static NULL: Value = Value::Null;
    report
        .metadata
        .image_config
        .as_ref()
        .map_or(&NULL, |c| &c["config"])
}

/// A field as display text: strings as they are, arrays as JSON (so
/// `["sh","-c","x"]` and `sh -c x` stay distinguishable), null/empty as unset.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Array(a) if a.is_empty() => None,
        other => Some(other.to_string()),
    }
}

fn value_change(a: &Value, b: &Value) -> Option<ValueChange> {
    let (before, after) = (text(a), text(b));
    (before != after).then_some(ValueChange { before, after })
}

/// `NAME=value` entries as name → value (a bare `NAME` has an empty value).
fn env_map(v: &Value) -> BTreeMap<String, String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|e| match e.split_once('=') {
            Some((n, val)) => (n.to_string(), val.to_string()),
            None => (e.to_string(), String::new()),
        })
        .collect()
}

/// Keys of an object as name → value text.
fn object_map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            let s = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), s)
        })
        .collect()
}

fn set_change(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) -> Option<SetChange> {
    let ka: BTreeSet<&String> = a.keys().collect();
    let kb: BTreeSet<&String> = b.keys().collect();
    let c = SetChange {
        added: kb.difference(&ka).map(|s| (*s).clone()).collect(),
        removed: ka.difference(&kb).map(|s| (*s).clone()).collect(),
        changed: ka
            .intersection(&kb)
            .filter(|k| a.get(**k) != b.get(**k))
            .map(|s| (*s).clone())
            .collect(),
    };
    (!c.is_empty()).then_some(c)
}

/// Config changes from `before` to `after`.
pub fn config_delta(before: &Report, after: &Report) -> ConfigDelta {
    let (a, b) = (runtime(before), runtime(after));
    let la = object_map(&a["Labels"]);
    let lb = object_map(&b["Labels"]);
    let mut labels = Vec::new();
    for name in la.keys().chain(lb.keys()).collect::<BTreeSet<_>>() {
        let (x, y) = (la.get(name), lb.get(name));
        if x != y {
            labels.push(LabelChange {
                name: name.clone(),
                before: x.cloned(),
                after: y.cloned(),
            });
        }
    }
    // Ports: only the names matter (`{"80/tcp": {}}`).
    let ports = |v: &Value| -> BTreeMap<String, String> {
        object_map(v)
            .into_keys()
            .map(|k| (k, String::new()))
            .collect()
    };
    ConfigDelta {
        user: value_change(&a["User"], &b["User"]),
        workdir: value_change(&a["WorkingDir"], &b["WorkingDir"]),
        entrypoint: value_change(&a["Entrypoint"], &b["Entrypoint"]),
        cmd: value_change(&a["Cmd"], &b["Cmd"]),
        healthcheck: value_change(&a["Healthcheck"], &b["Healthcheck"]),
        env: set_change(&env_map(&a["Env"]), &env_map(&b["Env"])),
        exposed_ports: set_change(&ports(&a["ExposedPorts"]), &ports(&b["ExposedPorts"])),
        labels,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use bulkhead_types::ArtifactType;
    use serde_json::json;

    fn report(config: Value, diff_ids: &[&str]) -> Report {
        let mut r = Report::new("x", ArtifactType::ContainerImage);
        r.metadata.image_config = Some(json!({ "config": config }));
        r.metadata.diff_ids = diff_ids.iter().map(|s| s.to_string()).collect();
        r
    }

    #[test]
    fn config_changes_without_env_values() {
        let a = report(
            json!({"User": "root", "Env": ["PATH=/bin", "TOKEN=old-secret", "GONE=1"],
                   "ExposedPorts": {"80/tcp": {}}, "Labels": {"a": "1", "b": "2"},
                   "Cmd": ["app"]}),
            &["sha256:1", "sha256:2"],
        );
        let b = report(
            json!({"User": "1000", "Env": ["PATH=/bin", "TOKEN=new-secret", "NEW=x"],
                   "ExposedPorts": {"443/tcp": {}}, "Labels": {"a": "1", "b": "3", "c": "4"},
                   "Cmd": ["app"], "Healthcheck": {"Test": ["CMD", "true"]}}),
            &["sha256:1", "sha256:3", "sha256:4"],
        );
        let d = config_delta(&a, &b);
        assert_eq!(d.user.as_ref().unwrap().after.as_deref(), Some("1000"));
        let env = d.env.as_ref().unwrap();
        assert_eq!(env.added, ["NEW"]);
        assert_eq!(env.removed, ["GONE"]);
        assert_eq!(env.changed, ["TOKEN"]);
        let ports = d.exposed_ports.as_ref().unwrap();
        assert_eq!(
            (ports.added.as_slice(), ports.removed.as_slice()),
            (&["443/tcp".to_string()][..], &["80/tcp".to_string()][..])
        );
        assert_eq!(d.labels.len(), 2);
        assert!(d.cmd.is_none());
        assert!(d.healthcheck.as_ref().unwrap().before.is_none());
        let s = serde_json::to_string(&d).unwrap();
        assert!(!s.contains("secret"), "env values leaked: {s}");
        let l = layer_delta(&a, &b);
        assert_eq!((l.shared, l.before, l.after), (1, 2, 3));
    }

    #[test]
    fn missing_or_odd_configs_are_no_change() {
        let mut a = Report::new("x", ArtifactType::ContainerImage);
        let b = report(json!({"Env": "not a list", "Labels": [1, 2]}), &[]);
        assert!(config_delta(&a, &b).is_empty());
        a.metadata.image_config = Some(json!("garbage"));
        assert!(config_delta(&a, &a).is_empty());
        assert_eq!(layer_delta(&a, &b).shared, 0);
    }
}

//! The "simple signing" payload of cosign's legacy format.
//!
//! Written like sigstore's `payload.Cosign` marshals it (key order included):
//! `{"critical":{"identity":{"docker-reference":R},"image":{"docker-manifest-digest":D},
//! "type":"cosign container image signature"},"optional":{..} | null}`.
//! Read like Go's encoding/json reads it: field names match case-insensitively
//! (so `Docker-manifest-digest` is accepted), unknown fields are ignored.

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// `critical.type` of a cosign signature.
pub const COSIGN_TYPE: &str = "cosign container image signature";

/// The payload bytes cosign signs for `digest`. Annotations go to `optional`
/// (`null` when there are none, as cosign writes it).
pub fn build(
    digest: &str,
    docker_reference: &str,
    annotations: &BTreeMap<String, String>,
) -> Vec<u8> {
    let optional = if annotations.is_empty() {
        Value::Null
    } else {
        json!(annotations)
    };
    let v = json!({
        "critical": {
            "identity": {"docker-reference": docker_reference},
            "image": {"docker-manifest-digest": digest},
            "type": COSIGN_TYPE,
        },
        "optional": optional,
    });
    // serde_json's map is ordered (BTreeMap), matching Go's sorted map keys.
    v.to_string().into_bytes()
}

/// A parsed simple-signing payload.
#[derive(Clone, Debug, PartialEq)]
pub struct SimpleSigning {
    /// `critical.image.docker-manifest-digest`.
    pub digest: String,
    /// `critical.identity.docker-reference` (cosign ignores it when verifying).
    pub docker_reference: Option<String>,
    /// `optional`, values that are not strings rendered as JSON.
    pub annotations: BTreeMap<String, String>,
    /// The whole document.
    pub value: Value,
}

/// Go's encoding/json field lookup: an exact match wins, else a
/// case-insensitive one.
pub(crate) fn field<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.get(name).or_else(|| {
        obj.iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
            .next_back()
    })
}

fn object<'a>(v: Option<&'a Value>, what: &str) -> Result<&'a Map<String, Value>, String> {
    match v {
        Some(Value::Object(m)) => Ok(m),
        Some(_) => Err(format!("{what} is not a JSON object")),
        None => Err(format!("{what} is missing")),
    }
}

/// Values of an annotations object as strings (strings as-is, others as JSON).
pub(crate) fn annotation_map(v: Option<&Value>) -> Result<BTreeMap<String, String>, String> {
    match v {
        None | Some(Value::Null) => Ok(BTreeMap::new()),
        Some(Value::Object(m)) => Ok(m
            .iter()
            .map(|(k, v)| {
                let s = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), s)
            })
            .collect()),
        Some(_) => Err("annotations are not a JSON object".into()),
    }
}

/// Parse a payload: it must be a JSON object with `critical.type` equal to
/// [`COSIGN_TYPE`] and a string `critical.image.docker-manifest-digest`.
/// The error says what is wrong (for a Failed reason).
pub fn parse(bytes: &[u8]) -> Result<SimpleSigning, String> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("payload is not valid JSON ({e})"))?;
    let root = object(Some(&value), "payload")?;
    let critical = object(field(root, "critical"), "payload critical section")?;
    match field(critical, "type") {
        Some(Value::String(t)) if t == COSIGN_TYPE => {}
        Some(Value::String(t)) => {
            return Err(format!(
                "payload type is {:?}, not {COSIGN_TYPE:?}",
                t.chars().take(60).collect::<String>()
            ));
        }
        _ => return Err("payload has no critical.type".into()),
    }
    let image = object(field(critical, "image"), "payload critical.image")?;
    let digest = match field(image, "docker-manifest-digest") {
        Some(Value::String(d)) => d.clone(),
        _ => return Err("payload has no critical.image.docker-manifest-digest".into()),
    };
    let docker_reference = field(critical, "identity")
        .and_then(Value::as_object)
        .and_then(|i| field(i, "docker-reference"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let annotations =
        annotation_map(field(root, "optional")).map_err(|e| format!("payload optional: {e}"))?;
    Ok(SimpleSigning {
        digest,
        docker_reference,
        annotations,
        value,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const D: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000001";

    #[test]
    fn build_matches_cosign_layout() {
        let none = build(D, "reg.example/app", &BTreeMap::new());
        assert_eq!(
            String::from_utf8(none).unwrap(),
            format!(
                r#"{{"critical":{{"identity":{{"docker-reference":"reg.example/app"}},"image":{{"docker-manifest-digest":"{D}"}},"type":"cosign container image signature"}},"optional":null}}"#
            )
        );
        let mut a = BTreeMap::new();
        a.insert("env".to_string(), "prod".to_string());
        let p = parse(&build(D, "r/a", &a)).unwrap();
        assert_eq!(p.digest, D);
        assert_eq!(p.docker_reference.as_deref(), Some("r/a"));
        assert_eq!(p.annotations, a);
    }

    #[test]
    fn parse_is_case_insensitive_like_go() {
        let doc = format!(
            r#"{{"Critical":{{"Identity":{{"docker-reference":"x"}},"Image":{{"Docker-manifest-digest":"{D}"}},"Type":"cosign container image signature"}},"optional":{{"n":1}}}}"#
        );
        let p = parse(doc.as_bytes()).unwrap();
        assert_eq!(p.digest, D);
        assert_eq!(p.annotations.get("n").map(String::as_str), Some("1"));
    }

    #[test]
    fn parse_rejects_wrong_type_and_missing_fields() {
        let atomic = format!(
            r#"{{"critical":{{"image":{{"docker-manifest-digest":"{D}"}},"type":"atomic container signature"}}}}"#
        );
        assert!(parse(atomic.as_bytes()).unwrap_err().contains("atomic"));
        assert!(parse(br#"{"critical":{"type":"cosign container image signature"}}"#).is_err());
        assert!(parse(b"[]").is_err());
        assert!(parse(b"{").unwrap_err().contains("not valid JSON"));
        assert!(parse(br#"{"critical":{"image":{"docker-manifest-digest":5},"type":"cosign container image signature"}}"#).is_err());
        assert!(parse(format!(r#"{{"critical":{{"image":{{"docker-manifest-digest":"{D}"}},"type":"cosign container image signature"}},"optional":7}}"#).as_bytes()).is_err());
    }
}

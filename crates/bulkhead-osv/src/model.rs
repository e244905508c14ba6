//! The OSV record model (schema 1.x), read tolerantly.
//!
//! Unknown fields are ignored. A record is refused (and counted by the
//! importer) when it is not JSON/YAML, is larger than [`MAX_RECORD_BYTES`],
//! lacks `id`, or has an `affected` entry whose ranges or events cannot be
//! understood: an unknown range type, an event object that is not exactly one
//! of `introduced`/`fixed`/`last_affected`/`limit`, or a range without an
//! `introduced` event.

use serde::{Deserialize, Serialize};

/// Records larger than this are refused (the largest real record in the OSV
/// export is a few hundred KiB; this bounds memory on hostile input).
pub const MAX_RECORD_BYTES: usize = 8 << 20;

/// One OSV record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Record {
    pub id: String,
    #[serde(default)]
    pub modified: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    #[serde(default, deserialize_with = "lenient_strings")]
    pub aliases: Vec<String>,
    #[serde(default, deserialize_with = "lenient_strings")]
    pub upstream: Vec<String>,
    #[serde(default, deserialize_with = "lenient_strings")]
    pub related: Vec<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub details: String,
    #[serde(default)]
    pub severity: Vec<SeverityEntry>,
    #[serde(default)]
    pub affected: Vec<Affected>,
    #[serde(default)]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<serde_json::Value>,
}

/// `null` or a list of strings (non-strings dropped).
fn lenient_strings<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let v: Option<serde_json::Value> = Option::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::Array(items)) => items
            .into_iter()
            .filter_map(|i| match i {
                serde_json::Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// `severity[]`: a type and a vector (or rating) string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SeverityEntry {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub score: String,
}

/// `references[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Reference {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub url: String,
}

/// `affected[].package`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct AffectedPackage {
    #[serde(default)]
    pub ecosystem: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// One `affected[]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Affected {
    #[serde(default)]
    pub package: Option<AffectedPackage>,
    #[serde(default)]
    pub severity: Vec<SeverityEntry>,
    #[serde(default)]
    pub ranges: Vec<Range>,
    #[serde(default, deserialize_with = "lenient_strings")]
    pub versions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem_specific: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<serde_json::Value>,
}

/// The range types of the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeType {
    #[serde(rename = "SEMVER")]
    Semver,
    #[serde(rename = "ECOSYSTEM")]
    Ecosystem,
    #[serde(rename = "GIT")]
    Git,
}

/// `affected[].ranges[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Range {
    #[serde(rename = "type")]
    pub kind: RangeType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    pub events: Vec<Event>,
}

/// One range event: exactly one key per object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

/// Why a record was refused.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("record is {0} bytes, over the {MAX_RECORD_BYTES}-byte limit")]
    TooLarge(usize),
    #[error("not a valid OSV record: {0}")]
    Json(#[from] serde_json::Error),
    #[error("not a valid OSV YAML record: {0}")]
    Yaml(String),
    #[error("record has no id")]
    MissingId,
    #[error("record {id}: {reason}")]
    Invalid { id: String, reason: String },
}

/// Parse and validate one JSON record.
pub fn parse_json(bytes: &[u8]) -> Result<Record, ParseError> {
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(ParseError::TooLarge(bytes.len()));
    }
    let record: Record = serde_json::from_slice(bytes)?;
    validate(record)
}

/// Parse and validate one YAML record (the PyPA advisory database format).
pub fn parse_yaml(bytes: &[u8]) -> Result<Record, ParseError> {
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(ParseError::TooLarge(bytes.len()));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| ParseError::Yaml(e.to_string()))?;
    // yaml-rust2 keeps every float scalar as the text written (`1.10` stays
    // "1.10"), which a serde YAML deserializer would turn into 1.1.
    let docs =
        yaml_rust2::YamlLoader::load_from_str(text).map_err(|e| ParseError::Yaml(e.to_string()))?;
    let doc = docs
        .into_iter()
        .next()
        .ok_or_else(|| ParseError::Yaml("empty document".into()))?;
    let record: Record = serde_json::from_value(yaml_to_json(doc))?;
    validate(record)
}

fn yaml_to_json(v: yaml_rust2::Yaml) -> serde_json::Value {
    use serde_json::Value as J;
    use yaml_rust2::Yaml as Y;
    match v {
        Y::Real(s) | Y::String(s) => J::String(s),
        Y::Integer(i) => J::String(i.to_string()),
        Y::Boolean(b) => J::Bool(b),
        Y::Array(items) => J::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Hash(m) => J::Object(
            m.into_iter()
                .filter_map(|(k, v)| {
                    let key = match k {
                        Y::String(s) | Y::Real(s) => s,
                        Y::Integer(i) => i.to_string(),
                        Y::Boolean(b) => b.to_string(),
                        _ => return None,
                    };
                    Some((key, yaml_to_json(v)))
                })
                .collect(),
        ),
        Y::Null | Y::BadValue | Y::Alias(_) => J::Null,
    }
}

fn validate(record: Record) -> Result<Record, ParseError> {
    if record.id.trim().is_empty() {
        return Err(ParseError::MissingId);
    }
    let invalid = |reason: String| ParseError::Invalid {
        id: record.id.clone(),
        reason,
    };
    for (i, a) in record.affected.iter().enumerate() {
        let Some(p) = &a.package else {
            // Schema allows affected entries without a package (GIT-only);
            // they can never match an installed package, so keep them.
            continue;
        };
        if p.ecosystem.trim().is_empty() || p.name.trim().is_empty() {
            return Err(invalid(format!(
                "affected[{i}].package lacks an ecosystem or name"
            )));
        }
        for (j, r) in a.ranges.iter().enumerate() {
            if !r.events.iter().any(|e| matches!(e, Event::Introduced(_))) {
                return Err(invalid(format!(
                    "affected[{i}].ranges[{j}] has no introduced event"
                )));
            }
            if r.events.iter().any(|e| match e {
                Event::Introduced(s)
                | Event::Fixed(s)
                | Event::LastAffected(s)
                | Event::Limit(s) => s.trim().is_empty(),
            }) {
                return Err(invalid(format!(
                    "affected[{i}].ranges[{j}] has an empty event version"
                )));
            }
        }
    }
    Ok(record)
}

impl Record {
    /// Every CVE id this record names: in its id (Alpine's
    /// `ALPINE-v3.10-CVE-2019-1547`), its aliases, its upstream list and,
    /// when `include_related`, its related list (AlmaLinux puts its CVEs there).
    pub fn cve_ids(&self, include_related: bool) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut push = |s: &str| {
            if let Some(c) = extract_cve(s)
                && !out.contains(&c)
            {
                out.push(c);
            }
        };
        push(&self.id);
        for a in &self.aliases {
            push(a);
        }
        for a in &self.upstream {
            push(a);
        }
        if include_related {
            for a in &self.related {
                push(a);
            }
        }
        out
    }
}

/// The `CVE-YYYY-NNNN…` inside `s`, if any.
pub fn extract_cve(s: &str) -> Option<String> {
    let start = s.find("CVE-")?;
    let rest = s.get(start + 4..)?;
    let bytes = rest.as_bytes();
    let year_ok = bytes.len() > 5
        && bytes.iter().take(4).all(u8::is_ascii_digit)
        && bytes.get(4) == Some(&b'-');
    if !year_ok {
        return None;
    }
    let digits = bytes
        .iter()
        .skip(5)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits < 4 {
        return None;
    }
    s.get(start..start + 4 + 5 + digits).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DSA: &str = include_str!("../fixtures/debian-sample.json");

    #[test]
    fn parses_a_debian_record() {
        let r = parse_json(DSA.as_bytes()).unwrap();
        assert_eq!(r.id, "DSA-9001-1");
        assert_eq!(r.affected.len(), 2);
        assert_eq!(
            r.affected[1].ranges[0].events,
            vec![
                Event::Introduced("0".into()),
                Event::Fixed("1.1.1k-1+deb11u2".into())
            ]
        );
        assert_eq!(r.cve_ids(false), vec!["CVE-2099-0001", "CVE-2099-0002"]);
    }

    #[test]
    fn unknown_fields_are_ignored_and_bad_shapes_refused() {
        let ok = br#"{"id":"X-1","modified":"2020-01-01T00:00:00Z","new_field":{"a":1},
            "affected":[{"package":{"ecosystem":"PyPI","name":"a"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1"}]}]}]}"#;
        assert!(parse_json(ok).is_ok());
        let bad_range = br#"{"id":"X-2","affected":[{"package":{"ecosystem":"PyPI","name":"a"},"ranges":[{"type":"WEIRD","events":[{"introduced":"0"}]}]}]}"#;
        assert!(parse_json(bad_range).is_err());
        let two_keys = br#"{"id":"X-3","affected":[{"package":{"ecosystem":"PyPI","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0","fixed":"1"}]}]}]}"#;
        assert!(parse_json(two_keys).is_err());
        let no_intro = br#"{"id":"X-4","affected":[{"package":{"ecosystem":"PyPI","name":"a"},"ranges":[{"type":"SEMVER","events":[{"fixed":"1"}]}]}]}"#;
        assert!(parse_json(no_intro).is_err());
        assert!(matches!(
            parse_json(br#"{"summary":"x"}"#),
            Err(ParseError::Json(_)) | Err(ParseError::MissingId)
        ));
        assert!(parse_json(b"{not json").is_err());
        let no_name = br#"{"id":"X-5","affected":[{"package":{"ecosystem":"PyPI"}}]}"#;
        assert!(parse_json(no_name).is_err());
        let huge = vec![b' '; MAX_RECORD_BYTES + 1];
        assert!(matches!(parse_json(&huge), Err(ParseError::TooLarge(_))));
    }

    #[test]
    fn yaml_keeps_versions_as_written() {
        let y = b"id: PYSEC-1\nmodified: 2021-01-01T00:00:00Z\naffected:\n- package:\n    name: Foo\n    ecosystem: PyPI\n  versions:\n  - 1.10\n  - 2.0\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: 0\n    - fixed: 1.10\n";
        let r = parse_yaml(y).unwrap();
        assert_eq!(r.affected[0].versions, vec!["1.10", "2.0"]);
        assert_eq!(
            r.affected[0].ranges[0].events[1],
            Event::Fixed("1.10".into())
        );
    }

    #[test]
    fn cve_extraction() {
        assert_eq!(
            extract_cve("ALPINE-v3.10-CVE-2019-1547").as_deref(),
            Some("CVE-2019-1547")
        );
        assert_eq!(
            extract_cve("CVE-2021-44228").as_deref(),
            Some("CVE-2021-44228")
        );
        assert_eq!(extract_cve("ALPINE-v3.10-XSA-1"), None);
        assert_eq!(extract_cve("CVE-20"), None);
        assert_eq!(extract_cve("CVE-2019-12"), None);
    }
}

//! cosign's new format: an in-toto Statement v1 in a DSSE envelope in a
//! Sigstore bundle (v0.3 JSON), and the parsers for bundles read back.
//!
//! Bundles are protobuf JSON: readers accept both the lowerCamelCase and the
//! original snake_case field names, and base64 with or without padding,
//! standard or URL-safe alphabet, as protobuf's JSON mapping does.

use crate::simple::{annotation_map, field};
use crate::{PublicKey, SigningKey};
use base64::Engine as _;
use base64::alphabet;
use base64::engine::general_purpose::STANDARD as B64;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

pub const BUNDLE_V03_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// Media types of older bundles (and of v0.3 in its older spelling).
pub const BUNDLE_MEDIA_TYPES: [&str; 4] = [
    BUNDLE_V03_MEDIA_TYPE,
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
];
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
/// predicateType of `cosign sign` statements.
pub const COSIGN_SIGN_PREDICATE: &str = "https://sigstore.dev/cosign/sign/v1";

/// Is `media_type` one of the Sigstore bundle media types?
pub fn is_bundle_media_type(media_type: &str) -> bool {
    BUNDLE_MEDIA_TYPES.contains(&media_type)
}

/// DSSE pre-authentication encoding:
/// `"DSSEv1" SP len(type) SP type SP len(body) SP body` (lengths in ASCII decimal bytes).
pub fn pae(payload_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// The in-toto statement `cosign sign` writes for `digest` ("sha256:<hex>").
/// `name` (the repository) is in-toto's optional subject name.
pub fn statement(hex: &str, name: &str, annotations: &BTreeMap<String, String>) -> Vec<u8> {
    let mut subject = Map::new();
    if !name.is_empty() {
        subject.insert("name".into(), json!(name));
    }
    subject.insert("digest".into(), json!({ "sha256": hex }));
    if !annotations.is_empty() {
        subject.insert("annotations".into(), json!(annotations));
    }
    json!({
        "_type": STATEMENT_V1,
        "subject": [Value::Object(subject)],
        "predicateType": COSIGN_SIGN_PREDICATE,
        "predicate": {},
    })
    .to_string()
    .into_bytes()
}

/// A Sigstore bundle v0.3 holding a DSSE envelope over `statement`, signed
/// by `key`, with the key's hint as verification material.
pub fn build(key: &SigningKey, statement: &[u8]) -> Vec<u8> {
    let sig = key.sign(&pae(IN_TOTO_PAYLOAD_TYPE, statement));
    json!({
        "mediaType": BUNDLE_V03_MEDIA_TYPE,
        "verificationMaterial": {"publicKey": {"hint": key.public_key().hint()}},
        "dsseEnvelope": {
            "payload": B64.encode(statement),
            "payloadType": IN_TOTO_PAYLOAD_TYPE,
            "signatures": [{"sig": B64.encode(sig), "keyid": ""}],
        },
    })
    .to_string()
    .into_bytes()
}

/// What a bundle carries.
#[derive(Clone, Debug, PartialEq)]
pub enum Content {
    Dsse {
        payload_type: String,
        payload: Vec<u8>,
        /// Each signature's raw (DER) bytes.
        signatures: Vec<Vec<u8>>,
    },
    MessageSignature {
        /// e.g. "SHA2_256".
        algorithm: String,
        digest: Vec<u8>,
        signature: Vec<u8>,
    },
}

/// A parsed bundle.
#[derive(Clone, Debug, PartialEq)]
pub struct Bundle {
    pub media_type: String,
    /// verificationMaterial.publicKey.hint.
    pub key_hint: Option<String>,
    pub content: Content,
}

/// protobuf JSON field: lowerCamelCase name or the original snake_case one.
fn pfield<'a>(obj: &'a Map<String, Value>, camel: &str, snake: &str) -> Option<&'a Value> {
    obj.get(camel).or_else(|| obj.get(snake))
}

fn pobject<'a>(v: Option<&'a Value>, what: &str) -> Result<Option<&'a Map<String, Value>>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(format!("{what} is not a JSON object")),
    }
}

/// protobuf JSON bytes: standard or URL-safe base64, padding optional.
pub(crate) fn decode_b64(s: &str) -> Option<Vec<u8>> {
    let cfg = GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    GeneralPurpose::new(&alphabet::STANDARD, cfg)
        .decode(s)
        .or_else(|_| GeneralPurpose::new(&alphabet::URL_SAFE, cfg).decode(s))
        .ok()
}

fn bytes_field(
    obj: &Map<String, Value>,
    camel: &str,
    snake: &str,
    what: &str,
) -> Result<Vec<u8>, String> {
    match pfield(obj, camel, snake) {
        Some(Value::String(s)) => {
            decode_b64(s).ok_or_else(|| format!("{what} is not valid base64"))
        }
        Some(_) => Err(format!("{what} is not a string")),
        None => Err(format!("{what} is missing")),
    }
}

/// Parse a bundle (any of [`BUNDLE_MEDIA_TYPES`]) with a DSSE envelope or a
/// message signature. The error says what is wrong (for a Failed reason).
pub fn parse(bytes: &[u8]) -> Result<Bundle, String> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("bundle is not valid JSON ({e})"))?;
    let Value::Object(root) = &value else {
        return Err("bundle is not a JSON object".into());
    };
    let media_type = match pfield(root, "mediaType", "media_type") {
        Some(Value::String(m)) if is_bundle_media_type(m) => m.clone(),
        Some(Value::String(m)) => {
            return Err(format!(
                "bundle media type {:?} is not a Sigstore bundle type",
                m.chars().take(80).collect::<String>()
            ));
        }
        _ => return Err("bundle has no mediaType".into()),
    };
    let vm = pobject(
        pfield(root, "verificationMaterial", "verification_material"),
        "verificationMaterial",
    )?;
    let key_hint = vm
        .and_then(|vm| pfield(vm, "publicKey", "public_key"))
        .and_then(Value::as_object)
        .and_then(|pk| pk.get("hint"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let dsse = pobject(
        pfield(root, "dsseEnvelope", "dsse_envelope"),
        "dsseEnvelope",
    )?;
    let msg = pobject(
        pfield(root, "messageSignature", "message_signature"),
        "messageSignature",
    )?;
    let content = match (dsse, msg) {
        (Some(_), Some(_)) => {
            return Err("bundle has both a DSSE envelope and a message signature".into());
        }
        (None, None) => {
            return Err("bundle has no DSSE envelope and no message signature".into());
        }
        (Some(env), None) => {
            let payload_type = match pfield(env, "payloadType", "payload_type") {
                Some(Value::String(t)) => t.clone(),
                _ => return Err("DSSE envelope has no payloadType".into()),
            };
            let payload = bytes_field(env, "payload", "payload", "DSSE payload")?;
            let sigs = match env.get("signatures") {
                Some(Value::Array(a)) => a,
                _ => return Err("DSSE envelope has no signatures array".into()),
            };
            let mut signatures = Vec::with_capacity(sigs.len());
            for (i, s) in sigs.iter().enumerate() {
                let Value::Object(s) = s else {
                    return Err(format!("DSSE signature {} is not a JSON object", i + 1));
                };
                signatures.push(bytes_field(
                    s,
                    "sig",
                    "sig",
                    &format!("DSSE signature {}", i + 1),
                )?);
            }
            if signatures.is_empty() {
                return Err("DSSE envelope has no signatures".into());
            }
            Content::Dsse {
                payload_type,
                payload,
                signatures,
            }
        }
        (None, Some(m)) => {
            let md = pobject(
                pfield(m, "messageDigest", "message_digest"),
                "messageDigest",
            )?
            .ok_or("message signature has no messageDigest")?;
            let algorithm = match md.get("algorithm") {
                Some(Value::String(a)) => a.clone(),
                _ => return Err("messageDigest has no algorithm".into()),
            };
            let digest = bytes_field(md, "digest", "digest", "messageDigest digest")?;
            let signature = bytes_field(m, "signature", "signature", "message signature")?;
            Content::MessageSignature {
                algorithm,
                digest,
                signature,
            }
        }
    };
    Ok(Bundle {
        media_type,
        key_hint,
        content,
    })
}

/// One subject of an in-toto statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Subject {
    pub name: Option<String>,
    /// digest.sha256 (lowercase hex as written).
    pub sha256: Option<String>,
    pub annotations: BTreeMap<String, String>,
}

/// A parsed in-toto statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub subjects: Vec<Subject>,
    pub predicate_type: String,
    pub value: Value,
}

/// Parse an in-toto Statement (v1, or v0.1 as older tools wrote).
pub fn parse_statement(bytes: &[u8]) -> Result<Statement, String> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| format!("in-toto statement is not valid JSON ({e})"))?;
    let Value::Object(root) = &value else {
        return Err("in-toto statement is not a JSON object".into());
    };
    match root.get("_type") {
        Some(Value::String(t)) if t == STATEMENT_V1 || t == STATEMENT_V01 => {}
        Some(Value::String(t)) => {
            return Err(format!(
                "statement _type {:?} is not an in-toto Statement",
                t.chars().take(80).collect::<String>()
            ));
        }
        _ => return Err("in-toto statement has no _type".into()),
    }
    let predicate_type = match field(root, "predicateType") {
        Some(Value::String(p)) => p.clone(),
        _ => return Err("in-toto statement has no predicateType".into()),
    };
    let Some(Value::Array(subj)) = root.get("subject") else {
        return Err("in-toto statement has no subject list".into());
    };
    let mut subjects = Vec::with_capacity(subj.len());
    for (i, s) in subj.iter().enumerate() {
        let Value::Object(s) = s else {
            return Err(format!("statement subject {} is not a JSON object", i + 1));
        };
        let sha256 = s
            .get("digest")
            .and_then(Value::as_object)
            .and_then(|d| d.get("sha256"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let annotations = annotation_map(s.get("annotations"))
            .map_err(|e| format!("statement subject {}: {e}", i + 1))?;
        subjects.push(Subject {
            name: s.get("name").and_then(Value::as_str).map(str::to_string),
            sha256,
            annotations,
        });
    }
    Ok(Statement {
        subjects,
        predicate_type,
        value,
    })
}

/// Does any signature of a DSSE envelope verify with `key`?
pub fn dsse_verifies(
    key: &PublicKey,
    payload_type: &str,
    payload: &[u8],
    signatures: &[Vec<u8>],
) -> bool {
    let msg = pae(payload_type, payload);
    signatures.iter().any(|s| key.verify(&msg, s).is_ok())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const HEX: &str = "0000000000000000000000000000000000000000000000000000000000000001";

    #[test]
    fn pae_matches_the_dsse_spec_example() {
        // DSSE protocol.md test vector.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn build_then_parse_round_trips() {
        let key = SigningKey::generate();
        let mut a = BTreeMap::new();
        a.insert("env".to_string(), "prod".to_string());
        let st = statement(HEX, "reg.example/app", &a);
        let b = parse(&build(&key, &st)).unwrap();
        assert_eq!(b.media_type, BUNDLE_V03_MEDIA_TYPE);
        assert_eq!(b.key_hint, Some(key.public_key().hint()));
        let Content::Dsse {
            payload_type,
            payload,
            signatures,
        } = &b.content
        else {
            panic!("not DSSE");
        };
        assert_eq!(payload, &st);
        assert!(dsse_verifies(
            &key.public_key(),
            payload_type,
            payload,
            signatures
        ));
        let s = parse_statement(payload).unwrap();
        assert_eq!(s.predicate_type, COSIGN_SIGN_PREDICATE);
        assert_eq!(s.subjects[0].sha256.as_deref(), Some(HEX));
        assert_eq!(s.subjects[0].annotations, a);
        assert!(!dsse_verifies(
            &SigningKey::generate().public_key(),
            payload_type,
            payload,
            signatures
        ));
    }

    #[test]
    fn parse_accepts_snake_case_and_unpadded_base64() {
        let doc = r#"{"media_type":"application/vnd.dev.sigstore.bundle+json;version=0.1",
            "dsse_envelope":{"payload":"e30","payload_type":"t","signatures":[{"sig":"AQ"}]}}"#;
        let b = parse(doc.as_bytes()).unwrap();
        assert_eq!(
            b.content,
            Content::Dsse {
                payload_type: "t".into(),
                payload: b"{}".to_vec(),
                signatures: vec![vec![1]]
            }
        );
    }

    #[test]
    fn parse_rejects_malformed_bundles() {
        let cases: &[(&str, &str)] = &[
            ("{", "not valid JSON"),
            ("[]", "not a JSON object"),
            (
                r#"{"mediaType":"text/plain"}"#,
                "not a Sigstore bundle type",
            ),
            (
                r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}"#,
                "no DSSE envelope",
            ),
            (
                r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","dsseEnvelope":{"payloadType":"t","payload":"!!","signatures":[]}}"#,
                "not valid base64",
            ),
            (
                r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","dsseEnvelope":{"payloadType":"t","payload":"","signatures":[]}}"#,
                "no signatures",
            ),
            (
                r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","messageSignature":{"signature":"AA=="}}"#,
                "no messageDigest",
            ),
        ];
        for (doc, want) in cases {
            let e = parse(doc.as_bytes()).unwrap_err();
            assert!(e.contains(want), "{doc}: {e}");
        }
        assert!(parse_statement(br#"{"_type":"x","predicateType":"p","subject":[]}"#).is_err());
        assert!(
            parse_statement(br#"{"_type":"https://in-toto.io/Statement/v1","subject":[]}"#)
                .is_err()
        );
        assert!(
            parse_statement(
                br#"{"_type":"https://in-toto.io/Statement/v1","predicateType":"p","subject":[1]}"#
            )
            .is_err()
        );
    }
}

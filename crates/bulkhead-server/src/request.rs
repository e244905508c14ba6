//! Harbor's scan request (`ScanRequest` of the Pluggable Scanner API v1.2),
//! parsed and validated: the one parser of untrusted input on the HTTP
//! side (fuzz target `server_scan_request`).
//!
//! Errors follow the spec's status codes: invalid JSON or a value of the
//! wrong type is 400 ([`RequestError::Syntax`]), a missing or invalid field
//! is 422 ([`RequestError::Invalid`]), an artifact or capability the scanner
//! cannot handle is 501 ([`RequestError::Unsupported`]). No message repeats
//! a value from the request (the credential could be anywhere in a body
//! that does not parse), only field names and positions.

use crate::backend::{Authorization, Capabilities, ScanSubmission};
use base64::Engine as _;
use bulkhead_image::Reference;
use bulkhead_report::harbor::{
    SBOM_REPORT, SbomMediaType, VULN_REPORT, VULN_REPORT_HARBOR, VULN_REPORT_RAW,
};
use serde::Deserialize;
use zeroize::Zeroizing;

/// Manifest media types the scanner reads (`consumes_mime_types`).
pub const CONSUMES: [&str; 2] = [
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

/// Report media types of the vulnerability capability.
pub const VULN_PRODUCES: [&str; 3] = [VULN_REPORT, VULN_REPORT_HARBOR, VULN_REPORT_RAW];

/// Longest accepted values (far above real ones; they bound what a job
/// carries).
const MAX_URL: usize = 2048;
const MAX_REPOSITORY: usize = 255;
const MAX_TAG: usize = 128;
const MAX_AUTHORIZATION: usize = 16 * 1024;
const MAX_CAPABILITIES: usize = 16;
const MAX_MIME_LIST: usize = 32;

/// Why a scan request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// 400: not JSON, or a value of the wrong type.
    #[error("{0}")]
    Syntax(String),
    /// 422: a required field is missing or a value is not valid.
    #[error("{0}")]
    Invalid(String),
    /// 501: the scanner cannot handle this artifact or capability.
    #[error("{0}")]
    Unsupported(String),
}

#[derive(Deserialize)]
struct RawRequest {
    registry: Option<RawRegistry>,
    artifact: Option<RawArtifact>,
    enabled_capabilities: Option<Vec<RawCapability>>,
}

#[derive(Deserialize)]
struct RawRegistry {
    url: Option<String>,
    /// Moved into a `Zeroizing` as soon as it is read.
    authorization: Option<String>,
}

#[derive(Deserialize)]
struct RawArtifact {
    repository: Option<String>,
    digest: Option<String>,
    tag: Option<String>,
    mime_type: Option<String>,
}

#[derive(Deserialize)]
struct RawCapability {
    #[serde(rename = "type")]
    kind: Option<String>,
    produces_mime_types: Option<Vec<String>>,
    parameters: Option<RawParameters>,
}

#[derive(Deserialize)]
struct RawParameters {
    sbom_media_types: Option<Vec<String>>,
}

fn syntax(e: &serde_json::Error) -> RequestError {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Data => "a JSON value has the wrong type",
        Category::Eof => "the JSON document ends early",
        Category::Syntax | Category::Io => "the body is not valid JSON",
    };
    RequestError::Syntax(format!(
        "{what} (line {}, column {}): send a ScanRequest document as the spec defines it",
        e.line(),
        e.column()
    ))
}

fn invalid(msg: impl Into<String>) -> RequestError {
    RequestError::Invalid(msg.into())
}

/// Split `http[s]://host[:port][/]` into host and whether it is plain HTTP.
fn registry_host(url: &str) -> Result<(String, bool), RequestError> {
    if url.len() > MAX_URL {
        return Err(invalid("registry.url is too long"));
    }
    let (rest, plain) = if let Some(r) = url.strip_prefix("https://") {
        (r, false)
    } else if let Some(r) = url.strip_prefix("http://") {
        (r, true)
    } else {
        return Err(invalid(
            "registry.url must start with https:// or http:// (the registry's base URL)",
        ));
    };
    let host = rest.strip_suffix('/').unwrap_or(rest);
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':');
    if host.is_empty() || !host.chars().all(ok_char) {
        return Err(invalid(
            "registry.url must be a base URL: scheme, host and optional port, no path or credentials",
        ));
    }
    // A bare host name (a Kubernetes service such as `harbor-core`) gets its
    // scheme's port, so no image reference mistakes it for a repository.
    let host = if host.contains(['.', ':']) || host == "localhost" {
        host.to_string()
    } else {
        format!("{host}:{}", if plain { 80 } else { 443 })
    };
    Ok((host, plain))
}

fn valid_digest(d: &str) -> bool {
    let hex_of = |h: &str, n: usize| {
        h.len() == n
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    match d.split_once(':') {
        Some(("sha256", h)) => hex_of(h, 64),
        _ => false,
    }
}

fn valid_tag(t: &str) -> bool {
    let mut chars = t.chars();
    t.len() <= MAX_TAG
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// `Basic base64(user:password)`, one line: anything else is refused before
/// it could reach a registry.
fn authorization(raw: Option<Zeroizing<String>>) -> Result<Option<Authorization>, RequestError> {
    let Some(raw) = raw else { return Ok(None) };
    let value = raw.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.len() > MAX_AUTHORIZATION {
        return Err(invalid("registry.authorization is too long"));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(invalid(
            "registry.authorization holds control characters: send one header value",
        ));
    }
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(rest.trim())
                .map_err(|_| {
                    invalid("registry.authorization: the Basic credentials are not base64")
                })?,
        );
        let text = std::str::from_utf8(&decoded)
            .map_err(|_| invalid("registry.authorization: the Basic credentials are not UTF-8"))?;
        if !text.contains(':') {
            return Err(invalid(
                "registry.authorization: the Basic credentials are not user:password",
            ));
        }
    } else if scheme.eq_ignore_ascii_case("bearer") {
        // Harbor hands adapters a robot account as Basic credentials; the
        // registry client exchanges them for tokens itself.
        return Err(RequestError::Unsupported(
            "registry.authorization: Bearer tokens are not supported; pass Basic robot-account credentials (Harbor does)".into(),
        ));
    } else {
        return Err(invalid(
            "registry.authorization must be a Basic or Bearer header value",
        ));
    }
    Ok(Some(Authorization::new(value.to_string())))
}

/// The user name and password of a Basic authorization [`parse_scan_request`]
/// accepted.
pub fn basic_credential(auth: &Authorization) -> Option<bulkhead_image::registry::Credential> {
    let (scheme, rest) = auth.expose().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(rest.trim())
            .ok()?,
    );
    let text = std::str::from_utf8(&decoded).ok()?;
    let (username, password) = text.split_once(':')?;
    Some(bulkhead_image::registry::Credential {
        username: username.to_string(),
        password: password.to_string(),
    })
}

fn capabilities(raw: Option<Vec<RawCapability>>) -> Result<Capabilities, RequestError> {
    let Some(list) = raw else {
        return Ok(Capabilities::default());
    };
    if list.len() > MAX_CAPABILITIES {
        return Err(invalid("enabled_capabilities has too many entries"));
    }
    let mut caps = Capabilities {
        vulnerability: false,
        sbom: false,
        sbom_media_types: Vec::new(),
    };
    for (i, c) in list.into_iter().enumerate() {
        let produces = c.produces_mime_types.unwrap_or_default();
        if produces.len() > MAX_MIME_LIST {
            return Err(invalid(format!(
                "enabled_capabilities[{i}].produces_mime_types has too many entries"
            )));
        }
        match c.kind.as_deref() {
            Some("vulnerability") => {
                if produces
                    .iter()
                    .any(|p| !VULN_PRODUCES.contains(&p.as_str()))
                {
                    return Err(RequestError::Unsupported(format!(
                        "enabled_capabilities[{i}]: the vulnerability capability produces {}",
                        VULN_PRODUCES.join(", ")
                    )));
                }
                caps.vulnerability = true;
            }
            Some("sbom") => {
                if produces.iter().any(|p| p != SBOM_REPORT) {
                    return Err(RequestError::Unsupported(format!(
                        "enabled_capabilities[{i}]: the sbom capability produces {SBOM_REPORT}"
                    )));
                }
                let types = c
                    .parameters
                    .and_then(|p| p.sbom_media_types)
                    .unwrap_or_default();
                if types.len() > MAX_MIME_LIST {
                    return Err(invalid(format!(
                        "enabled_capabilities[{i}].parameters.sbom_media_types has too many entries"
                    )));
                }
                for t in &types {
                    let m = SbomMediaType::parse(t).ok_or_else(|| {
                        invalid(format!(
                            "enabled_capabilities[{i}].parameters.sbom_media_types: use application/spdx+json or application/vnd.cyclonedx+json"
                        ))
                    })?;
                    if !caps.sbom_media_types.contains(&m) {
                        caps.sbom_media_types.push(m);
                    }
                }
                caps.sbom = true;
            }
            Some(_) => {
                return Err(invalid(format!(
                    "enabled_capabilities[{i}].type must be vulnerability or sbom"
                )));
            }
            None => {
                return Err(invalid(format!(
                    "enabled_capabilities[{i}].type is required"
                )));
            }
        }
    }
    if !caps.vulnerability && !caps.sbom {
        return Err(invalid(
            "enabled_capabilities is empty: enable vulnerability, sbom or both (or leave it out for both)",
        ));
    }
    Ok(caps)
}

/// Parse and validate a scan request body.
pub fn parse_scan_request(body: &[u8]) -> Result<ScanSubmission, RequestError> {
    let raw: RawRequest = serde_json::from_slice(body).map_err(|e| syntax(&e))?;
    let registry = raw
        .registry
        .ok_or_else(|| invalid("registry is required"))?;
    let artifact = raw
        .artifact
        .ok_or_else(|| invalid("artifact is required"))?;
    let url = registry
        .url
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| invalid("registry.url is required"))?;
    let url = url.trim().to_string();
    let (registry_host, plain_http) = registry_host(&url)?;
    let authorization = authorization(registry.authorization.map(Zeroizing::new))?;
    let repository = artifact
        .repository
        .filter(|r| !r.is_empty())
        .ok_or_else(|| invalid("artifact.repository is required"))?;
    if repository.len() > MAX_REPOSITORY {
        return Err(invalid("artifact.repository is too long"));
    }
    let digest = artifact
        .digest
        .filter(|d| !d.is_empty())
        .ok_or_else(|| invalid("artifact.digest is required"))?;
    if !valid_digest(&digest) {
        return Err(invalid(
            "artifact.digest must be sha256: and 64 lowercase hex digits",
        ));
    }
    let tag = artifact.tag.unwrap_or_default();
    if !tag.is_empty() && !valid_tag(&tag) {
        return Err(invalid(
            "artifact.tag is not a valid tag (letters, digits, _ . -, at most 128)",
        ));
    }
    let mime_type = artifact.mime_type.unwrap_or_default();
    if !mime_type.is_empty() && !CONSUMES.contains(&mime_type.as_str()) {
        return Err(RequestError::Unsupported(format!(
            "artifact.mime_type: the scanner reads {} manifests",
            CONSUMES.join(" and ")
        )));
    }
    let capabilities = capabilities(raw.enabled_capabilities)?;
    let submission = ScanSubmission {
        registry_url: url,
        registry_host,
        plain_http,
        authorization,
        repository,
        digest,
        tag,
        mime_type,
        capabilities,
    };
    // The reference the scan will pull must parse back to the same parts
    // (the repository grammar is the image crate's).
    let reference = submission.reference();
    match Reference::parse(&reference) {
        Ok(r)
            if r.registry == submission.registry_host
                && r.repository == submission.repository
                && r.digest.as_deref() == Some(submission.digest.as_str()) => {}
        _ => {
            return Err(invalid(
                "artifact.repository is not a valid repository name on registry.url's host (lowercase letters, digits, separators . _ - and /)",
            ));
        }
    }
    Ok(submission)
}

/// Fuzz entry (`server_scan_request`): the scan request parser on any
/// bytes, and the `Accept` and `Content-Type` matching on them as text. An
/// accepted request must give an image reference that parses back to it,
/// and print no credential in `Debug`.
#[doc(hidden)]
pub fn fuzz_exercise(data: &[u8]) {
    if let Ok(s) = parse_scan_request(data) {
        let r = Reference::parse(&s.reference());
        assert!(r.is_ok(), "an accepted request gives a valid reference");
        if let Some(a) = &s.authorization {
            let shown = format!("{s:?}");
            assert!(
                a.expose().len() < 8 || !shown.contains(a.expose()),
                "Debug shows the credential"
            );
            let _ = basic_credential(a);
        }
    }
    let text = String::from_utf8_lossy(data);
    let _ = crate::media::negotiate_report(Some(&text));
    let _ = crate::media::metadata_type(Some(&text));
    let _ = crate::media::scan_request_type_ok(Some(&text));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn digest() -> String {
        format!("sha256:{}", "ab".repeat(32))
    }

    fn body(v: serde_json::Value) -> Vec<u8> {
        serde_json::to_vec(&v).unwrap()
    }

    fn good() -> serde_json::Value {
        json!({
            "registry": {"url": "http://127.0.0.1:5000", "authorization": "Basic dXNlcjpwYXNz"},
            "artifact": {"repository": "library/app", "digest": digest(), "tag": "1.0",
                         "mime_type": "application/vnd.oci.image.manifest.v1+json"},
            "enabled_capabilities": [
                {"type": "vulnerability", "produces_mime_types": [VULN_REPORT]},
                {"type": "sbom", "produces_mime_types": [SBOM_REPORT],
                 "parameters": {"sbom_media_types": ["application/spdx+json"]}}
            ]
        })
    }

    #[test]
    fn a_full_request() {
        let s = parse_scan_request(&body(good())).unwrap();
        assert_eq!(s.registry_host, "127.0.0.1:5000");
        assert!(s.plain_http);
        let auth = s.authorization.unwrap();
        assert_eq!(auth.expose(), "Basic dXNlcjpwYXNz");
        let c = basic_credential(&auth).unwrap();
        assert_eq!((c.username.as_str(), c.password.as_str()), ("user", "pass"));
        assert_eq!(s.repository, "library/app");
        assert_eq!(s.tag, "1.0");
        assert!(s.capabilities.vulnerability && s.capabilities.sbom);
        assert_eq!(s.capabilities.sbom_media_types, vec![SbomMediaType::Spdx]);
    }

    #[test]
    fn minimal_request_enables_everything() {
        let s = parse_scan_request(&body(json!({
            "registry": {"url": "https://core.harbor.domain/"},
            "artifact": {"repository": "a", "digest": digest()},
            "enabled_capabilities": null
        })))
        .unwrap();
        assert_eq!(s.registry_host, "core.harbor.domain");
        let mut g = good();
        g["registry"]["url"] = json!("http://harbor-core");
        assert_eq!(
            parse_scan_request(&body(g)).unwrap().reference(),
            format!("harbor-core:80/library/app@{}", digest())
        );
        assert!(!s.plain_http);
        assert!(s.authorization.is_none());
        assert_eq!(s.capabilities, Capabilities::default());
        // Parameters may be null (spec 1.2).
        let mut g = good();
        g["enabled_capabilities"][1]["parameters"] = serde_json::Value::Null;
        assert!(parse_scan_request(&body(g)).unwrap().capabilities.sbom);
    }

    fn err(v: serde_json::Value) -> RequestError {
        parse_scan_request(&body(v)).unwrap_err()
    }

    #[test]
    fn syntax_errors_are_400_and_echo_nothing() {
        for raw in [
            &b""[..],
            b"{",
            b"[]",
            b"null",
            b"{\"registry\": \"Basic c2VjcmV0\"}",
            b"{\"registry\": {\"authorization\": 5}}",
            b"\xff\xfe",
        ] {
            let e = parse_scan_request(raw).unwrap_err();
            assert!(matches!(e, RequestError::Syntax(_)), "{e:?}");
            assert!(!e.to_string().contains("c2VjcmV0"), "{e}");
        }
    }

    #[test]
    fn invalid_fields_are_422() {
        let cases: Vec<(&str, serde_json::Value)> = vec![
            ("/registry", serde_json::Value::Null),
            ("/artifact", serde_json::Value::Null),
            ("/registry/url", json!("ftp://x")),
            ("/registry/url", json!("http://user:pw@host")),
            ("/registry/url", json!("http://host/path")),
            ("/registry/url", json!("")),
            ("/registry/authorization", json!("Digest abc")),
            ("/registry/authorization", json!("Basic !!!")),
            ("/registry/authorization", json!("Basic dXNlcg==")),
            (
                "/registry/authorization",
                json!("Basic dXNlcjpw\r\nX-Evil: 1"),
            ),
            ("/artifact/repository", json!("")),
            ("/artifact/repository", json!("UPPER/case")),
            ("/artifact/repository", json!("a/../b")),
            ("/artifact/digest", json!("sha256:abc")),
            ("/artifact/digest", json!(format!("md5:{}", "a".repeat(32)))),
            ("/artifact/tag", json!("-bad")),
            ("/artifact/tag", json!("x".repeat(200))),
            ("/enabled_capabilities", json!([])),
            ("/enabled_capabilities", json!([{"type": "malware"}])),
            ("/enabled_capabilities", json!([{}])),
            (
                "/enabled_capabilities",
                json!([{"type": "sbom", "parameters": {"sbom_media_types": ["text/plain"]}}]),
            ),
        ];
        for (ptr, value) in cases {
            let mut g = good();
            *g.pointer_mut(ptr).unwrap() = value.clone();
            let e = err(g);
            assert!(
                matches!(e, RequestError::Invalid(_)),
                "{ptr}={value}: {e:?}"
            );
        }
    }

    #[test]
    fn unsupported_is_501() {
        let mut g = good();
        g["artifact"]["mime_type"] = json!("application/vnd.oci.image.index.v1+json");
        assert!(matches!(err(g), RequestError::Unsupported(_)));
        let mut g = good();
        g["enabled_capabilities"][0]["produces_mime_types"] = json!(["text/html"]);
        assert!(matches!(err(g), RequestError::Unsupported(_)));
        let mut g = good();
        g["registry"]["authorization"] = json!("Bearer eyJhbGciOi");
        assert!(matches!(err(g), RequestError::Unsupported(_)));
    }

    #[test]
    fn hostile_bodies() {
        // Deep nesting: serde_json's recursion limit refuses it.
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(
            parse_scan_request(deep.as_bytes()),
            Err(RequestError::Syntax(_))
        ));
        // Huge values are refused by length, not carried.
        let mut g = good();
        g["registry"]["authorization"] = json!(format!("Bearer {}", "a".repeat(100_000)));
        assert!(matches!(err(g), RequestError::Invalid(_)));
        let mut g = good();
        g["artifact"]["repository"] = json!("a".repeat(10_000));
        assert!(matches!(err(g), RequestError::Invalid(_)));
        let mut g = good();
        g["enabled_capabilities"] = json!(vec![json!({"type": "sbom"}); 1000]);
        assert!(matches!(err(g), RequestError::Invalid(_)));
        // Truncated at every byte: an error, never a panic.
        let full = body(good());
        for n in 0..full.len() {
            assert!(parse_scan_request(&full[..n]).is_err());
        }
    }
}

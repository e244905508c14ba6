//! Finding and checking signatures: legacy `.sig` layers and bundle
//! referrers (referrers API, else the fallback tag index).
//!
//! Hostile or garbled registry content yields a `Failed` entry with a reason;
//! only the top-level look-ups (the referrers API, the fallback tag, the
//! `.sig` tag) return `Err`, for store/transport failures. Fetching an
//! individual referrer manifest or blob that fails (missing, too large,
//! digest mismatch reported by the store) is a `Failed` entry too, so one
//! broken signature never hides the others.

use crate::bundle::{self, COSIGN_SIGN_PREDICATE, Content, IN_TOTO_PAYLOAD_TYPE};
use crate::manifest::*;
use crate::simple;
use crate::{
    Claims, FoundSignature, MAX_MANIFEST_BYTES, MAX_PAYLOAD_BYTES, MAX_SIGNATURES, PublicKey,
    SignError, SignatureFormat, Status, Store, digest_hex, fallback_tag, legacy_tag, sha256_digest,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use std::collections::BTreeSet;

/// Find every signature of `digest` in both formats and check each against
/// `keys` (empty: list only, status Unchecked, but a digest-binding mismatch
/// is still Failed). Bundles come first (cosign ≥ 3 looks there first), then
/// legacy layers in manifest order.
pub fn discover(
    store: &dyn Store,
    digest: &str,
    keys: &[PublicKey],
) -> Result<Vec<FoundSignature>, SignError> {
    let hex = digest_hex(digest)?;
    let mut found = Vec::new();
    discover_bundles(store, digest, hex, keys, &mut found)?;
    discover_legacy(store, digest, keys, &mut found)?;
    Ok(found)
}

fn failed(format: SignatureFormat, location: String, reason: impl Into<String>) -> FoundSignature {
    FoundSignature {
        format,
        location,
        key_hint: None,
        claims: None,
        status: Status::Failed {
            reason: reason.into(),
        },
    }
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(100).collect();
    if s.chars().count() > 100 {
        out.push('…');
    }
    out
}

/// The entry that ends a format's list at [`MAX_SIGNATURES`].
fn cut_off(format: SignatureFormat, location: String) -> FoundSignature {
    failed(
        format,
        location,
        format!(
            "more than {MAX_SIGNATURES} signatures: the rest were not checked (a registry listing this many is suspect)"
        ),
    )
}

fn key_list(keys: &[PublicKey]) -> String {
    keys.iter()
        .map(PublicKey::fingerprint)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Status after the digest binding held: which key (if any) verifies.
fn key_status(keys: &[PublicKey], verifies: impl Fn(&PublicKey) -> bool) -> Status {
    if keys.is_empty() {
        return Status::Unchecked;
    }
    match keys.iter().find(|k| verifies(k)) {
        Some(k) => Status::Verified {
            key: k.fingerprint(),
        },
        None => Status::Failed {
            reason: format!(
                "signature does not verify with any given key (keys: {})",
                key_list(keys)
            ),
        },
    }
}

/// Fetch a blob named by an untrusted descriptor, checking size and digest.
fn fetch_blob(store: &dyn Store, desc: &RawDescriptor, what: &str) -> Result<Vec<u8>, String> {
    let digest = desc
        .digest
        .as_deref()
        .ok_or_else(|| format!("{what} descriptor has no digest"))?;
    if digest_hex(digest).is_err() {
        return Err(format!(
            "{what} descriptor has an invalid digest {:?}",
            short(digest)
        ));
    }
    if let Some(size) = desc.size
        && size > MAX_PAYLOAD_BYTES
    {
        return Err(format!(
            "{what} is {size} bytes, over the {MAX_PAYLOAD_BYTES}-byte limit"
        ));
    }
    let bytes = store
        .blob(digest, MAX_PAYLOAD_BYTES)
        .map_err(|e| format!("could not fetch the {what} {digest}: {e}"))?;
    let actual = sha256_digest(&bytes);
    if actual != digest {
        return Err(format!(
            "{what} blob digest mismatch: the descriptor says {digest} but the blob is {actual}"
        ));
    }
    if let Some(size) = desc.size
        && size != bytes.len() as u64
    {
        return Err(format!(
            "{what} size mismatch: the descriptor says {size} bytes but the blob has {}",
            bytes.len()
        ));
    }
    Ok(bytes)
}

fn discover_legacy(
    store: &dyn Store,
    digest: &str,
    keys: &[PublicKey],
    found: &mut Vec<FoundSignature>,
) -> Result<(), SignError> {
    let tag = legacy_tag(digest)?;
    let Some(fetched) = store.manifest(&tag)? else {
        return Ok(());
    };
    let at = format!("tag {tag}");
    if fetched.bytes.len() as u64 > MAX_MANIFEST_BYTES {
        found.push(failed(
            SignatureFormat::Legacy,
            at,
            format!(
                "signature manifest is {} bytes, over the {MAX_MANIFEST_BYTES}-byte limit",
                fetched.bytes.len()
            ),
        ));
        return Ok(());
    }
    let manifest: RawManifest = match serde_json::from_slice(&fetched.bytes) {
        Ok(m) => m,
        Err(e) => {
            found.push(failed(
                SignatureFormat::Legacy,
                at,
                format!("signature manifest is not a valid image manifest ({e})"),
            ));
            return Ok(());
        }
    };
    let mut checked = 0;
    for (i, layer) in manifest.layers.iter().enumerate() {
        if layer.media_type.as_deref() != Some(SIMPLE_SIGNING) {
            continue;
        }
        let location = format!("tag {tag}, layer {}", i + 1);
        if checked == MAX_SIGNATURES {
            found.push(cut_off(SignatureFormat::Legacy, location));
            break;
        }
        checked += 1;
        found.push(check_legacy_layer(store, digest, keys, layer, location));
    }
    Ok(())
}

fn check_legacy_layer(
    store: &dyn Store,
    digest: &str,
    keys: &[PublicKey],
    layer: &RawDescriptor,
    location: String,
) -> FoundSignature {
    let fail = |reason: String| failed(SignatureFormat::Legacy, location.clone(), reason);
    let payload = match fetch_blob(store, layer, "payload") {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let parsed = match simple::parse(&payload) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let claims = Claims {
        image_digest: parsed.digest.clone(),
        docker_reference: parsed.docker_reference.clone(),
        annotations: parsed.annotations.clone(),
        payload: parsed.value.clone(),
    };
    let with_claims = |status: Status| FoundSignature {
        format: SignatureFormat::Legacy,
        location: location.clone(),
        key_hint: None,
        claims: Some(claims.clone()),
        status,
    };
    if parsed.digest != digest {
        return with_claims(Status::Failed {
            reason: format!(
                "payload names {} but the image is {digest}",
                short(&parsed.digest)
            ),
        });
    }
    let signature = match layer.annotation(SIGNATURE_ANNOTATION) {
        None => {
            return with_claims(Status::Failed {
                reason: format!("layer has no {SIGNATURE_ANNOTATION} annotation"),
            });
        }
        Some(s) => match B64.decode(s.trim()) {
            Ok(sig) => sig,
            Err(_) => {
                return with_claims(Status::Failed {
                    reason: "signature annotation is not valid base64".into(),
                });
            }
        },
    };
    with_claims(key_status(keys, |k| k.verify(&payload, &signature).is_ok()))
}

/// Referrer descriptors of `digest`: the referrers API, else the fallback
/// index. A malformed fallback index is reported as a Failed entry.
fn referrer_descriptors(
    store: &dyn Store,
    digest: &str,
    found: &mut Vec<FoundSignature>,
) -> Result<Vec<RawDescriptor>, SignError> {
    if let Some(descs) = store.referrers(digest, None)? {
        // Re-read through JSON so both paths share the lenient descriptor type.
        return Ok(descs
            .iter()
            .filter_map(|d| serde_json::to_value(d).ok())
            .filter_map(|v| serde_json::from_value::<RawDescriptor>(v).ok())
            .collect());
    }
    let tag = fallback_tag(digest)?;
    let Some(fetched) = store.manifest(&tag)? else {
        return Ok(Vec::new());
    };
    let at = format!("fallback tag {tag}");
    if fetched.bytes.len() as u64 > MAX_MANIFEST_BYTES {
        found.push(failed(
            SignatureFormat::Bundle,
            at,
            format!(
                "referrers index is {} bytes, over the {MAX_MANIFEST_BYTES}-byte limit",
                fetched.bytes.len()
            ),
        ));
        return Ok(Vec::new());
    }
    match serde_json::from_slice::<RawIndex>(&fetched.bytes) {
        Ok(index) => Ok(index.manifests),
        Err(e) => {
            found.push(failed(
                SignatureFormat::Bundle,
                at,
                format!("referrers index is not a valid image index ({e})"),
            ));
            Ok(Vec::new())
        }
    }
}

fn is_bundle_artifact(desc: &RawDescriptor) -> bool {
    desc.artifact_type
        .as_deref()
        .is_some_and(bundle::is_bundle_media_type)
}

fn discover_bundles(
    store: &dyn Store,
    digest: &str,
    hex: &str,
    keys: &[PublicKey],
    found: &mut Vec<FoundSignature>,
) -> Result<(), SignError> {
    let mut seen = BTreeSet::new();
    let start = found.len();
    // Cut the list off at MAX_SIGNATURES entries when more would follow.
    let cut = |found: &mut Vec<FoundSignature>, at: String| {
        found.truncate(start + MAX_SIGNATURES);
        found.push(cut_off(SignatureFormat::Bundle, at));
    };
    for desc in referrer_descriptors(store, digest, found)? {
        if !is_bundle_artifact(&desc) {
            continue;
        }
        let at = desc.digest.as_deref().map_or_else(
            || "referrer (no digest)".to_string(),
            |d| format!("referrer {}", short(d)),
        );
        if let Some(d) = &desc.digest
            && !seen.insert(d.clone())
        {
            continue;
        }
        if found.len() - start >= MAX_SIGNATURES {
            cut(found, at);
            return Ok(());
        }
        let Some(rdigest) = desc.digest else {
            found.push(failed(
                SignatureFormat::Bundle,
                at,
                "referrer descriptor has no digest",
            ));
            continue;
        };
        found.extend(check_referrer(store, digest, hex, keys, &rdigest, at));
    }
    if found.len() - start > MAX_SIGNATURES {
        // The last referrer held more bundle layers than the limit.
        let at = found
            .get(start + MAX_SIGNATURES)
            .map(|f| f.location.clone())
            .unwrap_or_default();
        cut(found, at);
    }
    Ok(())
}

fn check_referrer(
    store: &dyn Store,
    digest: &str,
    hex: &str,
    keys: &[PublicKey],
    rdigest: &str,
    location: String,
) -> Vec<FoundSignature> {
    let fail = |reason: String| vec![failed(SignatureFormat::Bundle, location.clone(), reason)];
    if digest_hex(rdigest).is_err() {
        return fail("referrer descriptor has an invalid digest".into());
    }
    let fetched = match store.manifest(rdigest) {
        Ok(Some(f)) => f,
        Ok(None) => {
            return fail("referrer manifest is listed but not found in the repository".into());
        }
        Err(e) => return fail(format!("could not fetch the referrer manifest: {e}")),
    };
    if fetched.bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return fail(format!(
            "referrer manifest is {} bytes, over the {MAX_MANIFEST_BYTES}-byte limit",
            fetched.bytes.len()
        ));
    }
    let actual = sha256_digest(&fetched.bytes);
    if actual != rdigest {
        return fail(format!(
            "referrer manifest digest mismatch: listed as {rdigest} but the content is {actual}"
        ));
    }
    let manifest: RawManifest = match serde_json::from_slice(&fetched.bytes) {
        Ok(m) => m,
        Err(e) => {
            return fail(format!(
                "referrer manifest is not a valid image manifest ({e})"
            ));
        }
    };
    match manifest.subject.as_ref().and_then(|s| s.digest.as_deref()) {
        Some(s) if s == digest => {}
        Some(s) => {
            return fail(format!(
                "referrer manifest's subject is {} but the image is {digest}",
                short(s)
            ));
        }
        None => return fail("referrer manifest has no subject".into()),
    }
    let layers: Vec<(usize, &RawDescriptor)> = manifest
        .layers
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            l.media_type
                .as_deref()
                .is_some_and(bundle::is_bundle_media_type)
        })
        .collect();
    if layers.is_empty() {
        return fail("referrer manifest has no Sigstore bundle layer".into());
    }
    let many = layers.len() > 1;
    layers
        .into_iter()
        // discover_bundles cuts the list off after this many.
        .take(MAX_SIGNATURES + 1)
        .map(|(i, layer)| {
            let at = if many {
                format!("{location}, layer {}", i + 1)
            } else {
                location.clone()
            };
            check_bundle_layer(store, digest, hex, keys, layer, at)
        })
        .collect()
}

fn check_bundle_layer(
    store: &dyn Store,
    digest: &str,
    hex: &str,
    keys: &[PublicKey],
    layer: &RawDescriptor,
    location: String,
) -> FoundSignature {
    let fail = |reason: String| failed(SignatureFormat::Bundle, location.clone(), reason);
    let bytes = match fetch_blob(store, layer, "bundle") {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    let parsed = match bundle::parse(&bytes) {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    let key_hint = parsed.key_hint.clone();
    let done = |claims: Option<crate::Claims>, status: Status| FoundSignature {
        format: SignatureFormat::Bundle,
        location: location.clone(),
        key_hint: key_hint.clone(),
        claims,
        status,
    };
    match parsed.content {
        Content::Dsse {
            payload_type,
            payload,
            signatures,
        } => {
            if payload_type != IN_TOTO_PAYLOAD_TYPE {
                return done(
                    None,
                    Status::Failed {
                        reason: format!(
                            "DSSE payload type is {:?}, not {IN_TOTO_PAYLOAD_TYPE}",
                            short(&payload_type)
                        ),
                    },
                );
            }
            let statement = match bundle::parse_statement(&payload) {
                Ok(s) => s,
                Err(e) => return done(None, Status::Failed { reason: e }),
            };
            let subject = statement
                .subjects
                .iter()
                .find(|s| s.sha256.as_deref() == Some(hex));
            let first = subject.or(statement.subjects.first());
            let claims = Claims {
                image_digest: first
                    .and_then(|s| s.sha256.as_deref())
                    .map(|h| format!("sha256:{h}"))
                    .unwrap_or_default(),
                docker_reference: first.and_then(|s| s.name.clone()),
                annotations: first.map(|s| s.annotations.clone()).unwrap_or_default(),
                payload: statement.value.clone(),
            };
            if subject.is_none() {
                let named: Vec<String> = statement
                    .subjects
                    .iter()
                    .filter_map(|s| s.sha256.as_deref().map(|h| format!("sha256:{}", short(h))))
                    .collect();
                let reason = if named.is_empty() {
                    "statement has no sha256 subject".to_string()
                } else {
                    format!(
                        "statement subject names {} but the image is {digest}",
                        named.join(", ")
                    )
                };
                return done(Some(claims), Status::Failed { reason });
            }
            if statement.predicate_type != COSIGN_SIGN_PREDICATE {
                return done(
                    Some(claims),
                    Status::Failed {
                        reason: format!(
                            "bundle is an attestation (predicate type {}), not an image signature",
                            short(&statement.predicate_type)
                        ),
                    },
                );
            }
            let status = key_status(keys, |k| {
                bundle::dsse_verifies(k, &payload_type, &payload, &signatures)
            });
            done(Some(claims), status)
        }
        Content::MessageSignature {
            algorithm,
            digest: md,
            signature,
        } => {
            // cosign's messageSignature bundles sign the artifact itself; for an
            // image the artifact is its manifest, whose SHA-256 is the image
            // digest: bind the message digest to it, then verify the signature
            // over that prehash.
            let named = format!("sha256:{}", hex::encode(&md));
            let claims = Claims {
                image_digest: named.clone(),
                docker_reference: None,
                annotations: Default::default(),
                payload: serde_json::json!({
                    "messageDigest": {"algorithm": algorithm, "digest": B64.encode(&md)},
                }),
            };
            if algorithm != "SHA2_256" {
                return done(
                    Some(claims),
                    Status::Failed {
                        reason: format!(
                            "message signature uses digest algorithm {}, only SHA2_256 is supported",
                            short(&algorithm)
                        ),
                    },
                );
            }
            if named != digest {
                return done(
                    Some(claims),
                    Status::Failed {
                        reason: format!(
                            "message signature names {} but the image is {digest}",
                            short(&named)
                        ),
                    },
                );
            }
            let status = key_status(keys, |k| k.verify_prehash(&md, &signature).is_ok());
            done(Some(claims), status)
        }
    }
}

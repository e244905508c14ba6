//! Writing signatures: the legacy `.sig` manifest and the bundle referrer
//! (with the fallback tag index when the registry has no referrers API).

use crate::bundle::{self, BUNDLE_V03_MEDIA_TYPE, COSIGN_SIGN_PREDICATE};
use crate::manifest::*;
use crate::{
    MAX_MANIFEST_BYTES, SignError, SignRequest, SignatureFormat, Signed, SigningKey, Store,
    digest_hex, fallback_tag, legacy_tag, sha256_digest, simple,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Map, Value, json};

/// Sign `req.digest` with `key` and store the signature.
///
/// Legacy: fetch/extend the `sha256-<hex>.sig` manifest (append a layer:
/// re-signing keeps earlier signatures; an identical layer — same payload and
/// signature — is not added twice) and push it. Bundle: push a referrer
/// manifest (subject = the image, artifactType the v0.3 bundle type, empty
/// config, one bundle layer, cosign's annotations); when `store.referrers()`
/// returns None, also create/extend the fallback index tagged `sha256-<hex>`.
pub fn sign(store: &dyn Store, key: &SigningKey, req: &SignRequest) -> Result<Signed, SignError> {
    digest_hex(req.digest)?;
    let location = match req.format {
        SignatureFormat::Legacy => sign_legacy(store, key, req)?,
        SignatureFormat::Bundle => sign_bundle(store, key, req)?,
    };
    Ok(Signed {
        format: req.format,
        image_digest: req.digest.to_string(),
        location,
    })
}

/// Push a blob and return its digest (computed here, not taken on trust).
fn push(store: &dyn Store, bytes: &[u8]) -> Result<String, SignError> {
    store.push_blob(bytes)?;
    Ok(sha256_digest(bytes))
}

/// A manifest or index as a JSON object, with the media type to push it with.
type Document = (Map<String, Value>, String);

/// An existing manifest/index at `tag` that we are about to extend, as a JSON object.
fn existing_object(
    store: &dyn Store,
    tag: &str,
    list_field: &str,
) -> Result<Option<Document>, SignError> {
    let Some(f) = store.manifest(tag)? else {
        return Ok(None);
    };
    let refuse = |why: &str| {
        SignError::Conflict(format!(
            "the tag {tag} already exists but {why}; refusing to overwrite it (inspect or delete that tag first)"
        ))
    };
    if f.bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(refuse("it is larger than 4 MiB"));
    }
    let media_type = media_type_of(&f.bytes, &f.media_type);
    match serde_json::from_slice::<Value>(&f.bytes) {
        Ok(Value::Object(m)) => match m.get(list_field) {
            None | Some(Value::Array(_)) | Some(Value::Null) => Ok(Some((m, media_type))),
            Some(_) => Err(refuse(&format!("its {list_field} field is not a list"))),
        },
        _ => Err(refuse("it is not a JSON manifest")),
    }
}

/// Append `entry` to the array `field` of `obj` (created when absent);
/// returns false when an equal entry is already there.
fn append(obj: &mut Map<String, Value>, field: &str, entry: Value) -> bool {
    let list = obj.entry(field).or_insert_with(|| Value::Array(Vec::new()));
    if !list.is_array() {
        *list = Value::Array(Vec::new());
    }
    match list {
        Value::Array(a) if a.contains(&entry) => false,
        Value::Array(a) => {
            a.push(entry);
            true
        }
        _ => false,
    }
}

fn sign_legacy(
    store: &dyn Store,
    key: &SigningKey,
    req: &SignRequest,
) -> Result<String, SignError> {
    let tag = legacy_tag(req.digest)?;
    let payload = simple::build(req.digest, req.docker_reference, req.annotations);
    let signature = key.sign(&payload);
    let payload_digest = push(store, &payload)?;
    let layer = json!({
        "mediaType": SIMPLE_SIGNING,
        "digest": payload_digest,
        "size": payload.len(),
        "annotations": { SIGNATURE_ANNOTATION: B64.encode(&signature) },
    });
    let (mut m, media_type) = match existing_object(store, &tag, "layers")? {
        Some(found) => found,
        None => {
            let mut m = Map::new();
            m.insert("schemaVersion".into(), json!(2));
            m.insert("mediaType".into(), json!(OCI_MANIFEST));
            (m, OCI_MANIFEST.to_string())
        }
    };
    if !append(&mut m, "layers", layer) {
        return Ok(format!("tag {tag} (identical signature already present)"));
    }
    // Rebuild the config for the new layer list, keeping its media type (a
    // Docker schema 2 signature manifest keeps Docker media types).
    let diff_ids: Vec<String> = m
        .get("layers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|l| l.get("digest").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let config = legacy_config(&diff_ids);
    let config_digest = push(store, &config)?;
    let config_media_type = m
        .get("config")
        .and_then(|c| c.get("mediaType"))
        .and_then(Value::as_str)
        .unwrap_or(OCI_CONFIG)
        .to_string();
    m.insert(
        "config".into(),
        json!({"mediaType": config_media_type, "digest": config_digest, "size": config.len()}),
    );
    let bytes = Value::Object(m).to_string().into_bytes();
    store.push_manifest(&tag, &media_type, &bytes)?;
    Ok(format!("tag {tag}"))
}

fn created_now() -> String {
    use time::format_description::well_known::Rfc3339;
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

fn sign_bundle(
    store: &dyn Store,
    key: &SigningKey,
    req: &SignRequest,
) -> Result<String, SignError> {
    let hex = digest_hex(req.digest)?;
    let image = store.manifest(req.digest)?.ok_or_else(|| {
        SignError::Store(format!(
            "the image manifest {} is not in the repository; check the image name",
            req.digest
        ))
    })?;
    let actual = sha256_digest(&image.bytes);
    if actual != req.digest {
        return Err(SignError::Store(format!(
            "the registry served content with digest {actual} for {}; refusing to sign",
            req.digest
        )));
    }
    let subject_media_type = media_type_of(&image.bytes, &image.media_type);

    let statement = bundle::statement(hex, req.docker_reference, req.annotations);
    let bundle = bundle::build(key, &statement);
    let bundle_digest = push(store, &bundle)?;
    push(store, EMPTY_BLOB)?;

    let annotations = json!({
        BUNDLE_CONTENT_ANNOTATION: "dsse-envelope",
        BUNDLE_PREDICATE_ANNOTATION: COSIGN_SIGN_PREDICATE,
        CREATED_ANNOTATION: created_now(),
    });
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": BUNDLE_V03_MEDIA_TYPE,
        "config": {"mediaType": EMPTY_MEDIA_TYPE, "digest": EMPTY_DIGEST, "size": EMPTY_BLOB.len()},
        "layers": [{"mediaType": BUNDLE_V03_MEDIA_TYPE, "digest": bundle_digest, "size": bundle.len()}],
        "subject": {"mediaType": subject_media_type, "digest": req.digest, "size": image.bytes.len()},
        "annotations": annotations,
    })
    .to_string()
    .into_bytes();
    let has_referrers_api = store
        .referrers(req.digest, Some(BUNDLE_V03_MEDIA_TYPE))?
        .is_some();
    let manifest_digest = sha256_digest(&manifest);
    store.push_manifest(&manifest_digest, OCI_MANIFEST, &manifest)?;
    let mut location = format!("referrer {manifest_digest}");
    if !has_referrers_api {
        let tag = fallback_tag(req.digest)?;
        let (mut index, media_type) = match existing_object(store, &tag, "manifests")? {
            Some(found) => found,
            None => {
                let mut m = Map::new();
                m.insert("schemaVersion".into(), json!(2));
                m.insert("mediaType".into(), json!(OCI_INDEX));
                (m, OCI_INDEX.to_string())
            }
        };
        append(
            &mut index,
            "manifests",
            json!({
                "mediaType": OCI_MANIFEST,
                "digest": manifest_digest,
                "size": manifest.len(),
                "artifactType": BUNDLE_V03_MEDIA_TYPE,
                "annotations": annotations,
            }),
        );
        let bytes = Value::Object(index).to_string().into_bytes();
        store.push_manifest(&tag, &media_type, &bytes)?;
        location.push_str(&format!(" (fallback tag {tag})"));
    }
    Ok(location)
}

//! docker-archive and OCI layout parsing.

use crate::store::Store;
use crate::{Image, ImageError, Layer, Platform};
use oci_spec::image::{ImageIndex, ImageManifest};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Deepest nesting of indexes we follow.
const MAX_INDEX_DEPTH: usize = 4;

pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    name: &str,
    bytes: &[u8],
) -> Result<T, ImageError> {
    serde_json::from_slice(bytes).map_err(|e| ImageError::BadJson {
        name: name.to_string(),
        reason: e.to_string(),
    })
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Path of a blob in an OCI layout, checking the digest's form.
pub(crate) fn blob_path(digest: &str) -> Result<(String, String), ImageError> {
    let (alg, hex) = digest.split_once(':').ok_or_else(|| {
        ImageError::Malformed(format!("bad digest {digest:?}: expected ALGORITHM:HEX"))
    })?;
    if alg != "sha256" {
        return Err(ImageError::Unsupported(format!(
            "digest algorithm {alg} in {digest} is not supported (only sha256)"
        )));
    }
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ImageError::Malformed(format!(
            "bad sha256 digest {digest:?}"
        )));
    }
    Ok((
        format!("blobs/sha256/{}", hex.to_ascii_lowercase()),
        hex.to_ascii_lowercase(),
    ))
}

/// Read a small blob by digest and verify it.
fn read_verified(store: &Store, digest: &str) -> Result<Vec<u8>, ImageError> {
    let (path, hex) = blob_path(digest)?;
    let bytes = store.read_small(&path)?;
    let actual = sha256_hex(&bytes);
    if actual != hex {
        return Err(ImageError::DigestMismatch {
            name: path,
            expected: format!("sha256:{hex}"),
            actual: format!("sha256:{actual}"),
        });
    }
    Ok(bytes)
}

#[derive(Debug, Deserialize)]
struct DockerManifestEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
}

pub(crate) struct ConfigFacts {
    pub(crate) diff_ids: Vec<String>,
    pub(crate) created_by: Vec<String>,
    pub(crate) platform: Platform,
}

pub(crate) fn config_facts(config: &serde_json::Value) -> Result<ConfigFacts, ImageError> {
    let diff_ids = config
        .get("rootfs")
        .and_then(|r| r.get("diff_ids"))
        .and_then(|d| d.as_array())
        .ok_or_else(|| ImageError::Malformed("the image config has no rootfs.diff_ids".into()))?
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| ImageError::Malformed("rootfs.diff_ids holds a non-string".into()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    for d in &diff_ids {
        blob_path(d)?;
    }
    // Pair history with layers, skipping empty_layer entries.
    let mut created_by = Vec::new();
    if let Some(history) = config.get("history").and_then(|h| h.as_array()) {
        for h in history {
            if h.get("empty_layer")
                .and_then(|e| e.as_bool())
                .unwrap_or(false)
            {
                continue;
            }
            created_by.push(
                h.get("created_by")
                    .and_then(|c| c.as_str())
                    .unwrap_or("")
                    .to_string(),
            );
        }
    }
    let s = |k: &str| {
        config
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    Ok(ConfigFacts {
        diff_ids,
        created_by,
        platform: Platform {
            os: s("os"),
            arch: s("architecture"),
            variant: s("variant"),
        },
    })
}

/// `docker save` output: legacy (`<id>/layer.tar`) or OCI-in-docker-save (`blobs/sha256/…`).
pub(crate) fn from_docker_archive(
    store: &Store,
    platform: Option<&Platform>,
) -> Result<Image, ImageError> {
    let manifest: Vec<DockerManifestEntry> =
        parse_json("manifest.json", &store.read_small("manifest.json")?)?;
    let entry = match manifest.len() {
        0 => return Err(ImageError::Malformed("manifest.json lists no image".into())),
        1 => &manifest[0],
        _ => {
            // Several images in one archive: pick by platform when asked,
            // otherwise refuse with the list.
            let tags: Vec<String> = manifest
                .iter()
                .map(|m| m.repo_tags.clone().unwrap_or_default().join(","))
                .collect();
            return Err(ImageError::Unsupported(format!(
                "the archive holds {} images ({}); save one image per file",
                manifest.len(),
                tags.join("; ")
            )));
        }
    };
    let config_bytes = store.read_small(&entry.config)?;
    let config_hex = sha256_hex(&config_bytes);
    // Legacy names the config `<hex>.json`; the newer layout `blobs/sha256/<hex>`.
    let named_hex = entry
        .config
        .rsplit('/')
        .next()
        .map(|n| n.trim_end_matches(".json"))
        .filter(|n| n.len() == 64 && n.bytes().all(|b| b.is_ascii_hexdigit()));
    if let Some(hex) = named_hex
        && hex != config_hex
    {
        return Err(ImageError::DigestMismatch {
            name: entry.config.clone(),
            expected: format!("sha256:{hex}"),
            actual: format!("sha256:{config_hex}"),
        });
    }
    let config: serde_json::Value = parse_json(&entry.config, &config_bytes)?;
    let facts = config_facts(&config)?;
    if let Some(p) = platform
        && !facts.platform.os.is_empty()
        && !p.accepts(&facts.platform)
    {
        return Err(ImageError::NoPlatform {
            wanted: p.to_string(),
            available: facts.platform.to_string(),
        });
    }
    if entry.layers.len() != facts.diff_ids.len() {
        return Err(ImageError::Malformed(format!(
            "manifest.json lists {} layers but the config has {} diff_ids",
            entry.layers.len(),
            facts.diff_ids.len()
        )));
    }
    let mut layers = Vec::new();
    for (i, (name, diff_id)) in entry.layers.iter().zip(&facts.diff_ids).enumerate() {
        let blob = store.blob(name)?;
        let digest = name
            .strip_prefix("blobs/sha256/")
            .filter(|h| h.len() == 64)
            .map(|h| format!("sha256:{h}"));
        layers.push(Layer {
            index: i,
            diff_id: diff_id.clone(),
            size: blob.len(),
            digest,
            media_type: String::new(),
            created_by: facts.created_by.get(i).cloned().unwrap_or_default(),
            blob,
        });
    }
    Ok(Image {
        id: format!("sha256:{config_hex}"),
        config,
        diff_ids: facts.diff_ids,
        layers,
        repo_tags: entry.repo_tags.clone().unwrap_or_default(),
        repo_digests: Vec::new(),
        platform: facts.platform,
    })
}

pub(crate) fn is_index_media_type(mt: &str) -> bool {
    mt.contains("image.index") || mt.contains("manifest.list")
}

fn describe_platform(p: Option<&oci_spec::image::Platform>) -> Platform {
    match p {
        Some(p) => Platform {
            os: p.os().to_string(),
            arch: p.architecture().to_string(),
            variant: p.variant().clone().unwrap_or_default(),
        },
        None => Platform::default(),
    }
}

/// Resolve an index to a single manifest digest for the platform.
///
/// `fetch` returns the verified bytes of a blob by digest (nested indexes);
/// shared by OCI layouts and the registry client.
pub(crate) fn pick_manifest(
    fetch: &mut dyn FnMut(&str) -> Result<Vec<u8>, ImageError>,
    index: &ImageIndex,
    wanted: &Platform,
    explicit: bool,
    depth: usize,
) -> Result<(String, Vec<String>), ImageError> {
    if depth > MAX_INDEX_DEPTH {
        return Err(ImageError::Malformed(format!(
            "indexes nest more than {MAX_INDEX_DEPTH} deep"
        )));
    }
    let mut candidates = Vec::new();
    let mut available = Vec::new();
    for desc in index.manifests() {
        let mt = desc.media_type().to_string();
        let annotations = desc.annotations().clone().unwrap_or_default();
        // Skip build attestations (docker buildx) and other non-images.
        if annotations
            .get("vnd.docker.reference.type")
            .is_some_and(|t| t == "attestation-manifest")
        {
            continue;
        }
        let tags: Vec<String> = annotations
            .get("org.opencontainers.image.ref.name")
            .or_else(|| annotations.get("io.containerd.image.name"))
            .cloned()
            .into_iter()
            .collect();
        let p = describe_platform(desc.platform().as_ref());
        if is_index_media_type(&mt) {
            let bytes = fetch(desc.digest().as_ref())?;
            let nested: ImageIndex = parse_json(desc.digest().as_ref(), &bytes)?;
            match pick_manifest(fetch, &nested, wanted, explicit, depth + 1) {
                Ok((d, mut t)) => {
                    t.extend(tags);
                    candidates.push((d, t, p));
                }
                Err(ImageError::NoPlatform { available: a, .. }) => available.push(a),
                Err(e) => return Err(e),
            }
            continue;
        }
        if p.os == "unknown" || p.arch == "unknown" {
            continue;
        }
        available.push(if p.os.is_empty() {
            "(unspecified)".to_string()
        } else {
            p.to_string()
        });
        if p.os.is_empty() || wanted.accepts(&p) {
            candidates.push((desc.digest().to_string(), tags, p));
        }
    }
    // A single-image layout with no platform on its descriptor is taken as is
    // unless the user asked for a platform explicitly (checked later against the config).
    let _ = explicit;
    match candidates.len() {
        0 => Err(ImageError::NoPlatform {
            wanted: wanted.to_string(),
            available: if available.is_empty() {
                "nothing".into()
            } else {
                available.join(", ")
            },
        }),
        _ => {
            let (d, t, _) = candidates.swap_remove(0);
            Ok((d, t))
        }
    }
}

/// An OCI image layout (directory or tar).
pub(crate) fn from_oci_layout(
    store: &Store,
    platform: Option<&Platform>,
) -> Result<Image, ImageError> {
    let index: ImageIndex = parse_json("index.json", &store.read_small("index.json")?)?;
    let wanted = platform.cloned().unwrap_or_else(Platform::host);
    let mut fetch = |d: &str| read_verified(store, d);
    let (manifest_digest, tags) =
        pick_manifest(&mut fetch, &index, &wanted, platform.is_some(), 0)?;
    let manifest_bytes = read_verified(store, &manifest_digest)?;
    let manifest: ImageManifest = parse_json(&manifest_digest, &manifest_bytes)?;
    let config_digest = manifest.config().digest().to_string();
    let config_bytes = read_verified(store, &config_digest)?;
    let config: serde_json::Value = parse_json(&config_digest, &config_bytes)?;
    let facts = config_facts(&config)?;
    if manifest.layers().len() != facts.diff_ids.len() {
        return Err(ImageError::Malformed(format!(
            "the manifest lists {} layers but the config has {} diff_ids",
            manifest.layers().len(),
            facts.diff_ids.len()
        )));
    }
    let mut layers = Vec::new();
    for (i, (desc, diff_id)) in manifest.layers().iter().zip(&facts.diff_ids).enumerate() {
        let digest = desc.digest().to_string();
        let (path, _) = blob_path(&digest)?;
        let blob = store.blob(&path)?;
        let mt = desc.media_type().to_string();
        if mt.contains("nondistributable") && blob.is_empty() {
            return Err(ImageError::MissingBlob(digest));
        }
        layers.push(Layer {
            index: i,
            diff_id: diff_id.clone(),
            digest: Some(digest),
            media_type: mt,
            size: blob.len(),
            created_by: facts.created_by.get(i).cloned().unwrap_or_default(),
            blob,
        });
    }
    Ok(Image {
        id: config_digest,
        config,
        diff_ids: facts.diff_ids,
        layers,
        repo_tags: tags,
        repo_digests: vec![manifest_digest],
        platform: facts.platform,
    })
}

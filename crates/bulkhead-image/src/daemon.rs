//! The Docker daemon as an image source (Engine API via bollard, over the
//! unix socket or `DOCKER_HOST`).
//!
//! [`export`] streams `GET /images/{name}/get` (a `docker save` tarball) as a
//! blocking reader; nothing is written to disk. [`read_save_stream`] walks
//! that tar once, in arrival order: layer members go to a callback as they
//! arrive (the caller streams them into the layer reader), small JSON
//! members (config, `manifest.json`, `index.json`) are kept in memory, and
//! [`SavedArchive::image`] pairs them up at the end, since `manifest.json`
//! may come last. Both the legacy layout (`<id>/layer.tar`) and the OCI
//! layout of Docker 25+ (`blobs/sha256/…`) are read.

use crate::oci::{ConfigFacts, config_facts, parse_json, sha256_hex};
use crate::{BlobRef, Image, ImageError, Layer, MAX_JSON_BYTES, Platform};
use futures_util::StreamExt as _;
use serde::Deserialize;
use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::mpsc;

/// Chunks buffered between the export stream and the reader (bounds memory).
const CHANNEL_CHUNKS: usize = 32;
/// Most bytes of non-layer members kept in memory.
const MAX_BUFFERED: u64 = 64 * 1024 * 1024;
/// Most members in one export.
const MAX_MEMBERS: usize = 100_000;

/// Facts the daemon knows about an image before exporting it.
#[derive(Debug, Clone)]
pub struct DaemonImage {
    pub id: String,
    pub repo_tags: Vec<String>,
    pub repo_digests: Vec<String>,
    /// `RootFS.Layers`: the diff_ids.
    pub diff_ids: Vec<String>,
}

fn daemon_address() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".to_string())
}

fn runtime() -> Result<tokio::runtime::Runtime, ImageError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ImageError::Remote(format!("cannot start the I/O runtime: {e}")))
}

async fn connect() -> Result<bollard::Docker, ImageError> {
    let address = daemon_address();
    let unreachable = |e: bollard::errors::Error| {
        ImageError::Unreachable(format!(
            "cannot reach the Docker daemon at {address} ({e}); start Docker, check DOCKER_HOST and that you may use the socket, or scan a `docker save` file with --input"
        ))
    };
    let docker = bollard::Docker::connect_with_defaults()
        .map_err(unreachable)?
        .with_timeout(std::time::Duration::from_secs(24 * 3600));
    docker.negotiate_version().await.map_err(unreachable)
}

fn api_error(name: &str, e: bollard::errors::Error) -> ImageError {
    match e {
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        } => ImageError::NotFound(format!("the Docker daemon has no image {name}")),
        e => ImageError::Remote(format!("the Docker daemon failed on image {name}: {e}")),
    }
}

/// Look an image up in the daemon (`NotFound` when it has none of that name).
pub fn inspect(name: &str) -> Result<DaemonImage, ImageError> {
    let rt = runtime()?;
    rt.block_on(async {
        let docker = connect().await?;
        let i = docker
            .inspect_image(name)
            .await
            .map_err(|e| api_error(name, e))?;
        Ok(DaemonImage {
            id: i.id.unwrap_or_default(),
            repo_tags: i.repo_tags.unwrap_or_default(),
            repo_digests: i.repo_digests.unwrap_or_default(),
            diff_ids: i.root_fs.and_then(|r| r.layers).unwrap_or_default(),
        })
    })
}

/// A blocking reader over chunks sent by the export thread.
struct ChannelReader {
    rx: mpsc::Receiver<Result<bytes::Bytes, String>>,
    cur: bytes::Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.cur.is_empty() {
            match self.rx.recv() {
                Ok(Ok(b)) => self.cur = b,
                Ok(Err(e)) => return Err(io::Error::other(e)),
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.cur.len());
        let chunk = self.cur.split_to(n);
        buf.get_mut(..n)
            .ok_or_else(|| io::Error::other("short buffer"))?
            .copy_from_slice(&chunk);
        Ok(n)
    }
}

/// Stream `docker save NAME` from the daemon. The returned reader yields the
/// tarball as it arrives (a background thread drives the API call; memory
/// is bounded by a small chunk queue).
pub fn export(name: &str) -> Result<Box<dyn Read + Send>, ImageError> {
    let (tx, rx) = mpsc::sync_channel::<Result<bytes::Bytes, String>>(CHANNEL_CHUNKS);
    let (ready_tx, ready_rx) = mpsc::sync_channel::<Result<(), ImageError>>(1);
    let name = name.to_string();
    std::thread::Builder::new()
        .name("docker-export".into())
        .spawn(move || {
            let rt = match runtime() {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            rt.block_on(async {
                let docker = match connect().await {
                    Ok(d) => d,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(()));
                let mut stream = std::pin::pin!(docker.export_image(&name));
                while let Some(item) = stream.next().await {
                    let msg = item
                        .map_err(|e| format!("the Docker daemon's export of {name} failed: {e}"));
                    let stop = msg.is_err();
                    if tx.send(msg).is_err() || stop {
                        // The reader was dropped (or we failed): stop the export.
                        return;
                    }
                }
            });
        })
        .map_err(|e| ImageError::Remote(format!("cannot start the export thread: {e}")))?;
    match ready_rx.recv() {
        Ok(Ok(())) => Ok(Box::new(ChannelReader {
            rx,
            cur: bytes::Bytes::new(),
        })),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(ImageError::Remote("the export thread stopped early".into())),
    }
}

/// What a streamed `docker save` held besides its layers.
#[derive(Debug, Default)]
pub struct SavedArchive {
    /// Small members kept whole (JSON documents).
    pub json: HashMap<String, Vec<u8>>,
    /// Sizes of layer members handed to the callback.
    pub layer_sizes: HashMap<String, u64>,
    /// Symlinked members (legacy saves link repeated layers): name → target.
    pub links: HashMap<String, String>,
}

fn normalize_member(name: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in name.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Whether a member can be a layer by its name.
fn layer_candidate(name: &str) -> bool {
    name.ends_with("/layer.tar") || name.starts_with("blobs/sha256/")
}

/// The callback of [`read_save_stream`]: member name, size, its bytes.
pub type OnLayer<'a> = dyn FnMut(&str, u64, &mut dyn Read) -> Result<(), String> + 'a;

/// Walk a `docker save` stream once. `on_layer(name, size, reader)` gets
/// every member that may be a layer (it must read what it needs; the rest is
/// skipped). Members of `blobs/` that start with `{` are JSON (configs,
/// manifests) and are kept instead; if one of them turns out to be a layer,
/// [`SavedArchive::image`] tells the caller (see [`LayerSource`]).
pub fn read_save_stream(
    reader: impl Read,
    on_layer: &mut OnLayer<'_>,
) -> Result<SavedArchive, ImageError> {
    let bad = |reason: String| ImageError::BadTar {
        path: "(Docker daemon export)".into(),
        reason,
    };
    let mut archive = tar::Archive::new(reader);
    let mut out = SavedArchive::default();
    let mut buffered = 0u64;
    let mut count = 0usize;
    for entry in archive.entries().map_err(|e| bad(e.to_string()))? {
        let mut entry = entry.map_err(|e| bad(e.to_string()))?;
        count += 1;
        if count > MAX_MEMBERS {
            return Err(bad(format!("more than {MAX_MEMBERS} members")));
        }
        let name = normalize_member(&String::from_utf8_lossy(&entry.path_bytes()));
        let kind = entry.header().entry_type();
        if kind.is_symlink() || kind.is_hard_link() {
            if let Ok(Some(target)) = entry.link_name() {
                let t = target.to_string_lossy();
                let resolved = if kind.is_symlink() {
                    let dir = name.rsplit_once('/').map_or("", |(d, _)| d);
                    normalize_member(&format!("{dir}/{t}"))
                } else {
                    normalize_member(&t)
                };
                out.links.insert(name, resolved);
            }
            continue;
        }
        if !kind.is_file() {
            continue;
        }
        let size = entry.size();
        let mut first = [0u8; 1];
        let got = entry.read(&mut first).map_err(|e| bad(e.to_string()))?;
        let head = first.get(..got).unwrap_or_default();
        let is_json = head == b"{" || head == b"[";
        if layer_candidate(&name) && !(is_json && size <= MAX_JSON_BYTES) {
            let mut r = crate::blob::FullFirstRead::new(
                io::Cursor::new(head.to_vec()).chain(&mut entry),
                512,
            );
            on_layer(&name, size, &mut r)
                .map_err(|e| ImageError::Remote(format!("{name}: {e}")))?;
            out.layer_sizes.insert(name, size);
            // Skip whatever the callback did not read.
            io::copy(&mut r, &mut io::sink()).map_err(|e| bad(e.to_string()))?;
            continue;
        }
        if size > MAX_JSON_BYTES || buffered + size > MAX_BUFFERED {
            io::copy(&mut entry, &mut io::sink()).map_err(|e| bad(e.to_string()))?;
            continue;
        }
        buffered += size;
        let mut bytes = head.to_vec();
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| bad(e.to_string()))?;
        out.json.insert(name, bytes);
    }
    Ok(out)
}

#[derive(Debug, Deserialize)]
struct ManifestEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
}

/// Where a layer's bytes were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayerSource {
    /// Handed to `on_layer` under this member name.
    Streamed(String),
    /// Kept in memory (it looked like JSON): analyze these bytes.
    Buffered(String),
}

impl SavedArchive {
    fn resolve<'a>(&'a self, name: &'a str) -> &'a str {
        let mut cur = name;
        for _ in 0..8 {
            match self.links.get(cur) {
                Some(t) => cur = t,
                None => break,
            }
        }
        cur
    }

    /// Bytes of a member kept in memory (after following links).
    pub fn buffered(&self, name: &str) -> Option<&[u8]> {
        self.json.get(self.resolve(name)).map(Vec::as_slice)
    }

    /// Pair `manifest.json` and the config with the layers: the image (its
    /// layers are [`BlobRef::Streamed`]) and where each layer's bytes were.
    pub fn image(
        &self,
        platform: Option<&Platform>,
    ) -> Result<(Image, Vec<LayerSource>), ImageError> {
        let manifest_bytes = self.json.get("manifest.json").ok_or_else(|| {
            ImageError::NotAnImage("the Docker daemon's export has no manifest.json".into())
        })?;
        let manifest: Vec<ManifestEntry> = parse_json("manifest.json", manifest_bytes)?;
        let entry = match manifest.as_slice() {
            [one] => one,
            _ => {
                return Err(ImageError::Malformed(format!(
                    "the daemon's export lists {} images, expected one",
                    manifest.len()
                )));
            }
        };
        let config_name = self.resolve(&entry.config);
        let config_bytes = self
            .json
            .get(config_name)
            .ok_or_else(|| ImageError::MissingBlob(entry.config.clone()))?;
        let id = format!("sha256:{}", sha256_hex(config_bytes));
        let config: serde_json::Value = parse_json(&entry.config, config_bytes)?;
        let ConfigFacts {
            diff_ids,
            created_by,
            platform: image_platform,
        } = config_facts(&config)?;
        if let Some(p) = platform
            && !image_platform.os.is_empty()
            && !p.accepts(&image_platform)
        {
            return Err(ImageError::NoPlatform {
                wanted: p.to_string(),
                available: image_platform.to_string(),
            });
        }
        if entry.layers.len() != diff_ids.len() {
            return Err(ImageError::Malformed(format!(
                "manifest.json lists {} layers but the config has {} diff_ids",
                entry.layers.len(),
                diff_ids.len()
            )));
        }
        let mut layers = Vec::new();
        let mut sources = Vec::new();
        for (i, (name, diff_id)) in entry.layers.iter().zip(&diff_ids).enumerate() {
            let member = self.resolve(name).to_string();
            let (size, source) = if let Some(s) = self.layer_sizes.get(&member) {
                (*s, LayerSource::Streamed(member.clone()))
            } else if let Some(b) = self.json.get(&member) {
                (b.len() as u64, LayerSource::Buffered(member.clone()))
            } else {
                return Err(ImageError::MissingBlob(name.clone()));
            };
            let digest = member
                .strip_prefix("blobs/sha256/")
                .filter(|h| h.len() == 64)
                .map(|h| format!("sha256:{h}"));
            layers.push(Layer {
                index: i,
                diff_id: diff_id.clone(),
                digest,
                media_type: String::new(),
                size,
                created_by: created_by.get(i).cloned().unwrap_or_default(),
                blob: BlobRef::Streamed { len: size },
            });
            sources.push(source);
        }
        Ok((
            Image {
                id,
                config,
                diff_ids,
                layers,
                repo_tags: entry.repo_tags.clone().unwrap_or_default(),
                repo_digests: Vec::new(),
                platform: image_platform,
            },
            sources,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_with(members: &[(&str, &[u8])], links: &[(&str, &str)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in members {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, *data).unwrap();
        }
        for (name, target) in links {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_size(0);
            b.append_link(&mut h, name, target).unwrap();
        }
        b.into_inner().unwrap()
    }

    #[test]
    fn legacy_save_with_manifest_last_and_linked_layer() {
        let layer = tar_with(&[("etc/os-release", b"ID=debian\n")], &[]);
        let diff = format!("sha256:{}", sha256_hex(&layer));
        let config = format!(
            r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["{diff}","{diff}"]}},"history":[{{"created_by":"a"}},{{"created_by":"b"}}]}}"#
        );
        let cfg_hex = sha256_hex(config.as_bytes());
        let manifest = format!(
            r#"[{{"Config":"{cfg_hex}.json","RepoTags":["x:1"],"Layers":["aaa/layer.tar","bbb/layer.tar"]}}]"#
        );
        let save = tar_with(
            &[
                ("aaa/VERSION", b"1.0"),
                ("aaa/layer.tar", &layer),
                (&format!("{cfg_hex}.json"), config.as_bytes()),
                ("manifest.json", manifest.as_bytes()),
            ],
            &[("bbb/layer.tar", "../aaa/layer.tar")],
        );
        let mut seen = Vec::new();
        let saved = read_save_stream(&save[..], &mut |name, size, r| {
            let mut v = Vec::new();
            r.read_to_end(&mut v).map_err(|e| e.to_string())?;
            assert_eq!(v.len() as u64, size);
            seen.push((name.to_string(), sha256_hex(&v)));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen.len(), 1);
        let (image, sources) = saved.image(None).unwrap();
        assert_eq!(image.diff_ids, vec![diff.clone(), diff]);
        assert_eq!(image.repo_tags, vec!["x:1".to_string()]);
        assert_eq!(
            sources,
            vec![LayerSource::Streamed("aaa/layer.tar".into()); 2]
        );
        assert!(image.layers[0].blob.open().is_err());
    }

    #[test]
    fn missing_manifest_is_an_error() {
        let save = tar_with(&[("aaa/VERSION", b"1.0")], &[]);
        let saved = read_save_stream(&save[..], &mut |_, _, _| Ok(())).unwrap();
        assert!(saved.image(None).is_err());
    }
}

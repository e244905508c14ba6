//! Test and demo image builder.
//!
//! [`ImageBuilder`] assembles layers from in-memory files, directories,
//! symlinks, hardlinks, whiteouts and whole root filesystems, compresses
//! each layer as asked, and writes the image as a `docker save` tarball
//! (legacy or OCI-in-docker-save), an OCI layout directory or tarball, or a
//! multi-platform OCI index. It exists so tests never depend on a registry.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;

/// Layer compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

/// Output layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `docker save` before Docker 25: `manifest.json`, `<id>/layer.tar`.
    DockerLegacy,
    /// `docker save` from Docker 25: OCI blobs plus `manifest.json`.
    DockerOci,
    /// OCI image layout directory.
    OciDir,
    /// OCI image layout tarball.
    OciTar,
}

/// One layer under construction: a tar stream in memory.
pub struct LayerBuilder {
    tar: tar::Builder<Vec<u8>>,
    created_by: String,
}

fn header(kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_size(size);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(1_700_000_000);
    h
}

impl LayerBuilder {
    fn new(created_by: &str) -> Self {
        LayerBuilder {
            tar: tar::Builder::new(Vec::new()),
            created_by: created_by.to_string(),
        }
    }

    /// Add a regular file.
    pub fn file(&mut self, path: &str, content: &[u8]) -> Result<&mut Self> {
        self.file_mode(path, content, 0o644)
    }

    /// Add a regular file with a mode.
    pub fn file_mode(&mut self, path: &str, content: &[u8], mode: u32) -> Result<&mut Self> {
        let mut h = header(tar::EntryType::Regular, mode, content.len() as u64);
        self.tar.append_data(&mut h, path, content)?;
        Ok(self)
    }

    /// Add a directory.
    pub fn dir(&mut self, path: &str) -> Result<&mut Self> {
        let mut h = header(tar::EntryType::Directory, 0o755, 0);
        self.tar.append_data(&mut h, path, std::io::empty())?;
        Ok(self)
    }

    /// Add a symlink.
    pub fn symlink(&mut self, path: &str, target: &str) -> Result<&mut Self> {
        let mut h = header(tar::EntryType::Symlink, 0o777, 0);
        self.tar.append_link(&mut h, path, target)?;
        Ok(self)
    }

    /// Add a hardlink.
    pub fn hardlink(&mut self, path: &str, target: &str) -> Result<&mut Self> {
        let mut h = header(tar::EntryType::Link, 0o644, 0);
        self.tar.append_link(&mut h, path, target)?;
        Ok(self)
    }

    /// Delete `path` from lower layers (`.wh.NAME`).
    pub fn whiteout(&mut self, path: &str) -> Result<&mut Self> {
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        let wh = if dir.is_empty() {
            format!(".wh.{name}")
        } else {
            format!("{dir}/.wh.{name}")
        };
        self.file(&wh, b"")
    }

    /// Hide everything lower layers put in `dir` (`.wh..wh..opq`).
    pub fn opaque(&mut self, dir: &str) -> Result<&mut Self> {
        self.file(&format!("{dir}/.wh..wh..opq"), b"")
    }

    /// Add a whole directory tree from disk (ownership, modes, symlinks and
    /// hardlinks kept; symlinks not followed).
    pub fn tree(&mut self, root: &Path) -> Result<&mut Self> {
        self.tar.follow_symlinks(false);
        let mut entries: Vec<_> = walkdir::WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .collect::<Result<_, _>>()?;
        entries.retain(|e| e.path() != root);
        let mut seen_inodes = std::collections::HashMap::new();
        for e in entries {
            let rel = e.path().strip_prefix(root)?;
            use std::os::unix::fs::MetadataExt;
            let meta = e.path().symlink_metadata()?;
            if meta.is_file() && meta.nlink() > 1 {
                let key = (meta.dev(), meta.ino());
                if let Some(first) = seen_inodes.get(&key) {
                    let mut h = tar::Header::new_gnu();
                    h.set_metadata(&meta);
                    h.set_entry_type(tar::EntryType::Link);
                    h.set_size(0);
                    self.tar
                        .append_link(&mut h, rel, first as &std::path::PathBuf)?;
                    continue;
                }
                seen_inodes.insert(key, rel.to_path_buf());
            }
            let ft = meta.file_type();
            if !(ft.is_file() || ft.is_dir() || ft.is_symlink()) {
                // Device nodes, fifos and sockets (debootstrap's /dev): no
                // analyzer reads them, and the tar builder cannot copy them.
                continue;
            }
            if ft.is_symlink() {
                let target = std::fs::read_link(e.path())?;
                let mut h = tar::Header::new_gnu();
                h.set_metadata(&meta);
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_size(0);
                if self.tar.append_link(&mut h, rel, &target).is_err() {
                    // Targets like "/" are valid symlinks the builder refuses to set.
                    h.set_link_name_literal(target.as_os_str().as_encoded_bytes())?;
                    self.tar.append_data(&mut h, rel, std::io::empty())?;
                }
                continue;
            }
            self.tar
                .append_path_with_name(e.path(), rel)
                .with_context(|| format!("adding {}", rel.display()))?;
        }
        Ok(self)
    }

    fn finish(self) -> Result<(Vec<u8>, String)> {
        Ok((self.tar.into_inner()?, self.created_by))
    }
}

/// Builds an image.
pub struct ImageBuilder {
    layers: Vec<LayerBuilder>,
    config: Value,
    compression: Compression,
    tag: String,
    arch: String,
    annotations: serde_json::Map<String, Value>,
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn compress(data: &[u8], c: Compression) -> Result<Vec<u8>> {
    Ok(match c {
        Compression::None => data.to_vec(),
        Compression::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(data)?;
            e.finish()?
        }
        Compression::Zstd => zstd::encode_all(data, 3)?,
    })
}

/// A finished layer: stored bytes, uncompressed digest.
struct Built {
    stored: Vec<u8>,
    digest: String,
    diff_id: String,
    media_type: &'static str,
}

impl Default for ImageBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ImageBuilder {
    /// A new image for linux/amd64 with a minimal config.
    pub fn new() -> Self {
        ImageBuilder {
            layers: Vec::new(),
            config: json!({"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["/bin/sh"]}),
            compression: Compression::Gzip,
            tag: "bulkhead-test:latest".into(),
            arch: "amd64".into(),
            annotations: serde_json::Map::new(),
        }
    }

    /// Set the layer compression (docker-archive legacy always stores plain tars).
    pub fn compression(mut self, c: Compression) -> Self {
        self.compression = c;
        self
    }

    /// Set the tag recorded in the archive.
    pub fn tag(mut self, tag: &str) -> Self {
        self.tag = tag.to_string();
        self
    }

    /// Set the architecture.
    pub fn arch(mut self, arch: &str) -> Self {
        self.arch = arch.to_string();
        self
    }

    /// Set a field of the container config (`User`, `Env`, `Healthcheck`, …).
    pub fn config(mut self, key: &str, value: Value) -> Self {
        self.config[key] = value;
        self
    }

    /// Add an annotation to the OCI manifest and to its descriptor in the
    /// index (OCI layouts only; docker-archive has none).
    pub fn annotation(mut self, key: &str, value: &str) -> Self {
        self.annotations
            .insert(key.to_string(), Value::String(value.to_string()));
        self
    }

    /// Start a new layer.
    pub fn layer(&mut self, created_by: &str) -> &mut LayerBuilder {
        self.layers.push(LayerBuilder::new(created_by));
        let i = self.layers.len() - 1;
        &mut self.layers[i]
    }

    fn build(self, compression: Compression) -> Result<(Vec<Built>, Vec<u8>, String, String)> {
        let mut built = Vec::new();
        let mut history = Vec::new();
        for l in self.layers {
            let (tar, created_by) = l.finish()?;
            let stored = compress(&tar, compression)?;
            let media_type = match compression {
                Compression::None => "application/vnd.oci.image.layer.v1.tar",
                Compression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
                Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
            };
            built.push(Built {
                digest: format!("sha256:{}", sha(&stored)),
                diff_id: format!("sha256:{}", sha(&tar)),
                stored,
                media_type,
            });
            history.push(json!({"created": "2024-01-01T00:00:00Z", "created_by": created_by}));
        }
        // An empty-layer history entry, as `ENV` produces, to test pairing.
        history.insert(0, json!({"created": "2024-01-01T00:00:00Z", "created_by": "/bin/sh -c #(nop) ENV A=b", "empty_layer": true}));
        let config = json!({
            "architecture": self.arch,
            "os": "linux",
            "created": "2024-01-01T00:00:00Z",
            "config": self.config,
            "rootfs": {"type": "layers", "diff_ids": built.iter().map(|b| b.diff_id.clone()).collect::<Vec<_>>()},
            "history": history,
        });
        let config_bytes = serde_json::to_vec(&config)?;
        Ok((built, config_bytes, self.tag, self.arch))
    }

    /// Write the image to `out` in `layout`.
    pub fn write(self, layout: Layout, out: &Path) -> Result<()> {
        let compression = if layout == Layout::DockerLegacy {
            Compression::None
        } else {
            self.compression
        };
        let annotations = self.annotations.clone();
        let (built, config, tag, arch) = self.build(compression)?;
        let config_hex = sha(&config);
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        match layout {
            Layout::DockerLegacy => {
                let mut layer_paths = Vec::new();
                for b in &built {
                    let id = &b.diff_id["sha256:".len()..];
                    files.push((format!("{id}/layer.tar"), b.stored.clone()));
                    files.push((format!("{id}/VERSION"), b"1.0".to_vec()));
                    layer_paths.push(format!("{id}/layer.tar"));
                }
                files.push((format!("{config_hex}.json"), config));
                let manifest = json!([{"Config": format!("{config_hex}.json"), "RepoTags": [tag], "Layers": layer_paths}]);
                files.push(("manifest.json".into(), serde_json::to_vec(&manifest)?));
            }
            Layout::DockerOci | Layout::OciDir | Layout::OciTar => {
                let mut manifest = json!({
                    "schemaVersion": 2,
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": format!("sha256:{config_hex}"), "size": config.len()},
                    "layers": built.iter().map(|b| json!({"mediaType": b.media_type, "digest": b.digest, "size": b.stored.len()})).collect::<Vec<_>>(),
                });
                let mut index_annotations = annotations.clone();
                index_annotations.insert(
                    "org.opencontainers.image.ref.name".into(),
                    Value::String(tag.clone()),
                );
                if !annotations.is_empty() {
                    manifest["annotations"] = Value::Object(annotations);
                }
                let manifest_bytes = serde_json::to_vec(&manifest)?;
                let manifest_hex = sha(&manifest_bytes);
                for b in &built {
                    files.push((
                        format!("blobs/sha256/{}", &b.digest["sha256:".len()..]),
                        b.stored.clone(),
                    ));
                }
                files.push((format!("blobs/sha256/{config_hex}"), config));
                files.push((
                    format!("blobs/sha256/{manifest_hex}"),
                    manifest_bytes.clone(),
                ));
                let index = json!({
                    "schemaVersion": 2,
                    "mediaType": "application/vnd.oci.image.index.v1+json",
                    "manifests": [{
                        "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "digest": format!("sha256:{manifest_hex}"),
                        "size": manifest_bytes.len(),
                        "platform": {"os": "linux", "architecture": arch},
                        "annotations": index_annotations,
                    }],
                });
                files.push(("index.json".into(), serde_json::to_vec(&index)?));
                files.push((
                    "oci-layout".into(),
                    br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
                ));
                if layout == Layout::DockerOci {
                    let layers: Vec<String> = built
                        .iter()
                        .map(|b| format!("blobs/sha256/{}", &b.digest["sha256:".len()..]))
                        .collect();
                    let m = json!([{"Config": format!("blobs/sha256/{config_hex}"), "RepoTags": [tag], "Layers": layers}]);
                    files.push(("manifest.json".into(), serde_json::to_vec(&m)?));
                }
            }
        }
        write_files(layout == Layout::OciDir, &files, out)
    }
}

/// Write a multi-platform OCI layout: one image per (arch, builder).
pub fn write_multi_platform(
    images: Vec<(String, ImageBuilder)>,
    tar_out: bool,
    out: &Path,
) -> Result<()> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut manifests = Vec::new();
    for (arch, builder) in images {
        let compression = builder.compression;
        let (built, config, _, _) = builder.arch(&arch).build(compression)?;
        let config_hex = sha(&config);
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": format!("sha256:{config_hex}"), "size": config.len()},
            "layers": built.iter().map(|b| json!({"mediaType": b.media_type, "digest": b.digest, "size": b.stored.len()})).collect::<Vec<_>>(),
        });
        let mb = serde_json::to_vec(&manifest)?;
        let mh = sha(&mb);
        for b in built {
            files.push((
                format!("blobs/sha256/{}", &b.digest["sha256:".len()..]),
                b.stored,
            ));
        }
        files.push((format!("blobs/sha256/{config_hex}"), config));
        files.push((format!("blobs/sha256/{mh}"), mb.clone()));
        manifests.push(json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": format!("sha256:{mh}"), "size": mb.len(),
            "platform": {"os": "linux", "architecture": arch},
        }));
    }
    let inner = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests});
    let ib = serde_json::to_vec(&inner)?;
    let ih = sha(&ib);
    files.push((format!("blobs/sha256/{ih}"), ib.clone()));
    // The top index points at the nested index, as `docker save` of a multi-platform image does.
    let top = json!({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": format!("sha256:{ih}"), "size": ib.len()}]});
    files.push(("index.json".into(), serde_json::to_vec(&top)?));
    files.push((
        "oci-layout".into(),
        br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
    ));
    write_files(!tar_out, &files, out)
}

fn write_files(as_dir: bool, files: &[(String, Vec<u8>)], out: &Path) -> Result<()> {
    if as_dir {
        for (name, data) in files {
            let p = out.join(name);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&p, data).with_context(|| format!("writing {}", p.display()))?;
        }
        return Ok(());
    }
    let f = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let mut t = tar::Builder::new(std::io::BufWriter::new(f));
    let mut seen = std::collections::HashSet::new();
    for (name, data) in files {
        if !seen.insert(name.clone()) {
            continue;
        }
        let mut h = header(tar::EntryType::Regular, 0o644, data.len() as u64);
        t.append_data(&mut h, name, data.as_slice())?;
    }
    let mut w = t.into_inner()?;
    w.flush()?;
    Ok(())
}

/// Parse a layout name.
pub fn parse_layout(s: &str) -> Result<Layout> {
    Ok(match s {
        "docker-archive" | "docker-legacy" => Layout::DockerLegacy,
        "docker-oci" => Layout::DockerOci,
        "oci-dir" => Layout::OciDir,
        "oci-tar" => Layout::OciTar,
        _ => bail!("unknown layout {s}: use docker-archive, docker-oci, oci-dir or oci-tar"),
    })
}

//! Test support: Debian's `docker-registry` on 127.0.0.1, pushing OCI
//! layouts with the project's own client, and a tiny scripted HTTP server
//! for token auth, referrers and hostile registries.
//! Shared with bulkhead-cli's tests via `#[path]`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bulkhead_image::registry::{OCI_INDEX, Registry, RegistryOptions};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `docker-registry` (Debian package `docker-registry`), killed on drop.
pub struct LocalRegistry {
    child: Child,
    pub host: String,
    _dir: tempfile::TempDir,
}

impl Drop for LocalRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub const REGISTRY_BIN: &str = "/usr/bin/docker-registry";

impl LocalRegistry {
    /// Start one; `htpasswd`: a file line `user:bcrypt` to require Basic auth.
    pub fn start(htpasswd: Option<&str>) -> Option<LocalRegistry> {
        if !bulkhead_testkit::require::tool(REGISTRY_BIN, "docker-registry") {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut cfg = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("data").display()
        );
        if let Some(line) = htpasswd {
            let f = dir.path().join("htpasswd");
            std::fs::write(&f, format!("{line}\n")).unwrap();
            cfg.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: test\n    path: {}\n",
                f.display()
            ));
        }
        let cfg_path = dir.path().join("config.yml");
        std::fs::write(&cfg_path, cfg).unwrap();
        let child = Command::new(REGISTRY_BIN)
            .arg("serve")
            .arg(&cfg_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let reg = LocalRegistry {
            child,
            host: format!("127.0.0.1:{port}"),
            _dir: dir,
        };
        for _ in 0..200 {
            if TcpStream::connect(&reg.host).is_ok() {
                return Some(reg);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("docker-registry did not start on {}", reg.host);
    }
}

/// Options for tests: no Docker config, short timeouts.
pub fn test_options() -> RegistryOptions {
    RegistryOptions {
        docker_config: None,
        timeout: Duration::from_secs(30),
        read_timeout: Duration::from_secs(5),
        retries: 1,
        backoff: Duration::from_millis(20),
        ..RegistryOptions::default()
    }
}

fn read_blob(layout: &Path, digest: &str) -> Vec<u8> {
    let hex = digest.strip_prefix("sha256:").unwrap();
    std::fs::read(layout.join("blobs/sha256").join(hex)).unwrap()
}

/// Push an OCI layout directory (single image or multi-platform index)
/// under `repo:tag` with the project's registry client.
pub fn push_layout(reg: &Registry, repo: &str, tag: &str, layout: &Path) {
    let index_bytes = std::fs::read(layout.join("index.json")).unwrap();
    let index: serde_json::Value = serde_json::from_slice(&index_bytes).unwrap();
    let descs = index["manifests"].as_array().unwrap().clone();
    let mut pushed = Vec::new();
    for d in &descs {
        let digest = d["digest"].as_str().unwrap();
        let mt = d["mediaType"]
            .as_str()
            .unwrap_or("application/vnd.oci.image.manifest.v1+json");
        push_manifest_tree(reg, repo, layout, digest, mt);
        pushed.push((digest.to_string(), mt.to_string()));
    }
    if let [(digest, mt)] = pushed.as_slice() {
        let bytes = read_blob(layout, digest);
        reg.push_manifest(repo, tag, mt, &bytes).unwrap();
    } else {
        // Several images: tag the layout's index itself (annotations stripped).
        let clean: Vec<serde_json::Value> = descs
            .iter()
            .map(|d| {
                let mut d = d.clone();
                d.as_object_mut().unwrap().remove("annotations");
                d
            })
            .collect();
        let idx =
            serde_json::json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": clean});
        reg.push_manifest(repo, tag, OCI_INDEX, &serde_json::to_vec(&idx).unwrap())
            .unwrap();
    }
}

fn push_manifest_tree(reg: &Registry, repo: &str, layout: &Path, digest: &str, mt: &str) {
    let bytes = read_blob(layout, digest);
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    if let Some(children) = v["manifests"].as_array() {
        for c in children {
            let cmt = c["mediaType"]
                .as_str()
                .unwrap_or("application/vnd.oci.image.manifest.v1+json");
            push_manifest_tree(reg, repo, layout, c["digest"].as_str().unwrap(), cmt);
        }
    } else {
        let config = v["config"]["digest"].as_str().unwrap();
        reg.push_blob(repo, &read_blob(layout, config)).unwrap();
        for l in v["layers"].as_array().unwrap() {
            reg.push_blob(repo, &read_blob(layout, l["digest"].as_str().unwrap()))
                .unwrap();
        }
    }
    assert_eq!(reg.push_manifest(repo, digest, mt, &bytes).unwrap(), digest);
}

/// A request the scripted server saw.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
}

/// What the scripted server answers.
pub enum Resp {
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Send headers (with this Content-Length) and `sent` bytes, then stall.
    Stall { declared: usize, sent: Vec<u8> },
}

impl Resp {
    pub fn ok(body: impl Into<Vec<u8>>, headers: &[(&str, &str)]) -> Resp {
        Resp::Full {
            status: 200,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.into(),
        }
    }
    pub fn status(status: u16, headers: &[(&str, &str)]) -> Resp {
        Resp::Full {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: Vec::new(),
        }
    }
}

type Handler = dyn Fn(&Req, &str) -> Resp + Send + Sync;

/// A scripted HTTP/1.1 server on 127.0.0.1 (one thread per connection).
pub struct TestServer {
    pub host: String,
    stop: Arc<AtomicBool>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(&self.host);
    }
}

impl TestServer {
    /// `handler(request, own host)`.
    pub fn start(handler: impl Fn(&Req, &str) -> Resp + Send + Sync + 'static) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let host = listener.local_addr().unwrap().to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let (h2, s2) = (host.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let handler = handler.clone();
                let (host, stop) = (h2.clone(), s2.clone());
                std::thread::spawn(move || serve(conn, &*handler, &host, &stop));
            }
        });
        TestServer { host, stop }
    }
}

fn serve(conn: TcpStream, handler: &Handler, host: &str, stop: &AtomicBool) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut out = conn;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        if let Some(n) = headers
            .get("content-length")
            .and_then(|l| l.parse::<u64>().ok())
        {
            let mut sink = Vec::new();
            (&mut reader).take(n).read_to_end(&mut sink).unwrap();
        }
        let req = Req {
            method: method.clone(),
            path,
            headers,
        };
        match handler(&req, host) {
            Resp::Full {
                status,
                headers,
                body,
            } => {
                let mut head = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
                for (k, v) in headers {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                if out.write_all(head.as_bytes()).is_err() {
                    return;
                }
                if method != "HEAD" && out.write_all(&body).is_err() {
                    return;
                }
            }
            Resp::Stall { declared, sent } => {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {declared}\r\n\r\n");
                let _ = out.write_all(head.as_bytes());
                let _ = out.write_all(&sent);
                let _ = out.flush();
                // Hold the connection open without sending more.
                for _ in 0..600 {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                return;
            }
        }
    }
}

/// Write a Docker config with a base64 login for `host`.
pub fn docker_config(dir: &Path, host: &str, user: &str, pass: &str) -> PathBuf {
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
    let p = dir.join("config.json");
    std::fs::write(
        &p,
        serde_json::json!({"auths": {host: {"auth": auth}}}).to_string(),
    )
    .unwrap();
    p
}

//! `bulkhead server` against a client that behaves like Harbor's job
//! service: metadata, scan, then polls the report honouring 302 and
//! `Refresh-After`, in both vulnerability media types, the raw report and
//! both SBOM formats. Images are pushed to Debian's `docker-registry` on
//! 127.0.0.1 behind Basic auth; Harbor's credential travels in the scan
//! request and never reaches the server's logs (`-vvv`). Every document is
//! validated against the schemas of the Pluggable Scanner API v1.2
//! (`tests/fixtures/harbor-scanner-spec/`). Also: the API token, the error
//! media type on 400/404/422/501, 100 concurrent polls answered while
//! scans hold every worker, `/metrics`, and a graceful stop on SIGTERM
//! that lets running scans finish.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../bulkhead-image/tests/support/mod.rs"]
mod support;

use assert_cmd::Command as AssertCommand;
use bulkhead_fixtures::{ImageBuilder, Layout};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const VULN: &str = "application/vnd.security.vulnerability.report; version=1.1";
const VULN_HARBOR: &str = "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0";
const RAW: &str = "application/vnd.scanner.adapter.vuln.report.raw";
const SBOM: &str = "application/vnd.security.sbom.report+json; version=1.0";
const ERROR: &str = "application/vnd.scanner.adapter.error+json; version=1.0";
const METADATA: &str = "application/vnd.scanner.adapter.metadata+json; version=1.1";
const SCAN_REQUEST: &str = "application/vnd.scanner.adapter.scan.request+json; version=1.1";
const SCAN_RESPONSE: &str = "application/vnd.scanner.adapter.scan.response+json; version=1.0";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

const USER: &str = "robot$harbor";
const PASSWORD: &str = "Pw-7f3c9e1d-never-logged";
const TOKEN: &str = "api-token-5b2e8a";

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

// ---------------------------------------------------------------- schemas

/// The spec's component schemas (converted to JSON Schema, committed).
fn spec_schemas() -> Value {
    let path = fixtures().join("harbor-scanner-spec/scanner-adapter-v1.2.schema.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Errors of `doc` against the spec's component `name` (formats checked:
/// `date-time`, `uri`).
fn spec_errors(doc: &Value, name: &str) -> Vec<String> {
    let spec = spec_schemas();
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": spec["$defs"],
        "$ref": format!("#/$defs/{name}"),
    });
    let v = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    v.iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn assert_valid(doc: &Value, name: &str) {
    let errors = spec_errors(doc, name);
    assert!(errors.is_empty(), "{name}: {errors:#?}\n{doc:#}");
}

/// The committed CycloneDX 1.6 schema (and the schemas it references).
struct LocalSchemas(PathBuf);

impl jsonschema::Retrieve for LocalSchemas {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri
            .path()
            .as_str()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string();
        let bytes = std::fs::read(self.0.join(&name))
            .map_err(|e| format!("schema {uri} is not committed ({name}): {e}"))?;
        Ok(serde_json::from_slice(&bytes)?)
    }
}

fn cyclonedx_errors(doc: &Value) -> Vec<String> {
    let dir = fixtures().join("cyclonedx-schema");
    let schema: Value =
        serde_json::from_slice(&std::fs::read(dir.join("bom-1.6.schema.json")).unwrap()).unwrap();
    let v = jsonschema::options()
        .with_retriever(LocalSchemas(dir))
        .build(&schema)
        .unwrap();
    v.iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

// ---------------------------------------------------------------- images

fn add_tree(layer: &mut bulkhead_fixtures::LayerBuilder, root: &Path) {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    for f in files {
        let rel = f.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        layer.file(&rel, &std::fs::read(&f).unwrap()).unwrap();
    }
}

/// The README's demo image (Debian 11 with openssl, zlib and curl below
/// their fixes), plus `extra` as a third layer, as an OCI layout; returns
/// the manifest digest.
fn demo_image(out: &Path, extra: &str) -> String {
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bulkhead-fixtures/demo");
    let mut b = ImageBuilder::new().tag("bulkhead-demo:1.0");
    for (i, name) in ["layer0-base", "layer1-app"].iter().enumerate() {
        add_tree(
            b.layer(&format!("demo layer {i}: {name}")),
            &demo.join(name),
        );
    }
    b.layer("extra")
        .file("etc/extra", extra.as_bytes())
        .unwrap();
    b.write(Layout::OciDir, out).unwrap();
    let index: Value =
        serde_json::from_slice(&std::fs::read(out.join("index.json")).unwrap()).unwrap();
    index["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A cache whose database holds the four committed demo advisories.
fn demo_cache(work: &Path) -> PathBuf {
    let cache = work.join("cache");
    let advisories =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bulkhead-fixtures/demo/advisories");
    let out = AssertCommand::cargo_bin("bulkhead")
        .unwrap()
        .env("BULKHEAD_CACHE_DIR", &cache)
        .args(["db", "import"])
        .arg(advisories)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    cache
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

// ---------------------------------------------------------------- server

/// A running `bulkhead server`, killed on drop; its stderr goes to a file.
struct Server {
    child: Child,
    base: String,
    stderr: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(dir: &Path, cache: &Path, args: &[&str], env: &[(&str, &Path)]) -> Server {
        let env: Vec<(&str, String)> = env
            .iter()
            .map(|(k, v)| (*k, v.display().to_string()))
            .collect();
        Server::start_with(dir, cache, args, &env)
    }

    fn start_with(dir: &Path, cache: &Path, args: &[&str], env: &[(&str, String)]) -> Server {
        let stderr = dir.join(format!("server-{}.log", uuid_like()));
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("bulkhead"));
        cmd.env("BULKHEAD_CACHE_DIR", cache)
            .env_remove("BULKHEAD_LOG")
            .env_remove("BULKHEAD_SERVER_TOKEN")
            .env_remove("BULKHEAD_TEST_SCAN_GATE")
            .env_remove("BULKHEAD_DB_URL")
            .env_remove("BULKHEAD_FLEET_KEY")
            .env("NO_COLOR", "1")
            .args(["-vvv", "server", "--listen", "127.0.0.1:0", "--offline"])
            .args(["--retry-after", "1"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr).unwrap());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().unwrap();
        let mut server = Server {
            child,
            base: String::new(),
            stderr,
        };
        for _ in 0..600 {
            let log = server.log();
            if let Some(addr) = log
                .lines()
                .find_map(|l| l.strip_prefix("bulkhead server listening on "))
            {
                server.base = addr.trim().to_string();
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("the server exited ({status}):\n{log}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not announce its address:\n{}", server.log());
    }

    fn log(&self) -> String {
        let f = std::fs::File::open(&self.stderr).unwrap();
        let mut s = String::new();
        for l in BufReader::new(f).lines() {
            s.push_str(&l.unwrap_or_default());
            s.push('\n');
        }
        s
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// A client that never follows redirects (Harbor reads the 302 itself).
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

struct Answer {
    status: u16,
    content_type: String,
    headers: ureq::http::HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    /// An error in the spec's error media type.
    fn assert_error(&self, status: u16) -> String {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.content_type, ERROR, "{}", self.body);
        let v = self.json();
        assert_valid(&v, "ErrorResponse");
        let msg = v["error"]["message"].as_str().unwrap().to_string();
        assert!(!msg.is_empty());
        msg
    }
}

fn answer(resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut resp = resp.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = resp.body_mut().read_to_string().unwrap_or_default();
    Answer {
        status,
        content_type,
        headers,
        body,
    }
}

fn get(agent: &ureq::Agent, url: &str, token: Option<&str>, accept: Option<&str>) -> Answer {
    let mut r = agent.get(url);
    if let Some(t) = token {
        r = r.header("Authorization", &format!("Bearer {t}"));
    }
    if let Some(a) = accept {
        r = r.header("Accept", a);
    }
    answer(r.call())
}

fn post(agent: &ureq::Agent, url: &str, token: Option<&str>, ct: &str, body: &[u8]) -> Answer {
    let mut r = agent.post(url).header("Content-Type", ct);
    if let Some(t) = token {
        r = r.header("Authorization", &format!("Bearer {t}"));
    }
    answer(r.send(body))
}

fn scan_request(registry: &str, repo: &str, digest: &str, authorization: Option<&str>) -> Value {
    let mut registry = json!({"url": format!("http://{registry}")});
    if let Some(a) = authorization {
        registry["authorization"] = json!(a);
    }
    let req = json!({
        "registry": registry,
        "artifact": {"repository": repo, "digest": digest, "tag": "1.0", "mime_type": OCI_MANIFEST},
        "enabled_capabilities": [
            {"type": "vulnerability", "produces_mime_types": [VULN, VULN_HARBOR, RAW]},
            {"type": "sbom", "produces_mime_types": [SBOM],
             "parameters": {"sbom_media_types": ["application/spdx+json", "application/vnd.cyclonedx+json"]}}
        ]
    });
    assert_valid(&req, "ScanRequest");
    req
}

/// Submit like Harbor: 202 and an id.
fn submit(agent: &ureq::Agent, server: &Server, token: Option<&str>, req: &Value) -> String {
    let a = post(
        agent,
        &server.url("/api/v1/scan"),
        token,
        SCAN_REQUEST,
        &serde_json::to_vec(req).unwrap(),
    );
    assert_eq!(a.status, 202, "{}", a.body);
    assert_eq!(a.content_type, SCAN_RESPONSE);
    let v = a.json();
    assert_valid(&v, "ScanResponse");
    v["id"].as_str().unwrap().to_string()
}

/// Poll like Harbor: while 302, wait `Refresh-After` seconds and ask again
/// (bounded); returns the first other answer and how many 302s came first.
fn poll(
    agent: &ureq::Agent,
    server: &Server,
    token: Option<&str>,
    id: &str,
    accept: &str,
    query: &str,
) -> (Answer, usize) {
    let url = server.url(&format!("/api/v1/scan/{id}/report{query}"));
    for pending in 0..300 {
        let a = get(agent, &url, token, Some(accept));
        if a.status != 302 {
            return (a, pending);
        }
        let wait: u64 = a
            .header("Refresh-After")
            .expect("a 302 carries Refresh-After")
            .parse()
            .expect("Refresh-After is an integer");
        assert!(wait >= 1);
        let location = a.header("Location").expect("a 302 carries Location");
        assert!(
            location.ends_with(&format!("/api/v1/scan/{id}/report{query}")),
            "{location}"
        );
        std::thread::sleep(Duration::from_secs(wait));
    }
    panic!("the report of {id} stayed pending");
}

/// Send raw bytes, read the answer until the server closes.
fn raw_request(server: &Server, request: &str) -> String {
    use std::io::{Read, Write};
    let mut c = std::net::TcpStream::connect(server.base.trim_start_matches("http://")).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    c.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = c.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(' ')))
        .and_then(|v| v.trim().parse().ok())
}

/// Each named sample of the Prometheus text has exactly its value.
fn assert_metrics(text: &str, want: &[(&str, f64)]) {
    for &(name, value) in want {
        assert_eq!(metric(text, name), Some(value), "{name} in:\n{text}");
    }
}

// ---------------------------------------------------------------- tests

#[test]
fn harbor_contract_with_registry_credentials() {
    let hash = bcrypt::hash(PASSWORD, 4).unwrap();
    let Some(reg) = support::LocalRegistry::start(Some(&format!("{USER}:{hash}"))) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let layout = work.path().join("demo");
    let digest = demo_image(&layout, "one");
    let pusher = bulkhead_image::registry::Registry::with_credentials(
        &reg.host,
        support::test_options(),
        bulkhead_image::registry::Credential {
            username: USER.into(),
            password: PASSWORD.into(),
        },
    )
    .unwrap();
    support::push_layout(&pusher, "library/demo", "1.0", &layout);
    let cache = demo_cache(work.path());
    let server = Server::start(work.path(), &cache, &["--token", TOKEN], &[]);
    let agent = agent();
    let t = Some(TOKEN);

    // The API needs the token; the probes and metrics do not.
    get(&agent, &server.url("/api/v1/metadata"), None, None).assert_error(401);
    get(&agent, &server.url("/api/v1/metadata"), Some("wrong"), None).assert_error(401);
    assert_eq!(
        get(&agent, &server.url("/probe/healthy"), None, None).status,
        200
    );
    assert_eq!(
        get(&agent, &server.url("/probe/ready"), None, None).status,
        200
    );

    // Metadata.
    let m = get(&agent, &server.url("/api/v1/metadata"), t, None);
    assert_eq!(m.status, 200, "{}", m.body);
    assert_eq!(m.content_type, METADATA);
    let meta = m.json();
    assert_valid(&meta, "ScannerAdapterMetadata");
    assert_eq!(meta["scanner"]["name"], "Bulkhead");
    let caps = meta["capabilities"].as_array().unwrap();
    let vuln = caps.iter().find(|c| c["type"] == "vulnerability").unwrap();
    for mt in [VULN, VULN_HARBOR, RAW] {
        assert!(
            vuln["produces_mime_types"]
                .as_array()
                .unwrap()
                .contains(&json!(mt))
        );
    }
    let sbom = caps.iter().find(|c| c["type"] == "sbom").unwrap();
    assert_eq!(sbom["produces_mime_types"], json!([SBOM]));
    assert_eq!(
        sbom["additional_attributes"]["sbom_media_types"],
        json!(["application/spdx+json", "application/vnd.cyclonedx+json"])
    );
    for c in caps {
        assert_eq!(
            c["consumes_mime_types"],
            json!([
                OCI_MANIFEST,
                "application/vnd.docker.distribution.manifest.v2+json"
            ])
        );
    }
    assert!(
        meta["properties"]["harbor.scanner-adapter/vulnerability-database-updated-at"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{meta:#}"
    );
    let old = get(
        &agent,
        &server.url("/api/v1/metadata"),
        t,
        Some("application/vnd.scanner.adapter.metadata+json; version=1.0"),
    );
    assert_eq!(
        old.content_type,
        "application/vnd.scanner.adapter.metadata+json; version=1.0"
    );

    // Scan with Harbor's robot credential, then every report type.
    let auth = basic(USER, PASSWORD);
    let req = scan_request(&reg.host, "library/demo", &digest, Some(&auth));
    let id = submit(&agent, &server, t, &req);
    let (a, _) = poll(&agent, &server, t, &id, VULN, "");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.content_type, VULN);
    let report = a.json();
    assert_valid(&report, "HarborVulnerabilityReport");
    assert_eq!(report["artifact"]["repository"], "library/demo");
    assert_eq!(report["artifact"]["digest"], digest.as_str());
    assert_eq!(report["artifact"]["mime_type"], OCI_MANIFEST);
    assert_eq!(report["scanner"], meta["scanner"]);
    let vulns = report["vulnerabilities"].as_array().unwrap();
    // The demo image: 12 findings in libssl1.1, zlib1g, curl and libcurl4.
    assert_eq!(vulns.len(), 12, "{report:#}");
    let packages: std::collections::BTreeSet<&str> = vulns
        .iter()
        .map(|v| v["package"].as_str().unwrap())
        .collect();
    assert_eq!(
        packages.into_iter().collect::<Vec<_>>(),
        ["curl", "libcurl4", "libssl1.1", "zlib1g"]
    );
    for v in vulns {
        assert!(!v["id"].as_str().unwrap().is_empty());
        assert!(!v["version"].as_str().unwrap().is_empty());
        assert!(v["fix_version"].is_string());
        assert!(v["links"].is_array() && v["cwe_ids"].is_array());
    }
    let highest = vulns
        .iter()
        .map(|v| {
            ["Unknown", "Negligible", "Low", "Medium", "High", "Critical"]
                .iter()
                .position(|s| v["severity"] == *s)
                .unwrap()
        })
        .max()
        .unwrap();
    assert_eq!(
        report["severity"],
        ["Unknown", "Negligible", "Low", "Medium", "High", "Critical"][highest]
    );

    let (a, pending) = poll(&agent, &server, t, &id, VULN_HARBOR, "");
    assert_eq!((a.status, pending), (200, 0), "{}", a.body);
    assert_eq!(a.content_type, VULN_HARBOR);
    let older = a.json();
    assert_valid(&older, "HarborVulnerabilityReport");
    assert_eq!(older["vulnerabilities"], report["vulnerabilities"]);

    let (a, _) = poll(&agent, &server, t, &id, RAW, "");
    assert_eq!(a.status, 200);
    assert_eq!(a.content_type, RAW);
    let raw = a.json();
    assert_eq!(raw["SchemaVersion"], 2);
    assert!(
        raw["Results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["Packages"].as_array().is_some_and(|p| !p.is_empty()))
    );

    for (media, check) in [
        ("application/spdx+json", "spdx"),
        ("application/vnd.cyclonedx+json", "cyclonedx"),
    ] {
        let q = format!("?sbom_media_type={}", media.replace('+', "%2B"));
        let (a, _) = poll(&agent, &server, t, &id, SBOM, &q);
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(a.content_type, SBOM);
        let doc = a.json();
        assert_valid(&doc, "HarborSbomReport");
        assert_eq!(doc["media_type"], media);
        assert_eq!(doc["artifact"]["digest"], digest.as_str());
        if check == "spdx" {
            assert_eq!(doc["sbom"]["spdxVersion"], "SPDX-2.3");
            let names: Vec<&str> = doc["sbom"]["packages"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|p| p["name"].as_str())
                .collect();
            assert!(names.contains(&"zlib1g"), "{names:?}");
        } else {
            let errors = cyclonedx_errors(&doc["sbom"]);
            assert!(errors.is_empty(), "{errors:#?}");
        }
    }

    // Errors, in the spec's error media type.
    let rep = server.url(&format!("/api/v1/scan/{id}/report"));
    get(&agent, &rep, t, Some(SBOM)).assert_error(400);
    get(
        &agent,
        &format!("{rep}?sbom_media_type=text%2Fplain"),
        t,
        Some(SBOM),
    )
    .assert_error(400);
    get(&agent, &rep, t, Some("text/html")).assert_error(501);
    get(&agent, &rep, t, Some(&VULN.replace("1.1", "7.0"))).assert_error(501);
    get(
        &agent,
        &server.url("/api/v1/scan/no-such-scan/report"),
        t,
        Some(VULN),
    )
    .assert_error(404);
    let scan_url = server.url("/api/v1/scan");
    post(&agent, &scan_url, t, SCAN_REQUEST, b"{not json").assert_error(400);
    post(&agent, &scan_url, t, SCAN_REQUEST, br#"{"registry": 5}"#).assert_error(400);
    let mut bad = req.clone();
    bad["artifact"]["digest"] = json!("sha256:1234");
    let msg = post(
        &agent,
        &scan_url,
        t,
        SCAN_REQUEST,
        &serde_json::to_vec(&bad).unwrap(),
    )
    .assert_error(422);
    assert!(msg.contains("artifact.digest"), "{msg}");
    let mut bad = req.clone();
    bad.as_object_mut().unwrap().remove("artifact");
    post(
        &agent,
        &scan_url,
        t,
        SCAN_REQUEST,
        &serde_json::to_vec(&bad).unwrap(),
    )
    .assert_error(422);
    post(
        &agent,
        &scan_url,
        t,
        "application/vnd.scanner.adapter.scan.request+json; version=9.0",
        &serde_json::to_vec(&req).unwrap(),
    )
    .assert_error(415);
    // A body over the limit is refused from its Content-Length, before it
    // is read (sent by hand: the client stops after the headers).
    let big = raw_request(
        &server,
        &format!(
            "POST /api/v1/scan HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{{",
            2 << 20
        ),
    );
    assert!(big.starts_with("HTTP/1.1 413"), "{big}");
    assert!(big.contains(ERROR), "{big}");

    // The credential is used: a wrong password fails the scan (500, the
    // registry's refusal) without echoing it.
    let wrong = basic(USER, "Wrong-pw-51d0");
    let bad_id = submit(
        &agent,
        &server,
        t,
        &scan_request(&reg.host, "library/demo", &digest, Some(&wrong)),
    );
    let (a, _) = poll(&agent, &server, t, &bad_id, VULN, "");
    let msg = a.assert_error(500);
    assert!(msg.contains("refused") || msg.contains("login"), "{msg}");
    assert!(!msg.contains("Wrong-pw-51d0"), "{msg}");
    // And without a credential the private repository cannot be read.
    let anon_id = submit(
        &agent,
        &server,
        t,
        &scan_request(&reg.host, "library/demo", &digest, None),
    );
    poll(&agent, &server, t, &anon_id, VULN, "")
        .0
        .assert_error(500);

    // A rescan reuses every layer from the layer cache.
    let again = submit(&agent, &server, t, &req);
    assert_eq!(poll(&agent, &server, t, &again, VULN, "").0.status, 200);
    let metrics = get(&agent, &server.url("/metrics"), None, None);
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .content_type
            .starts_with("text/plain; version=0.0.4")
    );
    let text = metrics.body;
    assert_metrics(
        &text,
        &[
            ("bulkhead_queue_depth", 0.0),
            ("bulkhead_jobs{state=\"done\"}", 2.0),
            ("bulkhead_jobs{state=\"failed\"}", 2.0),
            ("bulkhead_scan_seconds_count", 4.0),
        ],
    );
    assert!(
        text.contains("# TYPE bulkhead_scan_seconds histogram"),
        "{text}"
    );
    // 3 layers read cold, then 3 reused: 0.5.
    assert_eq!(
        metric(&text, "bulkhead_layer_reuse_ratio"),
        Some(0.5),
        "{text}"
    );

    // Nothing of the credential reaches the logs, at -vvv.
    let log = server.log();
    assert!(log.contains("scan started"), "{log}");
    let secret_b64 = auth.strip_prefix("Basic ").unwrap();
    for needle in [PASSWORD, secret_b64, "Wrong-pw-51d0", TOKEN] {
        assert!(!log.contains(needle), "{needle} in the server log:\n{log}");
    }
}

#[test]
fn polls_are_answered_while_scans_hold_every_worker_and_sigterm_lets_them_finish() {
    let Some(reg) = support::LocalRegistry::start(None) else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let pusher =
        bulkhead_image::registry::Registry::new(&reg.host, support::test_options()).unwrap();
    let mut digests = Vec::new();
    for (i, extra) in ["a", "b", "c"].iter().enumerate() {
        let layout = work.path().join(format!("img{i}"));
        digests.push(demo_image(&layout, extra));
        support::push_layout(&pusher, &format!("team/app{i}"), "1.0", &layout);
    }
    let cache = demo_cache(work.path());
    let gate = work.path().join("gate");
    let server = Server::start(
        work.path(),
        &cache,
        &["--concurrency", "2"],
        &[("BULKHEAD_TEST_SCAN_GATE", &gate)],
    );
    let agent = agent();
    let ids: Vec<String> = digests
        .iter()
        .enumerate()
        .map(|(i, d)| {
            submit(
                &agent,
                &server,
                None,
                &scan_request(&reg.host, &format!("team/app{i}"), d, None),
            )
        })
        .collect();
    // Two scans hold both workers (held at the gate); one waits.
    let mut text = String::new();
    for _ in 0..600 {
        text = get(&agent, &server.url("/metrics"), None, None).body;
        if metric(&text, "bulkhead_jobs{state=\"running\"}") == Some(2.0) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        metric(&text, "bulkhead_jobs{state=\"running\"}"),
        Some(2.0),
        "{text}"
    );
    assert_eq!(metric(&text, "bulkhead_queue_depth"), Some(1.0), "{text}");

    // 100 concurrent report polls, each on its own connection.
    let base = server.base.clone();
    let handles: Vec<_> = (0..100)
        .map(|i| {
            let url = format!("{base}/api/v1/scan/{}/report", ids[i % ids.len()]);
            std::thread::spawn(move || {
                let a = get(&agent_fresh(), &url, None, Some(VULN));
                (a.status, a.header("Refresh-After"))
            })
        })
        .collect();
    let answers: Vec<(u16, Option<String>)> =
        handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(answers.len(), 100);
    for a in &answers {
        assert_eq!(a, &(302, Some("1".to_string())));
    }
    assert_eq!(
        get(&agent, &server.url("/probe/ready"), None, None).status,
        200
    );

    // SIGTERM: no new connections, but the running scans may finish.
    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut closed = false;
    for _ in 0..500 {
        if std::net::TcpStream::connect(&addr).is_err() {
            closed = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(closed, "the server still accepts connections after SIGTERM");
    let mut server = server;
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server exited before its running scans finished:\n{}",
        server.log()
    );
    std::fs::write(&gate, "open").unwrap();
    let mut status = None;
    for _ in 0..1200 {
        if let Some(s) = server.child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = server.log();
    let status = status.unwrap_or_else(|| panic!("the server did not stop:\n{log}"));
    assert!(status.success(), "{status}:\n{log}");
    assert!(log.contains("bulkhead server: stopping"), "{log}");
    assert_eq!(log.matches("scan finished").count(), 2, "{log}");
    assert!(log.contains("no scan running"), "{log}");
}

fn agent_fresh() -> ureq::Agent {
    agent()
}

// ------------------------------------------------ the fleet: PostgreSQL

/// The fleet's seal key for registry credentials (test value).
const FLEET_KEY: &str = "9d2c4b6a8e0f1a3c5e7092b4d6f8a0c2e4061829a3b5c7d9e1f3a5b7c9d1e3f5";

/// A `bulkhead worker --db` with its own cache (its own advisory
/// database), killed on drop; stderr to a file.
struct Worker {
    child: Child,
    stderr: PathBuf,
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Worker {
    /// `gate`: scans wait until this file exists (the test hook).
    fn start(dir: &Path, cache: &Path, url: &str, name: &str, gate: &Path) -> Worker {
        let stderr = dir.join(format!("{name}-{}.log", uuid_like()));
        let child = Command::new(assert_cmd::cargo::cargo_bin("bulkhead"))
            .env("BULKHEAD_CACHE_DIR", cache)
            .env("BULKHEAD_TEST_SCAN_GATE", gate)
            .env("BULKHEAD_DB_URL", url)
            .env("BULKHEAD_FLEET_KEY", FLEET_KEY)
            .env_remove("BULKHEAD_LOG")
            .env("NO_COLOR", "1")
            .args(["-vvv", "worker", "--poll", "1"])
            .args(["--retry-backoff", "0", "--concurrency", "2"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        Worker { child, stderr }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

/// Every row of every table of the fleet database, as text.
fn dump_database(pg: &bulkhead_testkit::postgres::Cluster, db: &str) -> String {
    pg.dump(db)
}

#[test]
fn harbor_contract_on_postgres_with_two_workers_and_a_restart() {
    let Some(pg) = bulkhead_testkit::postgres::Cluster::start() else {
        return;
    };
    let hash = bcrypt::hash(PASSWORD, 4).unwrap();
    let Some(reg) = support::LocalRegistry::start(Some(&format!("{USER}:{hash}"))) else {
        return;
    };
    let url = pg.create_db("harbor");
    let work = tempfile::tempdir().unwrap();
    let pusher = bulkhead_image::registry::Registry::with_credentials(
        &reg.host,
        support::test_options(),
        bulkhead_image::registry::Credential {
            username: USER.into(),
            password: PASSWORD.into(),
        },
    )
    .unwrap();
    // Two images sharing the demo's two base layers.
    let mut digests = Vec::new();
    for (i, extra) in ["one", "two"].iter().enumerate() {
        let layout = work.path().join(format!("demo{i}"));
        digests.push(demo_image(&layout, extra));
        support::push_layout(&pusher, &format!("library/demo{i}"), "1.0", &layout);
    }
    // Each worker has its own advisory database (the demo advisories);
    // the server has none. Scans wait at the gate while it is closed
    // (only for the polling part below).
    let gate = work.path().join("gate");
    std::fs::write(&gate, "open").unwrap();
    let w1 = Worker::start(
        work.path(),
        &demo_cache(&work.path().join("w1")),
        &url,
        "w1",
        &gate,
    );
    let w2 = Worker::start(
        work.path(),
        &demo_cache(&work.path().join("w2")),
        &url,
        "w2",
        &gate,
    );
    let empty_cache = work.path().join("server-cache");
    let server_env = |s: &str| -> Vec<(&'static str, String)> {
        vec![
            ("BULKHEAD_DB_URL", s.to_string()),
            ("BULKHEAD_FLEET_KEY", FLEET_KEY.to_string()),
        ]
    };
    let server = Server::start_with(
        work.path(),
        &empty_cache,
        &["--token", TOKEN, "--max-attempts", "1"],
        &server_env(&url),
    );
    let agent = agent();
    let t = Some(TOKEN);

    assert_eq!(
        get(&agent, &server.url("/probe/ready"), None, None).status,
        200
    );
    let m = get(&agent, &server.url("/api/v1/metadata"), t, None);
    assert_eq!(m.status, 200, "{}", m.body);
    assert_eq!(m.content_type, METADATA);
    let meta = m.json();
    assert_valid(&meta, "ScannerAdapterMetadata");
    assert_eq!(meta["properties"]["bulkhead/backend"], "postgresql");

    // Image 0 with Harbor's robot credential: every report type.
    let auth = basic(USER, PASSWORD);
    let req = scan_request(&reg.host, "library/demo0", &digests[0], Some(&auth));
    let id = submit(&agent, &server, t, &req);
    let (a, _) = poll(&agent, &server, t, &id, VULN, "");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.content_type, VULN);
    let report = a.json();
    assert_valid(&report, "HarborVulnerabilityReport");
    assert_eq!(report["artifact"]["repository"], "library/demo0");
    assert_eq!(report["artifact"]["digest"], digests[0].as_str());
    assert_eq!(report["scanner"], meta["scanner"]);
    assert_eq!(
        report["vulnerabilities"].as_array().unwrap().len(),
        12,
        "{report:#}"
    );
    let (a, pending) = poll(&agent, &server, t, &id, VULN_HARBOR, "");
    assert_eq!((a.status, pending), (200, 0), "{}", a.body);
    assert_eq!(a.content_type, VULN_HARBOR);
    let older = a.json();
    assert_valid(&older, "HarborVulnerabilityReport");
    assert_eq!(older["vulnerabilities"], report["vulnerabilities"]);
    let (a, _) = poll(&agent, &server, t, &id, RAW, "");
    assert_eq!((a.status, a.content_type.as_str()), (200, RAW));
    assert_eq!(a.json()["SchemaVersion"], 2);
    for media in ["application/spdx+json", "application/vnd.cyclonedx+json"] {
        let q = format!("?sbom_media_type={}", media.replace('+', "%2B"));
        let (a, _) = poll(&agent, &server, t, &id, SBOM, &q);
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(a.content_type, SBOM);
        let doc = a.json();
        assert_valid(&doc, "HarborSbomReport");
        assert_eq!(doc["media_type"], media);
        if media.contains("cyclonedx") {
            let errors = cyclonedx_errors(&doc["sbom"]);
            assert!(errors.is_empty(), "{errors:#?}");
        } else {
            assert_eq!(doc["sbom"]["spdxVersion"], "SPDX-2.3");
        }
    }
    get(
        &agent,
        &server.url("/api/v1/scan/no-such-scan/report"),
        t,
        Some(VULN),
    )
    .assert_error(404);

    // Image 1 with a wrong password: the job fails (one attempt), its
    // error reaches Harbor without the password.
    let wrong = basic(USER, "Wrong-pw-51d0");
    let bad = submit(
        &agent,
        &server,
        t,
        &scan_request(&reg.host, "library/demo1", &digests[1], Some(&wrong)),
    );
    let msg = poll(&agent, &server, t, &bad, VULN, "").0.assert_error(500);
    assert!(msg.contains("refused") || msg.contains("login"), "{msg}");
    assert!(!msg.contains("Wrong-pw-51d0"), "{msg}");

    // Image 1 again, with the right credential, held at the gate: 100
    // concurrent polls are answered while a worker runs the job.
    std::fs::remove_file(&gate).unwrap();
    let id1 = submit(
        &agent,
        &server,
        t,
        &scan_request(&reg.host, "library/demo1", &digests[1], Some(&auth)),
    );
    let running = |agent: &ureq::Agent| {
        let text = get(agent, &server.url("/metrics"), None, None).body;
        metric(&text, "bulkhead_jobs{state=\"running\"}")
    };
    for _ in 0..600 {
        if running(&agent) == Some(1.0) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(running(&agent), Some(1.0));
    let base = server.base.clone();
    let handles: Vec<_> = (0..100)
        .map(|i| {
            let held = i % 2 == 0;
            let which = if held { id1.clone() } else { id.clone() };
            let url = format!("{base}/api/v1/scan/{which}/report");
            std::thread::spawn(move || {
                let mut r = agent_fresh().get(&url).header("Accept", VULN);
                r = r.header("Authorization", &format!("Bearer {TOKEN}"));
                (held, answer(r.call()).status)
            })
        })
        .collect();
    for h in handles {
        // The held scan is pending, the finished one ready.
        let (held, status) = h.join().unwrap();
        assert_eq!(status, if held { 302 } else { 200 });
    }
    assert_eq!(running(&agent), Some(1.0), "the job ran on while polled");
    std::fs::write(&gate, "open").unwrap();
    let (a, _) = poll(&agent, &server, t, &id1, VULN, "");
    assert_eq!(a.status, 200, "{}", a.body);
    assert_valid(&a.json(), "HarborVulnerabilityReport");
    // The same digest again: answered from the stored result, no new job.
    let again = submit(&agent, &server, t, &req);
    let (a, pending) = poll(&agent, &server, t, &again, VULN, "");
    assert_eq!((a.status, pending), (200, 0), "{}", a.body);

    // Metrics: two results, one failure, the base layers shared.
    let text = get(&agent, &server.url("/metrics"), None, None).body;
    assert_metrics(
        &text,
        &[
            ("bulkhead_queue_depth", 0.0),
            ("bulkhead_jobs{state=\"done\"}", 2.0),
            ("bulkhead_jobs{state=\"failed\"}", 1.0),
            ("bulkhead_scan_seconds_count", 2.0),
            // 3 layers analysed for image 0; image 1 reuses its 2 base layers.
            ("bulkhead_layer_reuse_ratio", 2.0 / 6.0),
        ],
    );

    // A new server process answers the old ids: the state is in PostgreSQL.
    drop(server);
    let server = Server::start_with(
        work.path(),
        &empty_cache,
        &["--token", TOKEN],
        &server_env(&url),
    );
    let (a, pending) = poll(&agent, &server, t, &id, VULN, "");
    assert_eq!((a.status, pending), (200, 0), "{}", a.body);
    assert_eq!(a.json()["vulnerabilities"], report["vulnerabilities"]);

    // The database away: Harbor gets 500 saying which step failed, not
    // the database's address (that is in the server's log); not ready.
    pg.stop();
    let msg = poll(&agent, &server, t, &id, VULN, "").0.assert_error(500);
    assert!(msg.contains("cannot read the scan request"), "{msg}");
    assert!(!msg.contains(&pg.port().to_string()), "{msg}");
    assert_eq!(
        get(&agent, &server.url("/probe/ready"), None, None).status,
        503
    );
    pg.restart();
    let (a, _) = poll(&agent, &server, t, &id, VULN, "");
    assert_eq!(a.status, 200, "{}", a.body);

    // A server without BULKHEAD_FLEET_KEY cannot keep Harbor's credential:
    // 500 (its set-up is at fault, not the request), naming the variable.
    let keyless = Server::start_with(
        work.path(),
        &empty_cache,
        &["--token", TOKEN],
        &[("BULKHEAD_DB_URL", url.clone())],
    );
    let body = serde_json::to_vec(&req).unwrap();
    let a = post(&agent, &keyless.url("/api/v1/scan"), t, SCAN_REQUEST, &body);
    let msg = a.assert_error(500);
    assert!(msg.contains("BULKHEAD_FLEET_KEY"), "{msg}");
    let keyless_log = keyless.log();
    assert!(
        keyless_log.contains("nothing to seal it with (set BULKHEAD_FLEET_KEY: 64 hex digits"),
        "{keyless_log}"
    );
    drop(keyless);
    let log = server.log();
    assert!(
        log.contains("ERROR") && log.contains("cannot read the scan request: "),
        "{log}"
    );

    // No credential in any log or anywhere in the database.
    let secret_b64 = auth.strip_prefix("Basic ").unwrap().to_string();
    let wrong_b64 = wrong.strip_prefix("Basic ").unwrap().to_string();
    let dump = dump_database(&pg, "harbor");
    assert!(dump.contains(&digests[0]), "the dump holds the results");
    let metrics = get(&agent, &server.url("/metrics"), None, None).body;
    let meta = get(&agent, &server.url("/api/v1/metadata"), t, None).body;
    for (what, text) in [
        ("server", log),
        ("server without a key", keyless_log),
        ("metrics", metrics),
        ("metadata", meta),
        ("worker 1", w1.log()),
        ("worker 2", w2.log()),
        ("database", dump),
    ] {
        for needle in [
            PASSWORD,
            &secret_b64,
            "Wrong-pw-51d0",
            &wrong_b64,
            TOKEN,
            FLEET_KEY,
        ] {
            assert!(!text.contains(needle), "{needle} in the {what}:\n{text}");
        }
    }
}

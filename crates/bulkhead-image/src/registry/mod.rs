//! A client for the OCI distribution API v2 (pull, a little push, referrers).
//!
//! Why a small client on `ureq` rather than `oci-client`: `oci-client` is
//! async (tokio + reqwest) and pulls blobs into an `AsyncWrite`, while our
//! layer reader is a blocking `Read` run on rayon threads; bridging would add
//! a runtime and a copy per layer. It also takes credentials as given (no
//! `credsStore`/`credHelpers`), and its retry, per-read stall timeout and
//! size caps are not configurable. `ureq` (already in the workspace for the
//! advisory mirror) gives a blocking streamed body, TLS (rustls) with an
//! opt-out for `--insecure`, redirect limits and per-read/global timeouts;
//! what remains (content negotiation, the token flow, retries) is the small
//! part of the protocol written here.
//!
//! **Invariants**: every manifest and config is verified against its digest
//! here, and size-capped before it is read; layer blobs are verified by the
//! layer reader as they stream ([`BlobRef::Remote`]). Every request is bounded
//! by the total deadline, and every read by the stall timeout. Credentials and
//! tokens never reach logs or error messages.

pub mod auth;

use crate::blob::RemoteBlob;
use crate::oci::{
    ConfigFacts, config_facts, is_index_media_type, parse_json, pick_manifest, sha256_hex,
};
use crate::reference::Reference;
use crate::{BlobRef, Image, ImageError, Layer, MAX_JSON_BYTES, Platform};
pub use auth::{Authorization, Credential};
use oci_spec::image::{ImageIndex, ImageManifest};
use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use ureq::http;

/// OCI image manifest media type.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index media type.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Docker image manifest v2 schema 2.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list.
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

const ACCEPT_MANIFESTS: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.docker.distribution.manifest.v2+json";

/// How the client behaves.
#[derive(Debug, Clone)]
pub struct RegistryOptions {
    /// Plain HTTP and unverified TLS for this registry (`--insecure`).
    /// Registries on localhost may always use plain HTTP.
    pub insecure: bool,
    /// Deadline for everything this client does, from its creation.
    pub timeout: Duration,
    /// Longest wait for any single read (a registry that stalls mid-blob).
    pub read_timeout: Duration,
    /// Extra attempts after a connection error, 429 or 5xx.
    pub retries: u32,
    /// First backoff delay; doubled per attempt.
    pub backoff: Duration,
    /// The Docker CLI config for credentials (None: anonymous only).
    pub docker_config: Option<PathBuf>,
    /// Credentials given by the caller (a scan server gets them with each
    /// request): used instead of the Docker config's. Hidden in `Debug`.
    pub credential: Option<Credential>,
    /// Largest manifest or index accepted.
    pub max_manifest_bytes: u64,
    /// Most redirects followed for one request.
    pub max_redirects: u32,
    /// An `Authorization` value given for this registry (a Basic login or
    /// a Bearer token, e.g. from a Harbor scan request): used instead of
    /// the Docker config's login. Never logged (its `Debug` hides it).
    pub authorization: Option<Authorization>,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        RegistryOptions {
            insecure: false,
            timeout: Duration::from_secs(600),
            read_timeout: Duration::from_secs(60),
            retries: 3,
            backoff: Duration::from_millis(250),
            docker_config: auth::docker_config_path(),
            credential: None,
            max_manifest_bytes: 4 * 1024 * 1024,
            max_redirects: 5,
            authorization: None,
        }
    }
}

/// A client for one registry host. Cheap to clone; shareable across threads.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("host", &self.inner.host)
            .finish_non_exhaustive()
    }
}

struct Inner {
    /// Host as the user named it (for messages and credentials).
    name: String,
    /// Host the API lives on.
    host: String,
    plain_allowed: bool,
    agent: ureq::Agent,
    scheme: Mutex<Option<&'static str>>,
    creds: Option<Credential>,
    /// `Authorization` header per repository (Basic or Bearer).
    auth: Mutex<HashMap<String, String>>,
    deadline: Instant,
    opts: RegistryOptions,
}

/// Something to send.
struct Req<'a> {
    method: http::Method,
    /// Path and query (`/v2/…`) or an absolute URL (upload locations).
    target: String,
    repo: &'a str,
    accept: Option<&'a str>,
    content_type: Option<&'a str>,
    body: &'a [u8],
    /// What we are doing, for messages.
    what: &'a str,
}

fn header<'a>(r: &'a http::Response<ureq::Body>, name: &str) -> Option<&'a str> {
    r.headers().get(name).and_then(|v| v.to_str().ok())
}

/// A short, printable summary of a registry's JSON error body.
fn error_summary(resp: http::Response<ureq::Body>) -> String {
    let Ok(body) = resp
        .into_body()
        .into_with_config()
        .limit(64 * 1024)
        .read_to_vec()
    else {
        return String::new();
    };
    let parsed: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    let msgs: Vec<String> = parsed
        .as_ref()
        .and_then(|v| v.get("errors"))
        .and_then(|e| e.as_array())
        .map(|a| {
            a.iter()
                .take(3)
                .map(|e| {
                    let code = e.get("code").and_then(|c| c.as_str()).unwrap_or("");
                    let msg = e.get("message").and_then(|c| c.as_str()).unwrap_or("");
                    format!("{code}: {msg}")
                })
                .collect()
        })
        .unwrap_or_default();
    let s: String = msgs
        .join("; ")
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect();
    if s.is_empty() { s } else { format!(" ({s})") }
}

impl Registry {
    /// The error for an HTTP status the protocol step did not expect, with
    /// the registry's own error summary.
    fn unexpected(&self, resp: http::Response<ureq::Body>, what: &str) -> ImageError {
        let status = resp.status();
        let why = error_summary(resp);
        ImageError::Remote(format!(
            "registry {} answered HTTP {status} while {what}{why}",
            self.inner.name
        ))
    }

    /// A client for the registry of `reference`'s host.
    pub fn new(registry: &str, opts: RegistryOptions) -> Result<Registry, ImageError> {
        let r = Reference::parse(&format!("{registry}/x"))
            .map_err(|e| ImageError::Remote(format!("bad registry host {registry:?}: {e}")))?;
        let creds = match (&opts.authorization, &opts.credential) {
            // A Basic value is a login like the Docker config's; a Bearer
            // token is sent as it is (see `send_once`).
            (Some(a), _) => a.credential().cloned(),
            (None, Some(c)) => Some(c.clone()),
            (None, None) => auth::lookup(opts.docker_config.as_deref(), &r.registry)
                .map_err(ImageError::Auth)?,
        };
        let tls = ureq::tls::TlsConfig::builder()
            .disable_verification(opts.insecure)
            .build();
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .tls_config(tls)
            .max_redirects(opts.max_redirects)
            .max_redirects_will_error(true)
            .redirect_auth_headers(ureq::config::RedirectAuthHeaders::SameHost)
            .timeout_per_read(Some(opts.read_timeout))
            .timeout_connect(Some(opts.read_timeout.min(Duration::from_secs(30))))
            .user_agent(concat!("bulkhead/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Registry {
            inner: Arc::new(Inner {
                plain_allowed: opts.insecure || r.is_local(),
                name: r.registry.clone(),
                host: r.api_host().to_string(),
                agent: config.into(),
                scheme: Mutex::new(None),
                creds,
                auth: Mutex::new(HashMap::new()),
                deadline: Instant::now() + opts.timeout,
                opts,
            }),
        })
    }

    /// Whether credentials were found for this registry.
    pub fn has_credentials(&self) -> bool {
        self.inner.creds.is_some()
    }

    /// Use these credentials instead of the Docker config's.
    pub fn with_credentials(
        registry: &str,
        opts: RegistryOptions,
        cred: Credential,
    ) -> Result<Registry, ImageError> {
        let mut opts = opts;
        opts.docker_config = None;
        let reg = Registry::new(registry, opts)?;
        let inner = Arc::try_unwrap(reg.inner)
            .map_err(|_| ImageError::Remote("internal: registry shared too early".into()))?;
        Ok(Registry {
            inner: Arc::new(Inner {
                creds: Some(cred),
                ..inner
            }),
        })
    }

    fn remaining(&self) -> Result<Duration, ImageError> {
        let left = self
            .inner
            .deadline
            .saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ImageError::Remote(format!(
                "registry {}: gave up after the total timeout of {:?}",
                self.inner.name, self.inner.opts.timeout
            )));
        }
        Ok(left)
    }

    fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn url(&self, scheme: &str, target: &str) -> String {
        if target.starts_with("http://") || target.starts_with("https://") {
            target.to_string()
        } else {
            format!("{scheme}://{}{target}", self.inner.host)
        }
    }

    /// Decide between HTTPS and (where allowed) plain HTTP, once.
    fn scheme(&self) -> Result<&'static str, ImageError> {
        if let Some(s) = *Self::lock(&self.inner.scheme) {
            return Ok(s);
        }
        let try_scheme = |scheme: &'static str| -> Result<(), ureq::Error> {
            let req = http::Request::get(self.url(scheme, "/v2/"))
                .body(())
                .map_err(|e| ureq::Error::BadUri(e.to_string()))?;
            let left = self.remaining().unwrap_or(Duration::from_millis(1));
            let req = self
                .inner
                .agent
                .configure_request(req)
                .timeout_global(Some(left.min(Duration::from_secs(30))))
                .build();
            let resp = self.inner.agent.run(req)?;
            // Drain the small answer so the connection can be reused.
            let _ = resp
                .into_body()
                .into_with_config()
                .limit(64 * 1024)
                .read_to_vec();
            Ok(())
        };
        let chosen = match try_scheme("https") {
            Ok(()) => "https",
            Err(e) if self.inner.plain_allowed => match try_scheme("http") {
                Ok(()) => "http",
                Err(e2) => {
                    return Err(ImageError::Unreachable(format!(
                        "cannot reach registry {} over HTTPS ({e}) nor HTTP ({e2})",
                        self.inner.name
                    )));
                }
            },
            Err(e) => {
                let hint = if matches!(e, ureq::Error::Tls(_) | ureq::Error::Rustls(_)) {
                    "; if this registry uses plain HTTP or a self-signed certificate, pass --insecure"
                } else {
                    ""
                };
                return Err(ImageError::Unreachable(format!(
                    "cannot reach registry {} over HTTPS: {e}{hint}",
                    self.inner.name
                )));
            }
        };
        *Self::lock(&self.inner.scheme) = Some(chosen);
        tracing::debug!(registry = %self.inner.name, scheme = chosen, "registry reachable");
        Ok(chosen)
    }

    fn send_once(
        &self,
        req: &Req<'_>,
        scheme: &str,
    ) -> Result<http::Response<ureq::Body>, ureq::Error> {
        let mut b = http::Request::builder()
            .method(req.method.clone())
            .uri(self.url(scheme, &req.target));
        if let Some(a) = req.accept {
            b = b.header("Accept", a);
        }
        if let Some(ct) = req.content_type {
            b = b.header("Content-Type", ct);
        }
        if let Some(h) = Self::lock(&self.inner.auth).get(req.repo) {
            b = b.header("Authorization", h.as_str());
        } else if let Some(token) = self
            .inner
            .opts
            .authorization
            .as_ref()
            .and_then(|a| a.bearer())
        {
            b = b.header("Authorization", format!("Bearer {token}"));
        }
        let left = self
            .remaining()
            .map_err(|_| ureq::Error::Timeout(ureq::Timeout::Global))?;
        let agent = &self.inner.agent;
        if req.method == http::Method::GET || req.method == http::Method::HEAD {
            let request = b.body(()).map_err(|e| ureq::Error::BadUri(e.to_string()))?;
            agent.run(
                agent
                    .configure_request(request)
                    .timeout_global(Some(left))
                    .build(),
            )
        } else {
            let request = b
                .body(req.body.to_vec())
                .map_err(|e| ureq::Error::BadUri(e.to_string()))?;
            agent.run(
                agent
                    .configure_request(request)
                    .timeout_global(Some(left))
                    .build(),
            )
        }
    }

    /// Send with auth negotiation and retries; returns any non-401 answer.
    fn send(&self, req: &Req<'_>) -> Result<http::Response<ureq::Body>, ImageError> {
        let scheme = self.scheme()?;
        let name = &self.inner.name;
        let mut authed = false;
        let mut attempt = 0u32;
        loop {
            let result = self.send_once(req, scheme);
            let retryable = match result {
                Ok(resp) if resp.status() == 401 => {
                    let given_token = self
                        .inner
                        .opts
                        .authorization
                        .as_ref()
                        .is_some_and(|a| a.bearer().is_some());
                    if given_token {
                        let why = error_summary(resp);
                        return Err(ImageError::Auth(format!(
                            "registry {name} refused the bearer token given for {} while {}{why}: \
                             the token may have expired or lack pull rights on this repository",
                            req.repo, req.what
                        )));
                    }
                    if authed {
                        let why = error_summary(resp);
                        return Err(ImageError::Auth(format!(
                            "registry {name} refused access to {} while {}{why}: {}",
                            req.repo,
                            req.what,
                            if self.inner.opts.authorization.is_some() {
                                "check the credentials given for this registry have pull rights on this repository"
                            } else if self.inner.creds.is_some() {
                                "check the saved login (`docker login`) has pull rights on this repository"
                            } else {
                                "it needs a login: run `docker login` for this registry"
                            }
                        )));
                    }
                    authed = true;
                    let challenge = header(&resp, "www-authenticate").map(str::to_string);
                    drop(resp);
                    self.authenticate(req, challenge.as_deref())?;
                    continue;
                }
                Ok(resp) if resp.status() == 429 || resp.status().is_server_error() => {
                    format!("HTTP {}", resp.status())
                }
                Ok(resp) => return Ok(resp),
                Err(ureq::Error::Timeout(t)) => {
                    return Err(ImageError::Remote(format!(
                        "registry {name} timed out ({t}) while {}; the total timeout is {:?}, a single read may stall {:?}",
                        req.what, self.inner.opts.timeout, self.inner.opts.read_timeout
                    )));
                }
                Err(ureq::Error::TooManyRedirects) => {
                    return Err(ImageError::Remote(format!(
                        "registry {name} redirected more than {} times while {} (a redirect loop?)",
                        self.inner.opts.max_redirects, req.what
                    )));
                }
                Err(
                    e @ (ureq::Error::Io(_)
                    | ureq::Error::ConnectionFailed
                    | ureq::Error::HostNotFound
                    | ureq::Error::Protocol(_)),
                ) => e.to_string(),
                Err(e) => {
                    return Err(ImageError::Remote(format!(
                        "registry {name}: {e} while {}",
                        req.what
                    )));
                }
            };
            if attempt >= self.inner.opts.retries {
                return Err(ImageError::Remote(format!(
                    "registry {name} failed {} times while {} (last: {retryable}); try again later",
                    attempt + 1,
                    req.what
                )));
            }
            let delay = self.inner.opts.backoff.saturating_mul(1 << attempt.min(6));
            let delay = delay.min(self.remaining()?);
            tracing::debug!(registry = %name, attempt, ?delay, error = %retryable, "retrying");
            std::thread::sleep(delay);
            attempt += 1;
        }
    }

    /// Answer a 401 challenge: Basic with our credentials, or fetch a Bearer token.
    fn authenticate(&self, req: &Req<'_>, challenge: Option<&str>) -> Result<(), ImageError> {
        let name = &self.inner.name;
        let login_hint = "run `docker login` for this registry (credentials are read from the Docker config, including credsStore/credHelpers)";
        let header_value = match challenge.and_then(auth::parse_challenge) {
            Some(auth::Challenge::Basic) => match &self.inner.creds {
                Some(c) => c.basic_header(),
                None => {
                    return Err(ImageError::Auth(format!(
                        "registry {name} requires a login for {}: {login_hint}",
                        req.repo
                    )));
                }
            },
            Some(auth::Challenge::Bearer {
                realm,
                service,
                scope,
            }) => {
                let push = req.method != http::Method::GET && req.method != http::Method::HEAD;
                let scope = scope.unwrap_or_else(|| {
                    if req.repo == CATALOG_SCOPE {
                        return "registry:catalog:*".to_string();
                    }
                    format!(
                        "repository:{}:{}",
                        req.repo,
                        if push { "pull,push" } else { "pull" }
                    )
                });
                format!(
                    "Bearer {}",
                    self.fetch_token(&realm, service.as_deref(), &scope)?
                )
            }
            None => {
                return Err(ImageError::Auth(format!(
                    "registry {name} answered 401 without a usable WWW-Authenticate challenge while {}",
                    req.what
                )));
            }
        };
        Self::lock(&self.inner.auth).insert(req.repo.to_string(), header_value);
        Ok(())
    }

    fn fetch_token(
        &self,
        realm: &str,
        service: Option<&str>,
        scope: &str,
    ) -> Result<String, ImageError> {
        let name = &self.inner.name;
        if !(realm.starts_with("https://")
            || (realm.starts_with("http://") && self.inner.plain_allowed))
        {
            return Err(ImageError::Auth(format!(
                "registry {name} sends us to token service {realm:?}, which is not HTTPS (pass --insecure to allow it)"
            )));
        }
        let mut b = self.inner.agent.get(realm).query("scope", scope);
        if let Some(s) = service {
            b = b.query("service", s);
        }
        if let Some(c) = &self.inner.creds {
            b = b.header("Authorization", c.basic_header());
        }
        let resp = b
            .config()
            .timeout_global(Some(self.remaining()?.min(Duration::from_secs(60))))
            .build()
            .call()
            .map_err(|e| {
                ImageError::Auth(format!(
                    "cannot get a token from {realm} for registry {name}: {e}"
                ))
            })?;
        if resp.status() == 401 || resp.status() == 403 {
            return Err(ImageError::Auth(format!(
                "the token service of registry {name} refused {} (HTTP {}): {}",
                if self.inner.creds.is_some() {
                    "our saved login"
                } else {
                    "anonymous access"
                },
                resp.status(),
                if self.inner.creds.is_some() {
                    "check the login with `docker login`"
                } else {
                    "run `docker login` for this registry"
                }
            )));
        }
        if !resp.status().is_success() {
            return Err(ImageError::Auth(format!(
                "the token service of registry {name} answered HTTP {}",
                resp.status()
            )));
        }
        let body = resp
            .into_body()
            .into_with_config()
            .limit(1024 * 1024)
            .read_to_vec()
            .map_err(|e| {
                ImageError::Auth(format!("cannot read the token of registry {name}: {e}"))
            })?;
        let v: serde_json::Value = serde_json::from_slice(&body).map_err(|_| {
            ImageError::Auth(format!(
                "the token service of registry {name} did not answer JSON"
            ))
        })?;
        v.get("token")
            .or_else(|| v.get("access_token"))
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_graphic()))
            .map(str::to_string)
            .ok_or_else(|| {
                ImageError::Auth(format!(
                    "the token service of registry {name} gave no token"
                ))
            })
    }

    fn read_limited(
        &self,
        resp: http::Response<ureq::Body>,
        limit: u64,
        what: &str,
    ) -> Result<Vec<u8>, ImageError> {
        let too_large = || ImageError::TooLarge {
            name: format!("{what} from registry {}", self.inner.name),
            limit,
        };
        if header(&resp, "content-length")
            .and_then(|l| l.trim().parse::<u64>().ok())
            .is_some_and(|l| l > limit)
        {
            return Err(too_large());
        }
        match resp
            .into_body()
            .into_with_config()
            .limit(limit)
            .read_to_vec()
        {
            Ok(v) => Ok(v),
            Err(ureq::Error::BodyExceedsLimit(_)) => Err(too_large()),
            Err(e) => Err(ImageError::Remote(format!(
                "registry {}: cannot read {what}: {e}",
                self.inner.name
            ))),
        }
    }

    /// Fetch a manifest or index: `(bytes, media type, digest)`. The digest
    /// is checked against `reference` when it is one, and against the
    /// registry's `Docker-Content-Digest` header when sent.
    pub fn manifest(
        &self,
        repo: &str,
        reference: &str,
    ) -> Result<(Vec<u8>, String, String), ImageError> {
        let what = format!("fetching manifest {repo}:{reference}");
        let resp = self.send(&Req {
            method: http::Method::GET,
            target: format!("/v2/{repo}/manifests/{reference}"),
            repo,
            accept: Some(ACCEPT_MANIFESTS),
            content_type: None,
            body: &[],
            what: &what,
        })?;
        let status = resp.status();
        if status == 404 {
            let why = error_summary(resp);
            return Err(ImageError::NotFound(format!(
                "{repo}:{reference} is not in registry {}{why}",
                self.inner.name
            )));
        }
        if status == 403 {
            return Err(ImageError::Auth(format!(
                "registry {} denies access to {repo}: check your login has pull rights",
                self.inner.name
            )));
        }
        if !status.is_success() {
            return Err(self.unexpected(resp, &what));
        }
        let content_type = header(&resp, "content-type")
            .map(|c| c.split(';').next().unwrap_or("").trim().to_string())
            .unwrap_or_default();
        let header_digest = header(&resp, "docker-content-digest").map(str::to_string);
        let bytes = self.read_limited(
            resp,
            self.inner.opts.max_manifest_bytes,
            &format!("manifest {repo}:{reference}"),
        )?;
        let actual = format!("sha256:{}", sha256_hex(&bytes));
        let expected = if reference.starts_with("sha256:") {
            Some(reference.to_string())
        } else {
            header_digest.filter(|d| d.starts_with("sha256:"))
        };
        if let Some(expected) = expected
            && expected != actual
        {
            return Err(ImageError::DigestMismatch {
                name: format!(
                    "manifest {repo}:{reference} from registry {}",
                    self.inner.name
                ),
                expected,
                actual,
            });
        }
        let body_type = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| {
                v.get("mediaType")
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
                    .or_else(|| {
                        if v.get("manifests").is_some() {
                            Some(OCI_INDEX.to_string())
                        } else if v.get("schemaVersion").and_then(|s| s.as_u64()) == Some(1) {
                            Some("application/vnd.docker.distribution.manifest.v1+json".to_string())
                        } else {
                            None
                        }
                    })
            });
        let media_type = body_type.unwrap_or(content_type);
        Ok((bytes, media_type, actual))
    }

    /// Fetch a small blob (a config) whole, size-capped and digest-verified.
    pub fn small_blob(&self, repo: &str, digest: &str, limit: u64) -> Result<Vec<u8>, ImageError> {
        crate::oci::blob_path(digest)?;
        let resp = self.open_blob_response(repo, digest)?;
        let bytes = self.read_limited(resp, limit, &format!("blob {digest}"))?;
        let actual = format!("sha256:{}", sha256_hex(&bytes));
        if actual != digest {
            return Err(ImageError::DigestMismatch {
                name: format!("blob {repo}@{digest} from registry {}", self.inner.name),
                expected: digest.to_string(),
                actual,
            });
        }
        Ok(bytes)
    }

    fn open_blob_response(
        &self,
        repo: &str,
        digest: &str,
    ) -> Result<http::Response<ureq::Body>, ImageError> {
        let what = format!("fetching blob {repo}@{digest}");
        let resp = self.send(&Req {
            method: http::Method::GET,
            target: format!("/v2/{repo}/blobs/{digest}"),
            repo,
            accept: None,
            content_type: None,
            body: &[],
            what: &what,
        })?;
        match resp.status().as_u16() {
            200..=299 => Ok(resp),
            404 => Err(ImageError::MissingBlob(format!(
                "{digest} (registry {} has no such blob in {repo})",
                self.inner.name
            ))),
            _ => Err(self.unexpected(resp, &what)),
        }
    }

    /// Open a streamed reader over a blob, capped at `size` bytes. The caller
    /// verifies the digest (the layer reader does, as it streams).
    pub fn open_blob(
        &self,
        repo: &str,
        digest: &str,
        size: u64,
    ) -> Result<Box<dyn Read + Send>, ImageError> {
        let resp = self.open_blob_response(repo, digest)?;
        Ok(Box::new(
            resp.into_body().into_with_config().limit(size).reader(),
        ))
    }

    /// Pull an image's manifest and config; layers stay remote
    /// ([`BlobRef::Remote`]) and are streamed when opened. `platform` picks
    /// from an index (default: this machine's).
    pub fn pull(
        &self,
        reference: &Reference,
        platform: Option<&Platform>,
    ) -> Result<Image, ImageError> {
        let repo = reference.repository.as_str();
        let (bytes, media_type, top_digest) = self.manifest(repo, reference.reference())?;
        let (manifest_bytes, manifest_media_type) = if is_index_media_type(&media_type) {
            let index: ImageIndex = parse_json(&format!("index {reference}"), &bytes)?;
            let wanted = platform.cloned().unwrap_or_else(Platform::host);
            let mut fetch = |d: &str| self.manifest(repo, d).map(|(b, _, _)| b);
            let (digest, _) = pick_manifest(&mut fetch, &index, &wanted, platform.is_some(), 0)?;
            let (b, mt, _) = self.manifest(repo, &digest)?;
            (b, mt)
        } else {
            (bytes, media_type)
        };
        if manifest_media_type.starts_with("application/vnd.docker.distribution.manifest.v1") {
            return Err(ImageError::Unsupported(format!(
                "{reference} uses Docker's schema 1 manifest, deprecated since 2017: push it again with a current Docker"
            )));
        }
        if is_index_media_type(&manifest_media_type) {
            return Err(ImageError::Malformed(format!(
                "{reference}: the index names another index as an image"
            )));
        }
        let manifest: ImageManifest =
            parse_json(&format!("manifest {reference}"), &manifest_bytes)?;
        let config_digest = manifest.config().digest().to_string();
        let config_bytes = self.small_blob(repo, &config_digest, MAX_JSON_BYTES)?;
        let config: serde_json::Value =
            parse_json(&format!("config {config_digest}"), &config_bytes)?;
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
        if manifest.layers().len() != diff_ids.len() {
            return Err(ImageError::Malformed(format!(
                "{reference}: the manifest lists {} layers but the config has {} diff_ids",
                manifest.layers().len(),
                diff_ids.len()
            )));
        }
        let mut layers = Vec::with_capacity(diff_ids.len());
        for (i, (desc, diff_id)) in manifest.layers().iter().zip(&diff_ids).enumerate() {
            let digest = desc.digest().to_string();
            crate::oci::blob_path(&digest)?;
            let size = desc.size();
            layers.push(Layer {
                index: i,
                diff_id: diff_id.clone(),
                digest: Some(digest.clone()),
                media_type: desc.media_type().to_string(),
                size,
                created_by: created_by.get(i).cloned().unwrap_or_default(),
                blob: BlobRef::Remote(Arc::new(RemoteBlob {
                    registry: self.clone(),
                    repository: repo.to_string(),
                    digest,
                    size,
                })),
            });
        }
        let mut untagged = reference.clone();
        untagged.tag = None;
        untagged.digest = None;
        Ok(Image {
            id: config_digest,
            config,
            diff_ids,
            layers,
            repo_tags: if reference.tag.is_some() && reference.digest.is_none() {
                vec![reference.familiar()]
            } else {
                Vec::new()
            },
            repo_digests: vec![format!("{}@{top_digest}", untagged.familiar())],
            platform: image_platform,
        })
    }

    /// The referrers of `digest` (OCI 1.1 referrers API), optionally only
    /// those of `artifact_type`. `Ok(None)` when the registry does not
    /// implement the API (404); callers may then try the fallback tag
    /// [`referrers_tag`].
    pub fn referrers(
        &self,
        repo: &str,
        digest: &str,
        artifact_type: Option<&str>,
    ) -> Result<Option<ImageIndex>, ImageError> {
        crate::oci::blob_path(digest)?;
        let mut target = format!("/v2/{repo}/referrers/{digest}");
        if let Some(t) = artifact_type {
            let ok = t
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"./+-_".contains(&b));
            if !ok {
                return Err(ImageError::Remote(format!("bad artifact type {t:?}")));
            }
            target.push_str("?artifactType=");
            target.push_str(&t.replace('+', "%2B"));
        }
        let what = format!("listing referrers of {repo}@{digest}");
        let resp = self.send(&Req {
            method: http::Method::GET,
            target,
            repo,
            accept: Some(OCI_INDEX),
            content_type: None,
            body: &[],
            what: &what,
        })?;
        if resp.status() == 404 {
            return Ok(None);
        }
        if !resp.status().is_success() {
            return Err(self.unexpected(resp, &what));
        }
        let bytes = self.read_limited(resp, self.inner.opts.max_manifest_bytes, &what)?;
        let mut index: ImageIndex = parse_json(&what, &bytes)?;
        if let Some(t) = artifact_type {
            // Registries may ignore the filter (then they omit the
            // OCI-Filters-Applied header); filter again here.
            let kept: Vec<_> = index
                .manifests()
                .iter()
                .filter(|d| {
                    d.artifact_type()
                        .as_ref()
                        .is_some_and(|a| a.to_string() == t)
                })
                .cloned()
                .collect();
            index.set_manifests(kept);
        }
        Ok(Some(index))
    }

    /// The tags of `repo` (`GET /v2/<repo>/tags/list`), [`TAGS_PAGE_SIZE`]
    /// per page, following `Link: <…>; rel="next"` pages.
    pub fn tags(&self, repo: &str) -> Result<TagList, ImageError> {
        self.tags_paged(repo, TAGS_PAGE_SIZE)
    }

    /// [`Registry::tags`] with `page_size` tags asked per page (`n=`). Stops
    /// after [`MAX_TAG_PAGES`] pages or [`MAX_TAGS`] tags (then
    /// `complete` is false); each page is capped at the manifest size limit;
    /// a next page on another host, or one already fetched, is refused.
    /// Names that are not valid tags are dropped.
    pub fn tags_paged(&self, repo: &str, page_size: u32) -> Result<TagList, ImageError> {
        let (tags, complete) = self.list_paged(
            &format!("/v2/{repo}/tags/list?n={}", page_size.max(1)),
            repo,
            "tags",
            &is_tag,
            &format!("listing the tags of {repo}"),
            &|| format!("repository {repo} is not in registry {}", self.inner.name),
        )?;
        Ok(TagList { tags, complete })
    }

    /// The repositories of the registry (`GET /v2/_catalog`), [`TAGS_PAGE_SIZE`]
    /// per page, following `Link` pages, with the same caps as
    /// [`Registry::tags_paged`] (pages, names, bytes per page). Names that
    /// are not valid repository names are dropped.
    pub fn catalog(&self) -> Result<TagList, ImageError> {
        self.catalog_paged(TAGS_PAGE_SIZE)
    }

    /// [`Registry::catalog`] with `page_size` names asked per page.
    pub fn catalog_paged(&self, page_size: u32) -> Result<TagList, ImageError> {
        let (tags, complete) = self.list_paged(
            &format!("/v2/_catalog?n={}", page_size.max(1)),
            CATALOG_SCOPE,
            "repositories",
            &is_repository,
            "listing the repositories (catalog)",
            &|| {
                format!(
                    "registry {} has no catalog API (GET /v2/_catalog): name the repositories instead",
                    self.inner.name
                )
            },
        )?;
        Ok(TagList { tags, complete })
    }

    /// A paginated name list (tags or catalog): the `key` array of each
    /// page, names `valid` keeps, pages followed through `Link` on this
    /// registry only, capped in pages and names.
    fn list_paged(
        &self,
        first: &str,
        repo: &str,
        key: &str,
        valid: &dyn Fn(&str) -> bool,
        what: &str,
        not_found: &dyn Fn() -> String,
    ) -> Result<(Vec<String>, bool), ImageError> {
        let mut names: Vec<String> = Vec::new();
        let mut target = first.to_string();
        let mut fetched = std::collections::HashSet::new();
        let own_origin = format!("{}://{}", self.scheme()?, self.inner.host);
        loop {
            if fetched.len() >= MAX_TAG_PAGES || names.len() >= MAX_TAGS {
                names.truncate(MAX_TAGS);
                return Ok((names, false));
            }
            fetched.insert(target.clone());
            let resp = self.send(&Req {
                method: http::Method::GET,
                target: target.clone(),
                repo,
                accept: Some("application/json"),
                content_type: None,
                body: &[],
                what,
            })?;
            match resp.status().as_u16() {
                200..=299 => {}
                404 => {
                    let why = error_summary(resp);
                    return Err(ImageError::NotFound(format!("{}{why}", not_found())));
                }
                _ => return Err(self.unexpected(resp, what)),
            }
            let next = header(&resp, "link").and_then(link_next);
            let bytes = self.read_limited(resp, self.inner.opts.max_manifest_bytes, what)?;
            names.extend(parse_list_page(&bytes, key, valid).map_err(|e| match e {
                ImageError::Malformed(m) => ImageError::Malformed(format!(
                    "registry {} answered {m} while {what}",
                    self.inner.name
                )),
                ImageError::BadJson { reason, .. } => ImageError::BadJson {
                    name: format!("the answer of registry {} while {what}", self.inner.name),
                    reason,
                },
                other => other,
            })?);
            // One page can hold more than the cap (its size is only
            // bounded in bytes).
            if names.len() > MAX_TAGS {
                names.truncate(MAX_TAGS);
                return Ok((names, false));
            }
            let Some(next) = next else {
                return Ok((names, true));
            };
            let next = if next.starts_with("/v2/") {
                next
            } else if let Some(path) = next.strip_prefix(own_origin.as_str())
                && path.starts_with("/v2/")
            {
                path.to_string()
            } else {
                return Err(ImageError::Remote(format!(
                    "registry {} sends the next page to {:?}, which is not on this registry, while {what}",
                    self.inner.name,
                    next.chars().take(200).collect::<String>()
                )));
            };
            if fetched.contains(&next) {
                return Err(ImageError::Remote(format!(
                    "registry {} sends its list round in a loop while {what}",
                    self.inner.name
                )));
            }
            target = next;
        }
    }

    /// Upload a blob (monolithic POST + PUT); returns its digest. Skips the
    /// upload when the registry already has it.
    pub fn push_blob(&self, repo: &str, bytes: &[u8]) -> Result<String, ImageError> {
        let digest = format!("sha256:{}", sha256_hex(bytes));
        let what = format!("uploading blob {digest} to {repo}");
        let head = self.send(&Req {
            method: http::Method::HEAD,
            target: format!("/v2/{repo}/blobs/{digest}"),
            repo,
            accept: None,
            content_type: None,
            body: &[],
            what: &what,
        })?;
        if head.status().is_success() {
            return Ok(digest);
        }
        let start = self.send(&Req {
            method: http::Method::POST,
            target: format!("/v2/{repo}/blobs/uploads/"),
            repo,
            accept: None,
            content_type: None,
            body: &[],
            what: &what,
        })?;
        if start.status() != 202 {
            return Err(self.unexpected(start, &what));
        }
        let location = header(&start, "location")
            .ok_or_else(|| {
                ImageError::Remote(format!(
                    "registry {} gave no upload location",
                    self.inner.name
                ))
            })?
            .to_string();
        let sep = if location.contains('?') { '&' } else { '?' };
        let put = self.send(&Req {
            method: http::Method::PUT,
            target: format!("{location}{sep}digest={digest}"),
            repo,
            accept: None,
            content_type: Some("application/octet-stream"),
            body: bytes,
            what: &what,
        })?;
        if put.status() != 201 {
            return Err(self.unexpected(put, &what));
        }
        Ok(digest)
    }

    /// Upload a manifest or index under `reference` (a tag or its digest);
    /// returns its digest.
    pub fn push_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<String, ImageError> {
        let digest = format!("sha256:{}", sha256_hex(bytes));
        let what = format!("uploading manifest {repo}:{reference}");
        let put = self.send(&Req {
            method: http::Method::PUT,
            target: format!("/v2/{repo}/manifests/{reference}"),
            repo,
            accept: None,
            content_type: Some(media_type),
            body: bytes,
            what: &what,
        })?;
        if put.status() != 201 {
            return Err(self.unexpected(put, &what));
        }
        Ok(digest)
    }
}

/// The names of one page of a tag list (`key` = `tags`) or catalog
/// (`repositories`): the strings `valid` keeps, in order. A missing or
/// `null` list is empty; anything else that is not a list of strings is
/// `Malformed`.
pub fn parse_list_page(
    bytes: &[u8],
    key: &str,
    valid: &dyn Fn(&str) -> bool,
) -> Result<Vec<String>, ImageError> {
    let page: serde_json::Value = crate::oci::parse_json("a name list", bytes)?;
    match page.get(key) {
        Some(serde_json::Value::Array(a)) => Ok(a
            .iter()
            .filter_map(|t| t.as_str())
            .filter(|t| valid(t))
            .map(str::to_string)
            .collect()),
        // An empty list may come as `null`.
        Some(serde_json::Value::Null) | None => Ok(Vec::new()),
        Some(_) => Err(ImageError::Malformed(format!(
            "a list whose `{key}` is not a list"
        ))),
    }
}

/// The key under which catalog requests keep their authorization (not a
/// repository name: those never start with `_`).
const CATALOG_SCOPE: &str = "_catalog";

/// A valid repository name (OCI distribution: path components of
/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*` joined by `/`), at most 255 bytes.
pub fn is_repository(name: &str) -> bool {
    name.len() <= 255
        && !name.is_empty()
        && name.split('/').all(|c| {
            let b = c.as_bytes();
            b.first().is_some_and(u8::is_ascii_alphanumeric)
                && b.last().is_some_and(u8::is_ascii_alphanumeric)
                && b.iter().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'_' | b'-')
                })
                && !c.contains("..")
        })
}

/// Tags asked per page by [`Registry::tags`].
pub const TAGS_PAGE_SIZE: u32 = 1000;
/// Most pages of a tag list read.
pub const MAX_TAG_PAGES: usize = 100;
/// Most tags kept from a tag list.
pub const MAX_TAGS: usize = 20_000;

/// The tags of a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagList {
    /// In the registry's order (not necessarily sorted).
    pub tags: Vec<String>,
    /// False when the page or tag cap stopped the listing early.
    pub complete: bool,
}

/// A valid tag (OCI distribution: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`).
pub fn is_tag(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() <= 128
        && b.first()
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// The target of the `rel="next"` link of a `Link` header (RFC 8288), as
/// registries send it for paginated lists: `<url>; rel="next"`.
pub fn link_next(value: &str) -> Option<String> {
    value.split(',').find_map(|link| {
        let link = link.trim();
        let rest = link.strip_prefix('<')?;
        let (url, params) = rest.split_once('>')?;
        let is_next = params.split(';').any(|p| {
            let Some((k, v)) = p.split_once('=') else {
                return false;
            };
            k.trim().eq_ignore_ascii_case("rel")
                && v.trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("next"))
        });
        (is_next && !url.is_empty() && !url.chars().any(|c| c.is_control() || c == ' '))
            .then(|| url.to_string())
    })
}

/// The fallback tag under which referrers are listed when a registry has no
/// referrers API (OCI distribution 1.1): `sha256-<hex>`.
pub fn referrers_tag(digest: &str) -> String {
    digest.replacen(':', "-", 1)
}

/// Pull `reference` from its registry.
pub fn pull(
    reference: &Reference,
    platform: Option<&Platform>,
    opts: RegistryOptions,
) -> Result<Image, ImageError> {
    Registry::new(&reference.registry, opts)?.pull(reference, platform)
}

//! Registry credentials and authentication challenges.
//!
//! Credentials come from the Docker CLI's `config.json` (`$DOCKER_CONFIG` or
//! `~/.docker/config.json`): `credHelpers[host]`, then `credsStore`, then
//! `auths[host].auth` (base64 `user:password`). Helpers are run with the
//! documented protocol: `docker-credential-NAME get`, the server URL on
//! stdin, JSON `{ServerURL, Username, Secret}` on stdout.
//!
//! **Invariant**: secrets are never logged nor put in error messages; the
//! [`Credential`] `Debug` output hides them.

use base64::Engine as _;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A user name and password (or token) for one registry.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    pub username: String,
    pub password: String,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .finish()
    }
}

impl Credential {
    /// The `Authorization: Basic …` header value.
    pub(crate) fn basic_header(&self) -> String {
        let raw = format!("{}:{}", self.username, self.password);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }
}

/// An `Authorization` header value handed over by the caller for one
/// registry (Harbor passes one with each scan request): `Basic
/// <base64 user:password>` or `Bearer <token>`. Its `Debug` output hides
/// the value, and nothing here logs it or puts it in an error.
#[derive(Clone, PartialEq, Eq)]
pub struct Authorization(Kind);

#[derive(Clone, PartialEq, Eq)]
enum Kind {
    Basic(Credential),
    Bearer(String),
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.0 {
            Kind::Basic(_) => "Basic",
            Kind::Bearer(_) => "Bearer",
        };
        write!(f, "Authorization({scheme} <hidden>)")
    }
}

/// Longest `Authorization` value accepted (a JWT of a few KiB fits).
const MAX_AUTHORIZATION_BYTES: usize = 16 * 1024;

impl Authorization {
    /// Parse a header value. Errors say what is wrong without repeating
    /// the value.
    pub fn parse(value: &str) -> Result<Authorization, String> {
        let value = value.trim();
        if value.len() > MAX_AUTHORIZATION_BYTES {
            return Err(format!(
                "the registry authorization is longer than {MAX_AUTHORIZATION_BYTES} bytes"
            ));
        }
        if !value.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
            return Err(
                "the registry authorization holds characters a header cannot carry".to_string(),
            );
        }
        let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
        let rest = rest.trim();
        if rest.is_empty() || rest.contains(' ') {
            return Err(
                "the registry authorization must be `Basic <base64>` or `Bearer <token>`"
                    .to_string(),
            );
        }
        if scheme.eq_ignore_ascii_case("basic") {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(rest)
                .map_err(|_| "the Basic registry authorization is not valid base64".to_string())?;
            let raw = String::from_utf8(raw)
                .map_err(|_| "the Basic registry authorization is not UTF-8".to_string())?;
            let (u, p) = raw.split_once(':').ok_or_else(|| {
                "the Basic registry authorization is not user:password".to_string()
            })?;
            Ok(Authorization(Kind::Basic(Credential {
                username: u.to_string(),
                password: p.to_string(),
            })))
        } else if scheme.eq_ignore_ascii_case("bearer") {
            Ok(Authorization(Kind::Bearer(rest.to_string())))
        } else {
            Err(
                "the registry authorization must be `Basic <base64>` or `Bearer <token>`"
                    .to_string(),
            )
        }
    }

    /// The header value, as sent.
    pub fn header_value(&self) -> String {
        match &self.0 {
            Kind::Basic(c) => c.basic_header(),
            Kind::Bearer(t) => format!("Bearer {t}"),
        }
    }

    /// The user name and password of a Basic value (they also answer a
    /// token service's challenge).
    pub fn credential(&self) -> Option<&Credential> {
        match &self.0 {
            Kind::Basic(c) => Some(c),
            Kind::Bearer(_) => None,
        }
    }

    /// The token of a Bearer value, sent as is with every request.
    pub(crate) fn bearer(&self) -> Option<&str> {
        match &self.0 {
            Kind::Basic(_) => None,
            Kind::Bearer(t) => Some(t),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct DockerConfig {
    #[serde(default)]
    auths: HashMap<String, AuthEntry>,
    #[serde(rename = "credsStore", default)]
    creds_store: Option<String>,
    #[serde(rename = "credHelpers", default)]
    cred_helpers: HashMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// Where the Docker CLI keeps its configuration.
pub fn docker_config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG") {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker").join("config.json"))
}

/// The keys a registry host may appear under in `config.json`.
fn candidate_keys(host: &str) -> Vec<String> {
    let mut keys = vec![
        host.to_string(),
        format!("https://{host}"),
        format!("http://{host}"),
        format!("https://{host}/v1/"),
        format!("https://{host}/v2/"),
    ];
    if host == crate::reference::DOCKER_HUB {
        keys.insert(0, "https://index.docker.io/v1/".to_string());
        keys.push("index.docker.io".to_string());
        keys.push("registry-1.docker.io".to_string());
    }
    keys
}

/// Find credentials for `host` (as written in the image reference).
/// `config` is the `config.json` path (None: no credentials). A missing file
/// means anonymous; a malformed one is an error naming the file.
pub fn lookup(config: Option<&Path>, host: &str) -> Result<Option<Credential>, String> {
    let Some(path) = config else { return Ok(None) };
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let cfg: DockerConfig = serde_json::from_slice(&text).map_err(|e| {
        format!(
            "{} is not valid JSON ({e}); fix it or run `docker login` again",
            path.display()
        )
    })?;
    let keys = candidate_keys(host);
    let helper = keys
        .iter()
        .find_map(|k| cfg.cred_helpers.get(k))
        .or(cfg.creds_store.as_ref());
    if let Some(helper) = helper {
        let program = format!("docker-credential-{helper}");
        // Docker Hub is stored under its v1 URL; other hosts under their name.
        let server = keys.first().map_or(host, String::as_str);
        if let Some(c) = run_helper(Path::new(&program), server)? {
            return Ok(Some(c));
        }
    }
    for k in &keys {
        if let Some(entry) = cfg.auths.get(k)
            && let Some(c) = decode_entry(entry, k)?
        {
            return Ok(Some(c));
        }
    }
    Ok(None)
}

fn decode_entry(entry: &AuthEntry, key: &str) -> Result<Option<Credential>, String> {
    if let (Some(u), Some(p)) = (&entry.username, &entry.password) {
        return Ok(Some(Credential {
            username: u.clone(),
            password: p.clone(),
        }));
    }
    let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) else {
        return Ok(None);
    };
    let raw = base64::engine::general_purpose::STANDARD
        .decode(auth.trim())
        .map_err(|_| {
            format!("the saved login for {key} is not valid base64: run `docker login` again")
        })?;
    let raw = String::from_utf8(raw)
        .map_err(|_| format!("the saved login for {key} is not UTF-8: run `docker login` again"))?;
    let (u, p) = raw.split_once(':').ok_or_else(|| {
        format!("the saved login for {key} is not user:password: run `docker login` again")
    })?;
    Ok(Some(Credential {
        username: u.to_string(),
        password: p.to_string(),
    }))
}

#[derive(Deserialize)]
struct HelperAnswer {
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret", default)]
    secret: String,
}

/// Run a credential helper (`program get`, server URL on stdin).
/// "Not found" answers (non-zero exit) give `None`; a helper that is not
/// installed is an error that says which one.
pub fn run_helper(program: &Path, server: &str) -> Result<Option<Credential>, String> {
    let mut child = Command::new(program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            format!(
                "cannot run the Docker credential helper {} ({e}); install it or fix credsStore/credHelpers in the Docker config",
                program.display()
            )
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that exits without reading stdin is not an error here.
        let _ = stdin.write_all(server.as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("credential helper {} failed: {e}", program.display()))?;
    if !out.status.success() {
        return Ok(None);
    }
    let ans: HelperAnswer = serde_json::from_slice(&out.stdout).map_err(|_| {
        format!(
            "credential helper {} printed something that is not its JSON answer",
            program.display()
        )
    })?;
    if ans.secret.is_empty() || ans.username == "<token>" {
        // `<token>` marks an identity token for OAuth2 refresh flows, which
        // registries we talk to via the token endpoint do not take as a password.
        return Ok(None);
    }
    Ok(Some(Credential {
        username: ans.username,
        password: ans.secret,
    }))
}

/// A `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Challenge {
    Basic,
    Bearer {
        realm: String,
        service: Option<String>,
        scope: Option<String>,
    },
}

/// Parse a `WWW-Authenticate` header (`Bearer realm="…",service="…",scope="…"`).
/// Hand-written: the header grammar we need is one scheme with quoted
/// parameters, and no small well-kept crate parses exactly it.
pub(crate) fn parse_challenge(header: &str) -> Option<Challenge> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    if scheme.eq_ignore_ascii_case("basic") {
        return Some(Challenge::Basic);
    }
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut params: HashMap<String, String> = HashMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' {
                break;
            }
            key.push(c);
            chars.next();
        }
        if chars.next().is_none() || key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            value.push(n);
                        }
                    }
                    '"' => break,
                    _ => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        params.insert(key.trim().to_ascii_lowercase(), value);
        if params.len() > 32 {
            break;
        }
    }
    let realm = params.remove("realm")?;
    Some(Challenge::Bearer {
        realm,
        service: params.remove("service"),
        scope: params.remove("scope"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn authorization_values() {
        let basic = Authorization::parse("Basic dXNlcjpwYXNzOndvcmQ=").unwrap();
        let c = basic.credential().unwrap();
        assert_eq!(
            (c.username.as_str(), c.password.as_str()),
            ("user", "pass:word")
        );
        assert_eq!(basic.header_value(), "Basic dXNlcjpwYXNzOndvcmQ=");
        let bearer = Authorization::parse("  bearer tok.en-123 ").unwrap();
        assert_eq!(bearer.bearer(), Some("tok.en-123"));
        assert_eq!(bearer.header_value(), "Bearer tok.en-123");
        assert!(bearer.credential().is_none());
        // Debug never shows the value.
        let shown = format!("{basic:?} {bearer:?}");
        assert!(
            !shown.contains("pass") && !shown.contains("tok.en"),
            "{shown}"
        );
        // Malformed, hostile or huge values are refused without echoing them.
        for bad in [
            "",
            "Basic",
            "Basic !!!secret!!!",
            "Basic c2VjcmV0",
            "Digest secret",
            "Bearer sec ret",
            "Bearer secret\r\nX-Injected: 1",
            "Bearer s\u{7f}ecret",
        ] {
            let e = Authorization::parse(bad).unwrap_err();
            assert!(!e.contains("secret"), "{bad:?}: {e}");
        }
        let huge = format!("Bearer {}", "a".repeat(MAX_AUTHORIZATION_BYTES));
        assert!(Authorization::parse(&huge).is_err());
    }

    #[test]
    fn challenges() {
        assert_eq!(parse_challenge("Basic realm=\"x\""), Some(Challenge::Basic));
        assert_eq!(
            parse_challenge(
                r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull""#
            ),
            Some(Challenge::Bearer {
                realm: "https://auth.example/token".into(),
                service: Some("registry.example".into()),
                scope: Some("repository:a/b:pull".into()),
            })
        );
        assert_eq!(parse_challenge("Bearer service=x"), None);
        assert_eq!(parse_challenge("Negotiate abc"), None);
        assert_eq!(parse_challenge(""), None);
    }

    #[test]
    fn config_auths_and_helpers() {
        let dir = tempfile::tempdir().unwrap();
        let helper = dir.path().join("docker-credential-fake");
        std::fs::write(
            &helper,
            "#!/bin/sh\nread url\nif [ \"$url\" = \"reg.example:5000\" ]; then echo '{\"ServerURL\":\"x\",\"Username\":\"hu\",\"Secret\":\"hs\"}'; else echo 'credentials not found' >&2; exit 1; fi\n",
        )
        .unwrap();
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(
            run_helper(&helper, "reg.example:5000").unwrap(),
            Some(Credential {
                username: "hu".into(),
                password: "hs".into()
            })
        );
        assert_eq!(run_helper(&helper, "other").unwrap(), None);
        assert!(run_helper(&dir.path().join("missing"), "x").is_err());

        let cfg = dir.path().join("config.json");
        std::fs::write(
            &cfg,
            r#"{"auths":{"https://index.docker.io/v1/":{"auth":"dXNlcjpwYXNz"},"localhost:5000":{"auth":"YTpiOmM="}}}"#,
        )
        .unwrap();
        let c = lookup(Some(&cfg), "docker.io").unwrap().unwrap();
        assert_eq!((c.username.as_str(), c.password.as_str()), ("user", "pass"));
        let c = lookup(Some(&cfg), "localhost:5000").unwrap().unwrap();
        assert_eq!((c.username.as_str(), c.password.as_str()), ("a", "b:c"));
        assert!(!format!("{c:?}").contains("b:c"));
        assert_eq!(lookup(Some(&cfg), "ghcr.io").unwrap(), None);
        assert_eq!(
            lookup(Some(&dir.path().join("nope.json")), "ghcr.io").unwrap(),
            None
        );
        std::fs::write(&cfg, "{not json").unwrap();
        assert!(lookup(Some(&cfg), "ghcr.io").is_err());
    }
}

//! Image references: `[REGISTRY/]REPOSITORY[:TAG][@DIGEST]`, read the way
//! the Docker CLI reads them (`alpine` is `docker.io/library/alpine:latest`).
//!
//! Written by hand rather than with a crate: the grammar is small, and we
//! need exactly Docker's defaulting rules (Docker Hub, `library/`, `latest`)
//! plus the API host of Docker Hub.

use std::fmt;

/// The registry that a reference without a host names.
pub const DOCKER_HUB: &str = "docker.io";

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Registry host (and port), e.g. `docker.io`, `ghcr.io`, `localhost:5000`.
    pub registry: String,
    /// Repository path, e.g. `library/debian`.
    pub repository: String,
    /// Tag, when given (or `latest` when neither tag nor digest is).
    pub tag: Option<String>,
    /// `sha256:…` digest, when given.
    pub digest: Option<String>,
}

impl Reference {
    /// Parse a reference. Errors say what is wrong with it.
    pub fn parse(s: &str) -> Result<Reference, String> {
        let bad = |why: &str| format!("bad image reference {s:?}: {why}");
        if s.is_empty() || s.len() > 4096 {
            return Err(bad("empty or too long"));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => {
                let (alg, hex) = d
                    .split_once(':')
                    .ok_or_else(|| bad("the digest must be sha256:HEX"))?;
                if alg != "sha256"
                    || hex.len() != 64
                    || !hex
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
                {
                    return Err(bad(
                        "the digest must be sha256: and 64 lowercase hex digits",
                    ));
                }
                (r, Some(d.to_string()))
            }
            None => (s, None),
        };
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest.get(last_slash..).and_then(|t| t.rfind(':')) {
            Some(i) => {
                let at = last_slash + i;
                (
                    rest.get(..at).unwrap_or_default(),
                    Some(rest.get(at + 1..).unwrap_or_default().to_string()),
                )
            }
            None => (rest, None),
        };
        if let Some(t) = &tag {
            let ok = !t.is_empty()
                && t.len() <= 128
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
                && !t.starts_with(['.', '-']);
            if !ok {
                return Err(bad(
                    "a tag is 1-128 of [A-Za-z0-9_.-], not starting with . or -",
                ));
            }
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, path))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), path.to_string())
            }
            _ => (DOCKER_HUB.to_string(), name.to_string()),
        };
        let registry = if registry == "index.docker.io" || registry == "registry-1.docker.io" {
            DOCKER_HUB.to_string()
        } else {
            registry
        };
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        if repository.is_empty()
            || repository.split('/').any(|c| {
                c.is_empty()
                    || !c.bytes().all(|b| {
                        b.is_ascii_lowercase()
                            || b.is_ascii_digit()
                            || matches!(b, b'.' | b'_' | b'-')
                    })
                    || c.starts_with(['.', '_', '-'])
                    || c.ends_with(['.', '_', '-'])
            })
        {
            return Err(bad(
                "the repository is lowercase letters, digits and separators (. _ -), path parts split by /",
            ));
        }
        let tag = match (&tag, &digest) {
            (None, None) => Some("latest".to_string()),
            _ => tag,
        };
        Ok(Reference {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// What to ask the registry for: the digest when given, else the tag.
    pub fn reference(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }

    /// Host to send API requests to (Docker Hub's API lives elsewhere).
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            "registry-1.docker.io"
        } else {
            &self.registry
        }
    }

    /// Whether the registry is on this machine (plain HTTP allowed, as Docker does).
    pub fn is_local(&self) -> bool {
        let host = self
            .registry
            .rsplit_once(':')
            .map_or(self.registry.as_str(), |(h, p)| {
                if p.bytes().all(|b| b.is_ascii_digit()) {
                    h
                } else {
                    self.registry.as_str()
                }
            });
        matches!(host, "localhost" | "127.0.0.1" | "[::1]")
    }

    /// The short name Docker prints (`debian:bookworm`, `ghcr.io/o/r:1`).
    pub fn familiar(&self) -> String {
        let repo = if self.registry == DOCKER_HUB {
            let r = self
                .repository
                .strip_prefix("library/")
                .unwrap_or(&self.repository);
            r.to_string()
        } else {
            format!("{}/{}", self.registry, self.repository)
        };
        let mut s = repo;
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_defaults() {
        let r = Reference::parse("debian").unwrap();
        assert_eq!(r.registry, "docker.io");
        assert_eq!(r.repository, "library/debian");
        assert_eq!(r.tag.as_deref(), Some("latest"));
        assert_eq!(r.api_host(), "registry-1.docker.io");
        assert_eq!(r.familiar(), "debian:latest");
        let r = Reference::parse("user/app:1.2").unwrap();
        assert_eq!(r.repository, "user/app");
        assert_eq!(r.tag.as_deref(), Some("1.2"));
    }

    #[test]
    fn hosts_ports_digests() {
        let d = format!("sha256:{}", "a".repeat(64));
        let r = Reference::parse(&format!("localhost:5000/a/b@{d}")).unwrap();
        assert_eq!(r.registry, "localhost:5000");
        assert_eq!(r.repository, "a/b");
        assert_eq!(r.tag, None);
        assert_eq!(r.reference(), d);
        assert!(r.is_local());
        let r = Reference::parse("127.0.0.1:41234/x:t").unwrap();
        assert!(r.is_local());
        assert_eq!(r.tag.as_deref(), Some("t"));
        let r = Reference::parse("ghcr.io/o/r:v1").unwrap();
        assert!(!r.is_local());
        assert_eq!(r.to_string(), "ghcr.io/o/r:v1");
    }

    #[test]
    fn rejects_bad() {
        for s in [
            "",
            "UPPER",
            "a//b",
            "a:",
            "a@sha256:12",
            "a:-x",
            "/a",
            "a/",
            "x@md5:aa",
        ] {
            assert!(Reference::parse(s).is_err(), "{s}");
        }
    }
}

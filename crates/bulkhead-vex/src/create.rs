//! Building an OpenVEX document about one image (`bulkhead vex create`):
//! one statement per finding, the image as the product (by digest), the
//! finding's package as the subcomponent when given.

use crate::matching::{normalize_digest, parse_purl};
use crate::model::{CONTEXT_V020, Component, Justification, Statement, Status, VexDocument};
use crate::parse::VexError;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The image a document is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageProduct {
    /// `sha256:<hex>`: the manifest digest when known, else the config
    /// digest (image id).
    pub digest: String,
    /// The repository (`registry.example/org/app`), without tag or digest,
    /// when known: it names the image purl.
    pub repository: Option<String>,
}

/// `name:tag` or `name@digest` → `name` (a `:` after the last `/` starts a tag).
fn repository_of(reference: &str) -> &str {
    let no_digest = reference.split_once('@').map_or(reference, |(r, _)| r);
    let slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    match no_digest.get(slash..).and_then(|last| last.rfind(':')) {
        Some(colon) => no_digest.get(..slash + colon).unwrap_or(no_digest),
        None => no_digest,
    }
}

impl ImageProduct {
    /// An image by digest (`sha256:…`, or `name@sha256:…`) and optional
    /// repository.
    pub fn new(digest: &str, repository: Option<&str>) -> Result<Self, VexError> {
        let d = normalize_digest(digest).ok_or_else(|| {
            VexError::Create(format!(
                "{digest:?} is not an image digest: give sha256: and 64 hex digits (see `docker image inspect --format '{{{{.Id}}}}'` or RepoDigests)"
            ))
        })?;
        let repository = repository
            .map(|r| repository_of(r.trim()).to_string())
            .filter(|r| !r.is_empty());
        Ok(ImageProduct {
            digest: d,
            repository,
        })
    }

    /// The image as a source knows it: its first repository digest
    /// (`name@sha256:…`, the manifest) when there is one, else its id (the
    /// config digest, what `docker save` archives carry); the repository
    /// from that digest or the first tag.
    pub fn from_image(
        id: &str,
        repo_digests: &[String],
        repo_tags: &[String],
    ) -> Result<Self, VexError> {
        let tag_repo = repo_tags.first().map(|t| repository_of(t).to_string());
        for rd in repo_digests {
            if normalize_digest(rd).is_some() {
                let repo = rd
                    .split_once('@')
                    .map(|(r, _)| r.to_string())
                    .or(tag_repo.clone());
                return ImageProduct::new(rd, repo.as_deref());
            }
        }
        ImageProduct::new(id, tag_repo.as_deref())
    }

    /// The product of the statements: `pkg:oci/NAME@DIGEST?repository_url=REPO`
    /// when the repository is known, else the digest itself as `@id` with
    /// the same value as its `sha-256` hash (a purl needs a name).
    pub fn component(&self) -> Component {
        let hex = self
            .digest
            .split_once(':')
            .map_or(self.digest.as_str(), |(_, h)| h);
        let purl = self.repository.as_deref().and_then(|repo| {
            let name = repo.rsplit('/').next().unwrap_or(repo).to_ascii_lowercase();
            let mut p = packageurl::PackageUrl::new("oci", name).ok()?;
            p.with_version(self.digest.clone()).ok()?;
            p.add_qualifier("repository_url", repo.to_string()).ok()?;
            Some(p.to_string())
        });
        match purl {
            Some(purl) => Component {
                id: Some(purl),
                ..Component::default()
            },
            None => {
                let mut c = Component {
                    id: Some(self.digest.clone()),
                    ..Component::default()
                };
                if self.digest.starts_with("sha256:") {
                    c.hashes.insert("sha-256".to_string(), hex.to_string());
                } else {
                    c.hashes.insert("sha-512".to_string(), hex.to_string());
                }
                c
            }
        }
    }
}

/// A finding named on the command line: `ID` or `ID@PURL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingRef {
    pub vulnerability: String,
    /// The package, as a purl (`pkg:deb/debian/libssl3@3.0.9-1?arch=amd64`).
    pub purl: Option<String>,
}

impl FindingRef {
    /// Parse `CVE-2024-1234` or `CVE-2024-1234@pkg:deb/debian/libssl3@3.0.9-1`.
    pub fn parse(s: &str) -> Result<Self, VexError> {
        let (id, purl) = match s.split_once('@') {
            Some((id, purl)) => (id.trim(), Some(purl.trim())),
            None => (s.trim(), None),
        };
        FindingRef::new(id, purl)
    }

    /// A finding from its parts, checked.
    pub fn new(vulnerability: &str, purl: Option<&str>) -> Result<Self, VexError> {
        let id = vulnerability.trim();
        if id.is_empty() || id.chars().any(char::is_whitespace) {
            return Err(VexError::Create(format!(
                "{vulnerability:?} is not a vulnerability id: give e.g. CVE-2024-1234 or CVE-2024-1234@pkg:deb/debian/libssl3@3.0.9-1"
            )));
        }
        let purl = match purl {
            None => None,
            Some(p) => {
                if parse_purl(p).is_none() {
                    return Err(VexError::Create(format!(
                        "{p:?} (for {id}) is not a package URL: give the finding's PkgIdentifier.PURL, e.g. pkg:deb/debian/libssl3@3.0.9-1"
                    )));
                }
                Some(p.to_string())
            }
        };
        Ok(FindingRef {
            vulnerability: id.to_string(),
            purl,
        })
    }
}

/// What a statement says about its finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    pub status: Status,
    pub justification: Option<Justification>,
    pub impact_statement: Option<String>,
    pub action_statement: Option<String>,
}

impl Assertion {
    /// The specification's rules for one finding: `not_affected` says why
    /// (a justification or an impact statement), `affected` says what to do
    /// (an action statement).
    fn check(&self, finding: &FindingRef) -> Result<(), VexError> {
        let given = |s: &Option<String>| s.as_deref().is_some_and(|t| !t.trim().is_empty());
        match self.status {
            Status::NotAffected
                if self.justification.is_none() && !given(&self.impact_statement) =>
            {
                Err(VexError::Create(format!(
                    "{}: not_affected needs a justification ({}) or an impact statement: add `justification` to its [ignore] entry, or pass --justification or --impact-statement",
                    finding.vulnerability,
                    Justification::names()
                )))
            }
            Status::Affected if !given(&self.action_statement) => Err(VexError::Create(format!(
                "{}: affected needs an action statement (what to do about it): pass --action-statement",
                finding.vulnerability
            ))),
            _ => Ok(()),
        }
    }
}

/// Everything a new document is made of.
#[derive(Debug, Clone)]
pub struct CreateRequest {
    pub author: String,
    /// When the document is issued (truncated to seconds, written in UTC).
    pub timestamp: OffsetDateTime,
    /// e.g. `bulkhead 0.1.0`.
    pub tooling: String,
    pub product: ImageProduct,
    pub findings: Vec<(FindingRef, Assertion)>,
}

/// Build the document: one statement per distinct finding, in the order
/// given; its `@id` is `https://openvex.dev/docs/public/vex-<sha256>` of
/// its content.
pub fn create(req: &CreateRequest) -> Result<VexDocument, VexError> {
    if req.findings.is_empty() {
        return Err(VexError::Create(
            "nothing to state: pass --finding ID[@PURL], or --from-config with [ignore] entries in bulkhead.toml".to_string(),
        ));
    }
    if req.author.trim().is_empty() {
        return Err(VexError::Create(
            "the author is empty: pass --author NAME (a person or an organisation)".to_string(),
        ));
    }
    let timestamp = req
        .timestamp
        .to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .ok_or_else(|| VexError::Create("cannot write the current time as RFC 3339".to_string()))?;
    let mut statements: Vec<Statement> = Vec::new();
    for (finding, assertion) in &req.findings {
        assertion.check(finding)?;
        let mut product = req.product.component();
        if let Some(purl) = &finding.purl {
            product.subcomponents.push(Component {
                id: Some(purl.clone()),
                ..Component::default()
            });
        }
        let mut s = Statement::new(finding.vulnerability.clone(), assertion.status);
        s.products.push(product);
        s.justification = assertion.justification;
        s.impact_statement = assertion
            .impact_statement
            .clone()
            .filter(|t| !t.trim().is_empty());
        s.action_statement = assertion
            .action_statement
            .clone()
            .filter(|t| !t.trim().is_empty());
        if !statements.contains(&s) {
            statements.push(s);
        }
    }
    let mut doc = VexDocument {
        context: CONTEXT_V020.to_string(),
        id: String::new(),
        author: req.author.trim().to_string(),
        role: None,
        timestamp,
        last_updated: None,
        version: 1,
        tooling: Some(req.tooling.clone()).filter(|t| !t.is_empty()),
        statements,
        source: String::new(),
    };
    let body = serde_json::to_vec(&doc).map_err(|e| VexError::Create(e.to_string()))?;
    doc.id = format!(
        "https://openvex.dev/docs/public/vex-{}",
        hex(&Sha256::digest(&body))
    );
    Ok(doc)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

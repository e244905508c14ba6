//! Which statement applies to a finding (`docs/vex.md`).
//!
//! A statement applies to a vulnerability finding when
//!
//! 1. its vulnerability `name` or one of its `aliases` equals the finding's
//!    `VulnerabilityID`, one of its `Aliases` or `VendorIDs` (ASCII case
//!    ignored), and
//! 2. one of its products matches:
//!    - the scanned image, by digest: a `pkg:oci` (or `pkg:docker`) purl
//!      whose version is a digest, an `@id` that is a digest or
//!      `name@digest`, or a `sha-256`/`sha-512` hash, equal to the image's
//!      manifest digest (`RepoDigests`) or config digest (`ImageID`);
//!      names, tags and qualifiers of the image purl are not compared. When
//!      the product lists `subcomponents`, one of them must also match the
//!      finding's package purl;
//!    - or the finding's package itself, by purl.
//!
//! Purls are compared after parsing (type, namespace, name, version,
//! percent-decoding and the type's own case rules); a statement purl
//! without a version names every version; a qualifier counts only when both
//! purls carry it (then the values must be equal).
//!
//! When several statements apply, the one with the latest timestamp wins
//! (its own `timestamp`, else its document's); on a tie, the one read last
//! (later `--vex` argument, later file of a folder by name, later in its
//! document).

use crate::model::{Component, Statement, VexDocument};
use bulkhead_types::{ArtifactType, ImageMetadata, Report, VexApplied, Vulnerability};
use packageurl::PackageUrl;
use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Parse an RFC 3339 date-time.
pub(crate) fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s.trim(), &Rfc3339).ok()
}

/// A digest in the form `sha256:<lowercase hex>` (or `sha512:`), from
/// `sha256:HEX`, `sha256%3AHEX` or `name@sha256:HEX`; `None` for anything
/// else.
pub fn normalize_digest(s: &str) -> Option<String> {
    let s = s.trim();
    let tail = s.rsplit_once('@').map_or(s, |(_, d)| d);
    let (alg, hex) = tail
        .split_once(':')
        .or_else(|| tail.split_once("%3A"))
        .or_else(|| tail.split_once("%3a"))?;
    let alg = alg.to_ascii_lowercase();
    let want = match alg.as_str() {
        "sha256" => 64,
        "sha512" => 128,
        _ => return None,
    };
    if hex.len() != want || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(format!("{alg}:{}", hex.to_ascii_lowercase()))
}

/// The digests that identify a scanned artifact (an image's manifest and
/// config digests); empty for folders and files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArtifactIds {
    digests: BTreeSet<String>,
}

impl ArtifactIds {
    /// No digest: only statements about packages can apply.
    pub fn new() -> Self {
        ArtifactIds::default()
    }

    /// Add a digest (`sha256:…`, or `name@sha256:…`); false when it is not
    /// one.
    pub fn add_digest(&mut self, digest: &str) -> bool {
        match normalize_digest(digest) {
            Some(d) => {
                self.digests.insert(d);
                true
            }
            None => false,
        }
    }

    /// With one more digest.
    pub fn with_digest(mut self, digest: &str) -> Self {
        self.add_digest(digest);
        self
    }

    /// The image's config digest (`ImageID`) and manifest digests
    /// (`RepoDigests`).
    pub fn of_metadata(m: &ImageMetadata) -> Self {
        let mut ids = ArtifactIds::new();
        ids.add_digest(&m.image_id);
        for d in &m.repo_digests {
            ids.add_digest(d);
        }
        ids
    }

    /// The digests of a report's artifact (images only).
    pub fn of_report(report: &Report) -> Self {
        if report.artifact_type == ArtifactType::ContainerImage {
            ArtifactIds::of_metadata(&report.metadata)
        } else {
            ArtifactIds::new()
        }
    }

    /// The digests, normalised, in order.
    pub fn digests(&self) -> impl Iterator<Item = &str> {
        self.digests.iter().map(String::as_str)
    }

    /// Whether no digest is known.
    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }

    fn contains(&self, digest: &str) -> bool {
        self.digests.contains(digest)
    }
}

/// Parse a package URL (`pkg:…`); `None` when it is not one.
pub fn parse_purl(s: &str) -> Option<PackageUrl<'static>> {
    let s = s.trim();
    if !s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("pkg:")) {
        return None;
    }
    // The scheme is case-insensitive; the parser wants it lowercase.
    PackageUrl::from_str(&format!("pkg:{}", s.get(4..)?)).ok()
}

/// Whether a statement's purl names the package of a finding's purl (see
/// the module documentation).
pub fn purl_matches(stated: &PackageUrl, found: &PackageUrl) -> bool {
    stated.ty() == found.ty()
        && stated.namespace() == found.namespace()
        && stated.name() == found.name()
        && stated.version().is_none_or(|v| found.version() == Some(v))
        && stated
            .qualifiers()
            .iter()
            .all(|(k, v)| found.qualifiers().get(k).is_none_or(|f| f == v))
        && match (stated.subpath(), found.subpath()) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
}

/// What a component can be matched by.
#[derive(Debug, Default)]
struct Keys {
    /// Image digests (normalised).
    digests: Vec<String>,
    /// Package URLs that are not image purls.
    purls: Vec<PackageUrl<'static>>,
}

fn keys(c: &Component) -> Keys {
    let mut k = Keys::default();
    for s in c.id.iter().chain(c.identifiers.get("purl")) {
        if let Some(p) = parse_purl(s) {
            let image = matches!(p.ty(), "oci" | "docker");
            match p.version().and_then(normalize_digest) {
                Some(d) if image => k.digests.push(d),
                _ => k.purls.push(p),
            }
        } else if let Some(d) = normalize_digest(s) {
            k.digests.push(d);
        }
    }
    for (alg, value) in &c.hashes {
        let alg = match alg.to_ascii_lowercase().as_str() {
            "sha-256" | "sha256" => "sha256",
            "sha-512" | "sha512" => "sha512",
            _ => continue,
        };
        let v = value.trim();
        let d = if v.contains(':') {
            normalize_digest(v)
        } else {
            normalize_digest(&format!("{alg}:{v}"))
        };
        k.digests.extend(d);
    }
    k
}

/// One statement, ready to be matched.
struct Entry<'a> {
    document: &'a VexDocument,
    index: usize,
    statement: &'a Statement,
    /// Effective time (the statement's, else the document's); `None` sorts
    /// first.
    time: Option<OffsetDateTime>,
    /// Reading order, for ties.
    order: usize,
    /// Each product with its subcomponents.
    products: Vec<(Keys, Vec<Keys>)>,
}

impl Entry<'_> {
    fn applies(&self, purl: Option<&PackageUrl>, artifact: &ArtifactIds) -> bool {
        self.products.iter().any(|(product, subs)| {
            if product.digests.iter().any(|d| artifact.contains(d)) {
                if subs.is_empty() {
                    return true;
                }
                return purl.is_some_and(|f| {
                    subs.iter()
                        .any(|s| s.purls.iter().any(|p| purl_matches(p, f)))
                });
            }
            purl.is_some_and(|f| product.purls.iter().any(|p| purl_matches(p, f)))
        })
    }
}

/// The statements of some documents, indexed by vulnerability id.
pub struct VexIndex<'a> {
    entries: Vec<Entry<'a>>,
    by_id: HashMap<String, Vec<usize>>,
}

/// The statement that decides about a finding.
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    pub document: &'a VexDocument,
    /// Index in the document's `statements`.
    pub statement_index: usize,
    pub statement: &'a Statement,
}

impl Decision<'_> {
    /// Whether the finding is suppressed ([`Statement::suppresses`]).
    pub fn suppresses(&self) -> bool {
        self.statement.suppresses()
    }

    /// The statement's timestamp, else its document's.
    pub fn timestamp(&self) -> &str {
        self.statement
            .timestamp
            .as_deref()
            .unwrap_or(&self.document.timestamp)
    }

    /// What the report records about it.
    pub fn applied(&self) -> VexApplied {
        let s = self.statement;
        VexApplied {
            status: s.status.as_str().to_string(),
            justification: s
                .justification
                .map(|j| j.as_str().to_string())
                .unwrap_or_default(),
            impact_statement: s.impact_statement.clone().unwrap_or_default(),
            action_statement: s.action_statement.clone().unwrap_or_default(),
            source: self.document.source.clone(),
            document_id: self.document.id.clone(),
            statement_index: self.statement_index,
            timestamp: self.timestamp().to_string(),
        }
    }
}

fn key(id: &str) -> String {
    id.trim().to_ascii_uppercase()
}

impl<'a> VexIndex<'a> {
    /// Index every statement of `documents` (in the order given).
    pub fn new(documents: &'a [VexDocument]) -> Self {
        let mut entries = Vec::new();
        let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
        for document in documents {
            for (index, statement) in document.statements.iter().enumerate() {
                let time = parse_time(
                    statement
                        .timestamp
                        .as_deref()
                        .unwrap_or(&document.timestamp),
                );
                let products = statement
                    .products
                    .iter()
                    .map(|p| (keys(p), p.subcomponents.iter().map(keys).collect()))
                    .collect();
                let n = entries.len();
                entries.push(Entry {
                    document,
                    index,
                    statement,
                    time,
                    order: n,
                    products,
                });
                let v = &statement.vulnerability;
                let ids: BTreeSet<String> = std::iter::once(&v.name)
                    .chain(&v.aliases)
                    .map(|s| key(s))
                    .filter(|s| !s.is_empty())
                    .collect();
                for id in ids {
                    by_id.entry(id).or_default().push(n);
                }
            }
        }
        VexIndex { entries, by_id }
    }

    /// Whether no statement was indexed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The statement that applies to `finding` in `artifact`, the latest
    /// when several do; `None` when none does.
    pub fn decide(&self, finding: &Vulnerability, artifact: &ArtifactIds) -> Option<Decision<'a>> {
        let mut candidates: BTreeSet<usize> = BTreeSet::new();
        for id in std::iter::once(&finding.vulnerability_id)
            .chain(&finding.aliases)
            .chain(&finding.vendor_ids)
        {
            if let Some(list) = self.by_id.get(&key(id)) {
                candidates.extend(list.iter().copied());
            }
        }
        if candidates.is_empty() {
            return None;
        }
        let purl = parse_purl(&finding.pkg_identifier.purl);
        candidates
            .into_iter()
            .filter_map(|i| self.entries.get(i))
            .filter(|e| e.applies(purl.as_ref(), artifact))
            .max_by_key(|e| (e.time, e.order))
            .map(|e| Decision {
                document: e.document,
                statement_index: e.index,
                statement: e.statement,
            })
    }
}

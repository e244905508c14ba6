//! The OpenVEX v0.2.0 document model: what [`crate::parse`] reads and
//! [`crate::create`] builds. Field names and order follow the
//! specification's JSON; optional fields are left out when empty, so a
//! document built here validates against the OpenVEX JSON schema.

use serde::Serialize;
use std::collections::BTreeMap;

/// The `@context` of OpenVEX v0.2.0 documents.
pub const CONTEXT_V020: &str = "https://openvex.dev/ns/v0.2.0";

/// The prefix every OpenVEX `@context` shares (`…/ns`, `…/ns/v0.0.1`, …).
pub const CONTEXT_PREFIX: &str = "https://openvex.dev/ns";

/// One OpenVEX document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VexDocument {
    #[serde(rename = "@context")]
    pub context: String,
    #[serde(rename = "@id")]
    pub id: String,
    pub author: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// When the document was issued (RFC 3339); statements without a
    /// timestamp of their own inherit it.
    pub timestamp: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    pub version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tooling: Option<String>,
    pub statements: Vec<Statement>,
    /// Where the document was read from (a file path), for reports and
    /// errors; not part of the document.
    #[serde(skip)]
    pub source: String,
}

/// One statement: a vulnerability, the products it concerns, a status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    #[serde(rename = "@id", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    pub vulnerability: VulnerabilityRef,
    /// RFC 3339; `None`: the document's timestamp applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<Component>,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<Justification>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact_statement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_statement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_statement_timestamp: Option<String>,
}

impl Statement {
    /// A statement about `vulnerability` with `status` and nothing else.
    pub fn new(vulnerability: impl Into<String>, status: Status) -> Self {
        Statement {
            id: None,
            version: None,
            vulnerability: VulnerabilityRef {
                id: None,
                name: vulnerability.into(),
                description: None,
                aliases: Vec::new(),
            },
            timestamp: None,
            last_updated: None,
            products: Vec::new(),
            status,
            supplier: None,
            status_notes: None,
            justification: None,
            impact_statement: None,
            action_statement: None,
            action_statement_timestamp: None,
        }
    }

    /// Whether the statement suppresses the findings it applies to:
    /// `fixed`, or `not_affected` with a justification or an impact
    /// statement (the specification requires one; without it the statement
    /// only annotates).
    pub fn suppresses(&self) -> bool {
        match self.status {
            Status::Fixed => true,
            Status::NotAffected => self.gives_reason(),
            Status::Affected | Status::UnderInvestigation => false,
        }
    }

    /// Whether a `not_affected` statement says why (a justification label
    /// or a non-empty impact statement).
    pub fn gives_reason(&self) -> bool {
        self.justification.is_some()
            || self
                .impact_statement
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty())
    }
}

/// The vulnerability a statement is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VulnerabilityRef {
    #[serde(rename = "@id", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The main identifier (a CVE, GHSA, DSA, … id).
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

/// A product or subcomponent: an IRI (often a purl), identifiers, hashes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Component {
    #[serde(rename = "@id", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `purl`, `cpe22`, `cpe23`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub identifiers: BTreeMap<String, String>,
    /// Algorithm name (`sha-256`, `sha-512`, …) → hex digest.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub hashes: BTreeMap<String, String>,
    /// Products only: the components the vulnerability is in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subcomponents: Vec<Component>,
}

/// A statement's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
}

impl Status {
    /// Every status, in the specification's order.
    pub const ALL: [Status; 4] = [
        Status::NotAffected,
        Status::Affected,
        Status::Fixed,
        Status::UnderInvestigation,
    ];

    /// The label as written in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotAffected => "not_affected",
            Status::Affected => "affected",
            Status::Fixed => "fixed",
            Status::UnderInvestigation => "under_investigation",
        }
    }

    /// Parse a label (exact, as the specification spells it).
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The labels, comma-separated, for messages.
    pub fn names() -> String {
        Status::ALL.map(Status::as_str).join(", ")
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a product is `not_affected` (the VEX working group's labels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Justification {
    ComponentNotPresent,
    VulnerableCodeNotPresent,
    VulnerableCodeNotInExecutePath,
    VulnerableCodeCannotBeControlledByAdversary,
    InlineMitigationsAlreadyExist,
}

impl Justification {
    /// Every label, in the specification's order.
    pub const ALL: [Justification; 5] = [
        Justification::ComponentNotPresent,
        Justification::VulnerableCodeNotPresent,
        Justification::VulnerableCodeNotInExecutePath,
        Justification::VulnerableCodeCannotBeControlledByAdversary,
        Justification::InlineMitigationsAlreadyExist,
    ];

    /// The label as written in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            Justification::ComponentNotPresent => "component_not_present",
            Justification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Justification::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Justification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Justification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }

    /// Parse a label (exact).
    pub fn parse(s: &str) -> Option<Justification> {
        Justification::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The labels, comma-separated, for messages.
    pub fn names() -> String {
        Justification::ALL.map(Justification::as_str).join(", ")
    }
}

impl std::fmt::Display for Justification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

//! The entry point of the `vex` fuzz target (also replayed by the CLI's
//! `fuzz_replay` test): parse a document, then match every statement's own
//! names and purls against findings made from it, and rebuild a document
//! through [`crate::create`]. Nothing may panic; a parsed document must
//! survive writing and reading back.

use crate::{
    ArtifactIds, Assertion, CreateRequest, FindingRef, ImageProduct, Limits, VexIndex, create,
    parse_document,
};
use bulkhead_types::{PkgIdentifier, Vulnerability};

/// Small limits, so the fuzzer spends its time on structure.
fn limits() -> Limits {
    Limits {
        max_file_bytes: 1 << 20,
        max_files: 10,
        max_statements: 1_000,
        max_components: 1_000,
        max_aliases: 100,
    }
}

/// Run `data` through the reader, the matcher and the builder.
pub fn exercise(data: &[u8]) {
    let Ok(parsed) = parse_document(data, "fuzz.json", &limits()) else {
        return;
    };
    let doc = parsed.document;
    // Written and read back, the document says the same.
    if let Ok(text) = serde_json::to_vec(&doc)
        && let Ok(again) = parse_document(&text, "fuzz.json", &limits())
    {
        assert_eq!(again.document.statements, doc.statements);
    }
    let docs = [doc];
    let index = VexIndex::new(&docs);
    let mut artifact = ArtifactIds::new();
    let mut findings = Vec::new();
    for s in docs.iter().flat_map(|d| &d.statements) {
        for p in &s.products {
            for id in p.id.iter().chain(p.identifiers.values()) {
                artifact.add_digest(id);
            }
            for sub in p.subcomponents.iter().chain(std::iter::once(p)) {
                for id in sub.id.iter().chain(sub.identifiers.values()) {
                    findings.push(Vulnerability {
                        vulnerability_id: s.vulnerability.name.clone(),
                        aliases: s.vulnerability.aliases.clone(),
                        pkg_identifier: PkgIdentifier { purl: id.clone() },
                        ..Vulnerability::default()
                    });
                }
            }
        }
    }
    for f in findings.iter().take(200) {
        if let Some(d) = index.decide(f, &artifact) {
            let applied = d.applied();
            assert_eq!(applied.status, d.statement.status.as_str());
            let _ = d.suppresses();
        }
        let _ = index.decide(f, &ArtifactIds::new());
    }
    // The builder on names and purls from the document.
    let Some(digest) = artifact.digests().next().map(str::to_string) else {
        return;
    };
    let Ok(product) = ImageProduct::new(&digest, Some(docs[0].author.as_str())) else {
        return;
    };
    let refs: Vec<(FindingRef, Assertion)> = docs[0]
        .statements
        .iter()
        .take(50)
        .filter_map(|s| {
            let purl = s
                .products
                .iter()
                .flat_map(|p| &p.subcomponents)
                .find_map(|c| c.id.clone());
            let f = FindingRef::new(&s.vulnerability.name, purl.as_deref()).ok()?;
            Some((
                f,
                Assertion {
                    status: s.status,
                    justification: s.justification,
                    impact_statement: s.impact_statement.clone(),
                    action_statement: s.action_statement.clone(),
                },
            ))
        })
        .collect();
    let req = CreateRequest {
        author: "fuzz".to_string(),
        timestamp: time::OffsetDateTime::UNIX_EPOCH,
        tooling: String::new(),
        product,
        findings: refs,
    };
    if let Ok(made) = create(&req)
        && let Ok(text) = serde_json::to_vec(&made)
    {
        let again = parse_document(&text, "created.json", &limits());
        assert!(
            again.is_ok(),
            "a created document must read back: {again:?}"
        );
    }
}

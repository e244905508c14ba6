#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::*;
use bulkhead_types::{PkgIdentifier, Vulnerability};
use serde_json::{Value, json};

const IMG: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const IMG_HEX: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const OTHER: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
const CONFIG: &str = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
const LIBSSL: &str = "pkg:deb/debian/libssl3@3.0.9-1?arch=amd64&distro=debian-12";
const OPENSSL: &str = "pkg:deb/debian/openssl@3.0.9-1?arch=amd64&distro=debian-12";

fn doc(statements: Value) -> Value {
    json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://openvex.dev/docs/example/vex-1",
        "author": "Example Team",
        "timestamp": "2024-05-01T12:00:00Z",
        "version": 1,
        "statements": statements,
    })
}

fn parse(v: &Value) -> Result<Parsed, VexError> {
    parse_document(
        serde_json::to_string(v).unwrap().as_bytes(),
        "test.openvex.json",
        &Limits::default(),
    )
}

fn parse_ok(v: &Value) -> VexDocument {
    parse(v).unwrap().document
}

fn err(v: &Value) -> String {
    parse(v).unwrap_err().to_string()
}

fn finding(id: &str, purl: &str) -> Vulnerability {
    Vulnerability {
        vulnerability_id: id.to_string(),
        pkg_identifier: PkgIdentifier {
            purl: purl.to_string(),
        },
        ..Vulnerability::default()
    }
}

fn image_statement(id: &str, product: Value, status: &str) -> Value {
    json!({
        "vulnerability": {"name": id},
        "products": [product],
        "status": status,
        "justification": "vulnerable_code_not_in_execute_path",
    })
}

fn decide<'a>(
    docs: &'a [VexDocument],
    f: &Vulnerability,
    artifact: &ArtifactIds,
) -> Option<(usize, &'a str)> {
    let idx = VexIndex::new(docs);
    idx.decide(f, artifact)
        .map(|d| (d.statement_index, d.statement.status.as_str()))
}

// ---- reading ----------------------------------------------------------

#[test]
fn reads_the_specification_example() {
    let d = parse_ok(&json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://openvex.dev/docs/public/vex-2e67563e128250cbcb3e98930df948dd053e43271d70dc50cfa22d57e03fe96f",
        "author": "Spring Builds <spring-builds@users.noreply.github.com>",
        "role": "Project Release Bot",
        "timestamp": "2023-01-16T19:07:16.853479631-06:00",
        "version": 1,
        "statements": [{
            "vulnerability": {
                "@id": "https://nvd.nist.gov/vuln/detail/CVE-2021-44228",
                "name": "CVE-2021-44228",
                "description": "Remote code injection in Log4j",
                "aliases": ["GHSA-jfh8-c2jp-5v3q"]
            },
            "products": [{
                "@id": "pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3",
                "identifiers": {"purl": "pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3"},
                "hashes": {"sha-256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}
            }],
            "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path",
            "impact_statement": "Only applications using log4j-core are vulnerable."
        }]
    }));
    assert_eq!(d.role.as_deref(), Some("Project Release Bot"));
    let s = &d.statements[0];
    assert_eq!(s.vulnerability.aliases, ["GHSA-jfh8-c2jp-5v3q"]);
    assert_eq!(s.status, Status::NotAffected);
    assert_eq!(
        s.justification,
        Some(Justification::VulnerableCodeNotInExecutePath)
    );
    assert!(s.suppresses());
    assert_eq!(d.source, "test.openvex.json");
}

#[test]
fn unknown_fields_are_tolerated() {
    let mut v = doc(json!([{
        "vulnerability": {"name": "CVE-1", "x-extra": [1, 2]},
        "products": [{"@id": LIBSSL, "x-vendor": {"a": 1}}],
        "status": "fixed",
        "x-note": "ok"
    }]));
    v["x-top"] = json!({"deep": [true]});
    let d = parse_ok(&v);
    assert_eq!(d.statements.len(), 1);
}

#[test]
fn older_string_forms_are_read() {
    // OpenVEX v0.0.x: vulnerability, products and subcomponents as strings.
    let mut v = doc(json!([{
        "vulnerability": "CVE-2023-1",
        "products": [format!("pkg:oci/app@{IMG}")],
        "subcomponents": [LIBSSL],
        "status": "not_affected",
        "justification": "component_not_present"
    }]));
    v["@context"] = json!("https://openvex.dev/ns");
    v["version"] = json!("3");
    let p = parse(&v).unwrap();
    assert!(p.warnings.iter().any(|w| w.contains("read as v0.2.0")));
    let s = &p.document.statements[0];
    assert_eq!(s.vulnerability.name, "CVE-2023-1");
    assert_eq!(s.products[0].subcomponents[0].id.as_deref(), Some(LIBSSL));
    assert_eq!(p.document.version, 3);
}

#[test]
fn missing_required_fields_are_named() {
    for key in [
        "@context",
        "@id",
        "author",
        "timestamp",
        "version",
        "statements",
    ] {
        let mut v = doc(json!([]));
        v.as_object_mut().unwrap().remove(key);
        let e = err(&v);
        assert!(e.contains(&format!("`{key}` is missing")), "{key}: {e}");
        assert!(e.contains("test.openvex.json"), "{e}");
    }
    let e = err(&doc(
        json!([{"products": [{"@id": LIBSSL}], "status": "fixed"}]),
    ));
    assert!(
        e.contains("statement 0") && e.contains("`vulnerability` is missing"),
        "{e}"
    );
    let e = err(&doc(json!([
        {"vulnerability": {"name": "CVE-1"}, "products": [{"@id": LIBSSL}], "status": "fixed"},
        {"vulnerability": {"name": "CVE-2"}, "products": [{"@id": LIBSSL}]}
    ])));
    assert!(
        e.contains("statement 1") && e.contains("`status` is missing"),
        "{e}"
    );
    let e = err(&doc(
        json!([{"vulnerability": {"@id": "x"}, "status": "fixed"}]),
    ));
    assert!(e.contains("`vulnerability.name` is missing"), "{e}");
}

#[test]
fn wrong_types_and_values_are_named() {
    let cases: Vec<(Value, &str)> = vec![
        (
            json!([{"vulnerability": {"name": 5}, "status": "fixed"}]),
            "`vulnerability.name` must be a string, not a number",
        ),
        (
            json!([{"vulnerability": {"name": "C"}, "status": ["fixed"]}]),
            "`status` must be a string, not an array",
        ),
        (
            json!([{"vulnerability": {"name": "C"}, "status": "false_positive"}]),
            "is not an OpenVEX status",
        ),
        (
            json!([{"vulnerability": {"name": "C"}, "status": "not_affected", "justification": "because"}]),
            "is not an OpenVEX justification",
        ),
        (
            json!([{"vulnerability": {"name": "C"}, "status": "fixed", "products": {"@id": "x"}}]),
            "`products` must be an array, not an object",
        ),
        (
            json!([{"vulnerability": {"name": "C"}, "status": "fixed", "products": [7]}]),
            "`products[0]` must be an object, not a number",
        ),
        (
            json!([{"vulnerability": {"name": "C"}, "status": "fixed", "products": [{"hashes": {"sha-256": "ab"}}]}]),
            "`products[0]` has neither `@id` nor `identifiers`",
        ),
        (
            json!([{"vulnerability": {"name": "C"}, "status": "fixed", "products": [{"@id": "x", "identifiers": {"purl": 1}}]}]),
            "`products[0].identifiers.purl` must be a string",
        ),
        (
            json!([{"vulnerability": {"name": "C"}, "status": "fixed", "products": [{"@id": "x", "subcomponents": [{"@id": 2}]}]}]),
            "`products[0].subcomponents[0].@id` must be a string",
        ),
        (
            json!([{"vulnerability": {"name": "C", "aliases": "GHSA"}, "status": "fixed"}]),
            "`vulnerability.aliases` must be an array",
        ),
        (
            json!([{"vulnerability": {"name": "C"}, "status": "fixed", "timestamp": "yesterday"}]),
            "`timestamp` is not an RFC 3339 date-time",
        ),
        (
            json!([{"vulnerability": {"name": "  "}, "status": "fixed"}]),
            "`vulnerability.name` is empty",
        ),
        (
            json!(["CVE-1"]),
            "a statement must be an object, not a string",
        ),
        (
            json!({"a": 1}),
            "`statements` must be an array, not an object",
        ),
    ];
    for (statements, want) in cases {
        let e = err(&doc(statements.clone()));
        assert!(e.contains(want), "{statements}: {e}");
    }
    let mut v = doc(json!([]));
    v["timestamp"] = json!("2024-13-01T00:00:00Z");
    assert!(err(&v).contains("`timestamp` is not an RFC 3339"));
    v["timestamp"] = json!("2024-05-01T12:00:00Z");
    v["version"] = json!(-1);
    assert!(err(&v).contains("`version` must be a whole number"));
    v["version"] = json!(1);
    v["@context"] = json!("https://cyclonedx.org/schema");
    assert!(err(&v).contains("is not OpenVEX's"));
    for bad in [&b"[]"[..], b"null", b"\"x\"", b"{", b"", b"\xff\xfe"] {
        assert!(
            parse_document(bad, "bad.json", &Limits::default()).is_err(),
            "{bad:?}"
        );
    }
}

#[test]
fn hostile_documents_are_refused_within_bounds() {
    // Deep nesting: serde_json's recursion limit, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let e = parse_document(deep.as_bytes(), "deep.json", &Limits::default()).unwrap_err();
    assert!(e.to_string().contains("not valid JSON"), "{e}");
    let deep_obj = format!(
        "{{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"x\": {}{}}}",
        "{\"a\":".repeat(10_000),
        "}".repeat(10_000)
    );
    assert!(parse_document(deep_obj.as_bytes(), "deep.json", &Limits::default()).is_err());
    // Too large, too many statements, components or aliases.
    let small = Limits {
        max_file_bytes: 100,
        ..Limits::default()
    };
    let big = serde_json::to_vec(&doc(json!([]))).unwrap();
    let e = parse_document(&big, "big.json", &small).unwrap_err();
    assert!(e.to_string().contains("larger than 100 bytes"), "{e}");
    let few = Limits {
        max_statements: 2,
        max_components: 3,
        max_aliases: 2,
        ..Limits::default()
    };
    let s =
        json!({"vulnerability": {"name": "C"}, "status": "fixed", "products": [{"@id": LIBSSL}]});
    let v = doc(json!([s, s, s]));
    let e = parse_document(&serde_json::to_vec(&v).unwrap(), "x", &few).unwrap_err();
    assert!(e.to_string().contains("more than 2 statements"), "{e}");
    let v = doc(json!([{"vulnerability": {"name": "C"}, "status": "fixed",
        "products": [{"@id": "a", "subcomponents": [{"@id": "b"}, {"@id": "c"}, {"@id": "d"}]}]}]));
    let e = parse_document(&serde_json::to_vec(&v).unwrap(), "x", &few).unwrap_err();
    assert!(
        e.to_string()
            .contains("more than 3 products and subcomponents"),
        "{e}"
    );
    let v = doc(
        json!([{"vulnerability": {"name": "C", "aliases": ["a", "b", "c"]}, "status": "fixed"}]),
    );
    let e = parse_document(&serde_json::to_vec(&v).unwrap(), "x", &few).unwrap_err();
    assert!(e.to_string().contains("more than 2 entries"), "{e}");
    // Huge but within bounds: 50 000 statements read in one pass.
    let many: Vec<Value> = (0..50_000)
        .map(|i| json!({"vulnerability": {"name": format!("CVE-2024-{i}")}, "status": "fixed", "products": [{"@id": LIBSSL}]}))
        .collect();
    let d = parse_ok(&doc(Value::Array(many)));
    assert_eq!(d.statements.len(), 50_000);
    let idx = VexIndex::new(std::slice::from_ref(&d));
    let hit = idx.decide(&finding("cve-2024-49999", LIBSSL), &ArtifactIds::new());
    assert_eq!(hit.unwrap().statement_index, 49_999);
}

#[test]
fn warnings_for_statements_that_cannot_suppress() {
    let p = parse(&doc(json!([
        {"vulnerability": {"name": "C"}, "status": "not_affected", "products": [{"@id": LIBSSL}]},
        {"vulnerability": {"name": "D"}, "status": "fixed"}
    ])))
    .unwrap();
    assert!(p.warnings[0].contains("statement 0") && p.warnings[0].contains("suppresses none"));
    assert!(p.warnings[1].contains("statement 1") && p.warnings[1].contains("names no product"));
    assert!(!p.document.statements[0].suppresses());
    // An impact statement is reason enough.
    let d = parse_ok(&doc(
        json!([{"vulnerability": {"name": "C"}, "status": "not_affected",
        "impact_statement": "not reachable", "products": [{"@id": LIBSSL}]}]),
    ));
    assert!(d.statements[0].suppresses());
}

#[test]
fn folders_read_every_json_file_in_name_order() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let a = doc(json!([image_statement(
        "CVE-1",
        json!({"@id": IMG}),
        "not_affected"
    )]));
    let mut b = a.clone();
    b["statements"][0]["status"] = json!("affected");
    std::fs::write(dir.join("b.openvex.json"), serde_json::to_vec(&b).unwrap()).unwrap();
    std::fs::write(dir.join("a.vex.json"), serde_json::to_vec(&a).unwrap()).unwrap();
    std::fs::write(dir.join("package.json"), b"{\"name\": \"x\"}").unwrap();
    std::fs::write(dir.join("notes.txt"), b"not json").unwrap();
    let loaded = load_paths(std::slice::from_ref(&dir), &Limits::default()).unwrap();
    assert_eq!(loaded.documents.len(), 2);
    assert!(loaded.documents[0].source.ends_with("a.vex.json"));
    assert!(
        loaded
            .warnings
            .iter()
            .any(|w| w.contains("package.json") && w.contains("skipped"))
    );
    // Same timestamp: the one read last (b) wins.
    let f = finding("CVE-1", LIBSSL);
    let ids = ArtifactIds::new().with_digest(IMG);
    assert_eq!(decide(&loaded.documents, &f, &ids).unwrap().1, "affected");
    // A broken OpenVEX file in the folder is an error naming it.
    let mut broken = a.clone();
    broken["statements"][0]["status"] = json!(3);
    std::fs::write(dir.join("c.json"), serde_json::to_vec(&broken).unwrap()).unwrap();
    let e = load_paths(std::slice::from_ref(&dir), &Limits::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("c.json, statement 0") && e.contains("`status` must be a string"),
        "{e}"
    );
    // Files, repeated, in order; a missing one is a read error.
    let one = dir.join("a.vex.json");
    let loaded = load_paths(&[one.clone(), one.clone()], &Limits::default()).unwrap();
    assert_eq!(loaded.documents.len(), 2);
    let e = load_paths(&[dir.join("nope.json")], &Limits::default()).unwrap_err();
    assert!(matches!(e, VexError::Read { .. }), "{e}");
    // Too many statements together.
    let few = Limits {
        max_statements: 1,
        ..Limits::default()
    };
    let e = load_paths(&[one.clone(), one], &few)
        .unwrap_err()
        .to_string();
    assert!(e.contains("together"), "{e}");
}

// ---- matching ---------------------------------------------------------

#[test]
fn digests_are_normalised() {
    assert_eq!(
        normalize_digest(&IMG.to_uppercase().replace("SHA256", "sha256")).as_deref(),
        Some(IMG)
    );
    assert_eq!(
        normalize_digest(&format!("sha256%3A{IMG_HEX}")).as_deref(),
        Some(IMG)
    );
    assert_eq!(
        normalize_digest(&format!("ghcr.io/org/app@{IMG}")).as_deref(),
        Some(IMG)
    );
    assert_eq!(
        normalize_digest(&format!("SHA256:{IMG_HEX}")).as_deref(),
        Some(IMG)
    );
    for bad in [
        "sha256:abc",
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        "",
        "https://x/y",
        "sha256:zz11111111111111111111111111111111111111111111111111111111111111",
    ] {
        assert!(normalize_digest(bad).is_none(), "{bad}");
    }
}

#[test]
fn image_product_matches_by_any_digest_form() {
    let ids = ArtifactIds::new().with_digest(IMG).with_digest(CONFIG);
    let f = finding("CVE-1", LIBSSL);
    let products = [
        json!({"@id": format!("pkg:oci/app@sha256%3A{IMG_HEX}?repository_url=ghcr.io/org/app&tag=v1&arch=amd64")}),
        json!({"@id": format!("pkg:oci/other-name@{IMG}")}),
        json!({"@id": "x", "identifiers": {"purl": format!("pkg:docker/org/app@{IMG}")}}),
        json!({"@id": format!("ghcr.io/org/app@{IMG}")}),
        json!({"@id": IMG}),
        json!({"@id": "urn:x", "hashes": {"sha-256": IMG_HEX}}),
        json!({"@id": format!("pkg:oci/app@{CONFIG}")}),
    ];
    for p in products {
        let d = parse_ok(&doc(json!([image_statement(
            "CVE-1",
            p.clone(),
            "not_affected"
        )])));
        assert_eq!(
            decide(std::slice::from_ref(&d), &f, &ids),
            Some((0, "not_affected")),
            "{p}"
        );
        // Another image never.
        let other = ArtifactIds::new().with_digest(OTHER);
        assert_eq!(decide(std::slice::from_ref(&d), &f, &other), None, "{p}");
        // A folder or file scan (no digest) never.
        assert_eq!(decide(&[d], &f, &ArtifactIds::new()), None, "{p}");
    }
}

#[test]
fn subcomponents_limit_an_image_statement_to_their_packages() {
    let ids = ArtifactIds::new().with_digest(IMG);
    let product = json!({"@id": format!("pkg:oci/app@{IMG}"), "subcomponents": [
        {"@id": "pkg:deb/debian/libssl3@3.0.9-1"}
    ]});
    let d = parse_ok(&doc(json!([image_statement(
        "CVE-1",
        product,
        "not_affected"
    )])));
    let docs = [d];
    assert!(decide(&docs, &finding("CVE-1", LIBSSL), &ids).is_some());
    assert!(decide(&docs, &finding("CVE-1", OPENSSL), &ids).is_none());
    assert!(decide(&docs, &finding("CVE-1", ""), &ids).is_none());
    assert!(decide(&docs, &finding("CVE-2", LIBSSL), &ids).is_none());
    // Without subcomponents: every package of the image.
    let d = parse_ok(&doc(json!([image_statement(
        "CVE-1",
        json!({"@id": IMG}),
        "fixed"
    )])));
    assert!(decide(std::slice::from_ref(&d), &finding("CVE-1", OPENSSL), &ids).is_some());
    assert!(decide(&[d], &finding("CVE-1", ""), &ids).is_some());
}

#[test]
fn package_products_match_by_purl_in_any_image() {
    let d = parse_ok(&doc(json!([image_statement(
        "CVE-1",
        json!({"@id": "pkg:deb/debian/libssl3@3.0.9-1?arch=amd64"}),
        "not_affected"
    )])));
    let docs = [d];
    for ids in [ArtifactIds::new(), ArtifactIds::new().with_digest(OTHER)] {
        assert!(decide(&docs, &finding("CVE-1", LIBSSL), &ids).is_some());
        assert!(decide(&docs, &finding("CVE-1", OPENSSL), &ids).is_none());
    }
}

#[test]
fn purls_compare_normalised() {
    let m = |a: &str, b: &str| purl_matches(&parse_purl(a).unwrap(), &parse_purl(b).unwrap());
    // Qualifiers count only when both sides carry them.
    assert!(m("pkg:deb/debian/libssl3@3.0.9-1", LIBSSL));
    assert!(m("pkg:deb/debian/libssl3@3.0.9-1?arch=amd64", LIBSSL));
    assert!(!m("pkg:deb/debian/libssl3@3.0.9-1?arch=arm64", LIBSSL));
    assert!(m("pkg:deb/debian/libssl3@3.0.9-1?foo=bar", LIBSSL));
    // No version: every version; a version: that one.
    assert!(m("pkg:deb/debian/libssl3", LIBSSL));
    assert!(!m("pkg:deb/debian/libssl3@3.0.9-2", LIBSSL));
    assert!(!m("pkg:deb/ubuntu/libssl3@3.0.9-1", LIBSSL));
    assert!(!m("pkg:rpm/debian/libssl3@3.0.9-1", LIBSSL));
    // Percent-encoding and the type's own case rules.
    assert!(m(
        "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1",
        "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64"
    ));
    assert!(m("PKG:pypi/Jinja2@2.10", "pkg:pypi/jinja2@2.10"));
    assert!(m(
        "pkg:pypi/typing_extensions@4.0",
        "pkg:pypi/typing-extensions@4.0"
    ));
    assert!(parse_purl("not a purl").is_none());
    assert!(parse_purl("pkg:").is_none());
}

#[test]
fn ids_match_through_aliases_and_vendor_ids_ignoring_case() {
    let ids = ArtifactIds::new().with_digest(IMG);
    let s = json!({"vulnerability": {"name": "GHSA-aaaa-bbbb-cccc", "aliases": ["CVE-2024-7"]},
        "products": [{"@id": IMG}], "status": "fixed"});
    let d = parse_ok(&doc(json!([s])));
    let docs = [d];
    assert!(decide(&docs, &finding("cve-2024-7", LIBSSL), &ids).is_some());
    let mut f = finding("CVE-2024-8", LIBSSL);
    f.aliases = vec!["GHSA-AAAA-BBBB-CCCC".into()];
    assert!(decide(&docs, &f, &ids).is_some());
    let mut f = finding("CVE-2024-9", LIBSSL);
    f.vendor_ids = vec!["DSA-1".into()];
    assert!(decide(&docs, &f, &ids).is_none());
    let s =
        json!({"vulnerability": {"name": "DSA-1"}, "products": [{"@id": IMG}], "status": "fixed"});
    let d = parse_ok(&doc(json!([s])));
    assert!(decide(&[d], &f, &ids).is_some());
}

#[test]
fn the_latest_statement_wins() {
    let ids = ArtifactIds::new().with_digest(IMG);
    let f = finding("CVE-1", LIBSSL);
    let st = |status: &str, ts: Option<&str>| {
        let mut s = image_statement("CVE-1", json!({"@id": IMG}), status);
        if let Some(t) = ts {
            s["timestamp"] = json!(t);
        }
        s
    };
    // Statement timestamps beat their order in the document.
    let d = parse_ok(&doc(json!([
        st("under_investigation", Some("2024-06-01T00:00:00Z")),
        st("not_affected", Some("2024-05-15T00:00:00Z")),
    ])));
    assert_eq!(decide(&[d], &f, &ids), Some((0, "under_investigation")));
    // A statement without one inherits the document's (2024-05-01T12:00Z);
    // offsets are compared as instants.
    let d = parse_ok(&doc(json!([
        st("fixed", None),
        st("affected", Some("2024-05-01T13:00:00+02:00")),
    ])));
    assert_eq!(decide(&[d], &f, &ids), Some((0, "fixed")));
    // Across documents: the later document's statements win.
    let mut newer = doc(json!([st("affected", None)]));
    newer["timestamp"] = json!("2024-07-01T00:00:00Z");
    let older = doc(json!([st("not_affected", None)]));
    let docs = [parse_ok(&newer), parse_ok(&older)];
    let idx = VexIndex::new(&docs);
    let dec = idx.decide(&f, &ids).unwrap();
    assert_eq!(dec.statement.status, Status::Affected);
    assert_eq!(dec.timestamp(), "2024-07-01T00:00:00Z");
    assert!(!dec.suppresses());
    // Ties: the one read last.
    let d = parse_ok(&doc(json!([
        st("fixed", None),
        st("under_investigation", None)
    ])));
    assert_eq!(decide(&[d], &f, &ids), Some((1, "under_investigation")));
}

#[test]
fn a_decision_records_its_statement_and_document() {
    let ids = ArtifactIds::new().with_digest(IMG);
    let mut s = image_statement("CVE-1", json!({"@id": IMG}), "not_affected");
    s["impact_statement"] = json!("never loaded");
    let d = parse_ok(&doc(json!([s])));
    let docs = [d];
    let idx = VexIndex::new(&docs);
    let a = idx
        .decide(&finding("CVE-1", LIBSSL), &ids)
        .unwrap()
        .applied();
    assert_eq!(a.status, "not_affected");
    assert_eq!(a.justification, "vulnerable_code_not_in_execute_path");
    assert_eq!(a.impact_statement, "never loaded");
    assert_eq!(a.source, "test.openvex.json");
    assert_eq!(a.document_id, "https://openvex.dev/docs/example/vex-1");
    assert_eq!(a.statement_index, 0);
    assert_eq!(a.timestamp, "2024-05-01T12:00:00Z");
    assert_eq!(a.reason(), "vulnerable_code_not_in_execute_path");
}

#[test]
fn artifact_ids_of_an_image_report() {
    let mut r = bulkhead_types::Report::new("app", bulkhead_types::ArtifactType::ContainerImage);
    r.metadata.image_id = CONFIG.into();
    r.metadata.repo_digests = vec![format!("ghcr.io/org/app@{IMG}"), "garbage".into()];
    let ids = ArtifactIds::of_report(&r);
    assert_eq!(ids.digests().collect::<Vec<_>>(), [IMG, CONFIG]);
    r.artifact_type = bulkhead_types::ArtifactType::Filesystem;
    assert!(ArtifactIds::of_report(&r).is_empty());
}

// ---- creating ---------------------------------------------------------

fn request(findings: Vec<(FindingRef, Assertion)>, product: ImageProduct) -> CreateRequest {
    CreateRequest {
        author: "Example Team <security@example.com>".into(),
        timestamp: time::macros::datetime!(2024-05-01 12:00:00.123 +02:00),
        tooling: "bulkhead test".into(),
        product,
        findings,
    }
}

fn not_affected() -> Assertion {
    Assertion {
        status: Status::NotAffected,
        justification: Some(Justification::VulnerableCodeNotInExecutePath),
        impact_statement: None,
        action_statement: None,
    }
}

#[test]
fn created_documents_read_back_and_suppress_the_same() {
    let product = ImageProduct::new(IMG, Some("ghcr.io/Org/App:1.2")).unwrap();
    assert_eq!(product.repository.as_deref(), Some("ghcr.io/Org/App"));
    let f = FindingRef::parse(&format!("CVE-1@{LIBSSL}")).unwrap();
    assert_eq!(f.purl.as_deref(), Some(LIBSSL));
    let all = FindingRef::parse("CVE-2").unwrap();
    let d = create(&request(
        vec![
            (f.clone(), not_affected()),
            (f, not_affected()),
            (all, not_affected()),
        ],
        product,
    ))
    .unwrap();
    assert_eq!(d.statements.len(), 2, "duplicates collapse");
    assert_eq!(d.timestamp, "2024-05-01T10:00:00Z");
    assert!(d.id.starts_with("https://openvex.dev/docs/public/vex-"));
    let purl = d.statements[0].products[0].id.clone().unwrap();
    assert!(purl.starts_with("pkg:oci/app@sha256"), "{purl}");
    assert!(purl.contains("repository_url=ghcr.io"), "{purl}");
    let text = serde_json::to_string(&d).unwrap();
    let back = parse_document(text.as_bytes(), "made.json", &Limits::default()).unwrap();
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    let docs = [back.document];
    let ids = ArtifactIds::new().with_digest(IMG);
    assert_eq!(
        decide(&docs, &finding("CVE-1", LIBSSL), &ids),
        Some((0, "not_affected"))
    );
    assert_eq!(decide(&docs, &finding("CVE-1", OPENSSL), &ids), None);
    assert_eq!(
        decide(&docs, &finding("CVE-2", OPENSSL), &ids),
        Some((1, "not_affected"))
    );
    assert_eq!(
        decide(
            &docs,
            &finding("CVE-1", LIBSSL),
            &ArtifactIds::new().with_digest(OTHER)
        ),
        None
    );
    // Same content, same @id.
    let again = create(&request(
        vec![(FindingRef::parse("CVE-2").unwrap(), not_affected())],
        ImageProduct::new(IMG, None).unwrap(),
    ))
    .unwrap();
    let twice = create(&request(
        vec![(FindingRef::parse("CVE-2").unwrap(), not_affected())],
        ImageProduct::new(IMG, None).unwrap(),
    ))
    .unwrap();
    assert_eq!(again.id, twice.id);
    // No repository: the digest as @id and hash, still matched.
    let c = &again.statements[0].products[0];
    assert_eq!(c.id.as_deref(), Some(IMG));
    assert_eq!(c.hashes.get("sha-256").map(String::as_str), Some(IMG_HEX));
    assert!(decide(&[again], &finding("CVE-2", LIBSSL), &ids).is_some());
}

#[test]
fn image_product_prefers_the_manifest_digest() {
    let p = ImageProduct::from_image(
        CONFIG,
        &[format!("reg.example:5000/team/app@{IMG}")],
        &["other:1".into()],
    )
    .unwrap();
    assert_eq!(
        p,
        ImageProduct {
            digest: IMG.into(),
            repository: Some("reg.example:5000/team/app".into())
        }
    );
    let p = ImageProduct::from_image(CONFIG, &[IMG.into()], &["example/app:1".into()]).unwrap();
    assert_eq!(p.repository.as_deref(), Some("example/app"));
    let p = ImageProduct::from_image(CONFIG, &[], &["reg.example:5000/app:1".into()]).unwrap();
    assert_eq!(
        p,
        ImageProduct {
            digest: CONFIG.into(),
            repository: Some("reg.example:5000/app".into())
        }
    );
    let p = ImageProduct::from_image(CONFIG, &[], &[]).unwrap();
    assert_eq!(p.repository, None);
    assert!(ImageProduct::from_image("", &[], &[]).is_err());
    assert!(ImageProduct::new("sha256:12", None).is_err());
}

#[test]
fn create_refuses_incomplete_statements() {
    let p = || ImageProduct::new(IMG, None).unwrap();
    let f = FindingRef::parse("CVE-1").unwrap();
    let bare = Assertion {
        justification: None,
        ..not_affected()
    };
    let e = create(&request(vec![(f.clone(), bare.clone())], p()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("not_affected needs a justification"), "{e}");
    let with_impact = Assertion {
        impact_statement: Some("never called".into()),
        ..bare
    };
    assert!(create(&request(vec![(f.clone(), with_impact)], p())).is_ok());
    let affected = Assertion {
        status: Status::Affected,
        justification: None,
        impact_statement: None,
        action_statement: None,
    };
    let e = create(&request(vec![(f.clone(), affected.clone())], p()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("--action-statement"), "{e}");
    let affected = Assertion {
        action_statement: Some("upgrade".into()),
        ..affected
    };
    assert!(create(&request(vec![(f.clone(), affected)], p())).is_ok());
    assert!(
        create(&request(vec![], p()))
            .unwrap_err()
            .to_string()
            .contains("nothing to state")
    );
    let mut r = request(vec![(f, not_affected())], p());
    r.author = " ".into();
    assert!(create(&r).unwrap_err().to_string().contains("--author"));
    assert!(FindingRef::parse("").is_err());
    assert!(FindingRef::parse("CVE 1").is_err());
    assert!(
        FindingRef::parse("CVE-1@libssl3")
            .unwrap_err()
            .to_string()
            .contains("not a package URL")
    );
}

#[test]
fn fuzz_entry_point_takes_any_bytes() {
    let valid = serde_json::to_vec(&doc(json!([image_statement(
        "CVE-1",
        json!({"@id": format!("pkg:oci/app@{IMG}"), "subcomponents": [{"@id": LIBSSL}]}),
        "not_affected"
    )])))
    .unwrap();
    for data in [
        &valid[..],
        b"",
        b"{}",
        b"\x00\xff",
        &valid[..valid.len() / 2],
    ] {
        fuzzing::exercise(data);
    }
}

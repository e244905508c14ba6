#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::blocks::{SCRIPT, STYLE, content_security_policy};
use super::*;
use crate::WriteOptions;
use bulkhead_types::{
    ArtifactType, CauseMetadata, Class, Ecosystem, Epss, KevDetail, LayerRef, Mappings,
    MisconfStatus, Misconfiguration, OsInfo, Package, Report, ScanResult, Secret, Severity,
    Vulnerability,
};
use scraper::{Html as Dom, Selector};
use serde_json::json;

/// Strings an image, a registry or a Compose file could carry to break out
/// of text, an attribute, a script or a style.
const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "'><svg onload=alert(2)>",
    "</style><script>alert(3)</script>",
    "</textarea></title></noscript><iframe srcdoc=x>",
    "a & b &amp; &lt;c&gt; &#x3c;",
    "line\u{2028}separator\u{2029}para",
    "ctl\u{0}\u{7}\u{1b}[31m\u{9b}2J\u{202e}\u{2066}end",
    "javascript:alert(4)",
    "<!-- comment --><![CDATA[x]]>",
];

#[test]
fn escape_makes_markup_characters_references() {
    assert_eq!(escape("<script>"), "&lt;script&gt;");
    assert_eq!(
        escape("\"><img src=x onerror=alert(1)>"),
        "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
    );
    assert_eq!(escape("</style>"), "&lt;/style&gt;");
    assert_eq!(escape("a & b"), "a &amp; b");
    assert_eq!(escape("'x'"), "&#x27;x&#x27;");
    assert_eq!(escape("a\u{2028}b\u{2029}c"), "a&#x2028;b&#x2029;c");
    // Controls and bidi overrides become `?` (the terminal-safety rule).
    assert_eq!(
        escape("a\u{0}\u{1b}[1m\u{9b}\u{202e}\u{2066}\nb"),
        "a??[1m????b"
    );
    assert_eq!(escape_multiline("a\nb\rc"), "a\nb?c");
    // Nothing to change: borrowed.
    assert!(matches!(
        escape("plain text"),
        std::borrow::Cow::Borrowed(_)
    ));
    for s in HOSTILE {
        let e = escape(s);
        assert!(
            !e.contains(['<', '>', '"', '\'', '\u{2028}', '\u{2029}']),
            "{s:?} -> {e:?}"
        );
        assert!(!e.chars().any(bulkhead_types::text::is_terminal_unsafe));
    }
}

#[test]
fn elements_escape_attribute_values_and_refuse_dangerous_names() {
    let h = el(
        "span",
        &[
            ("title", "\"><img src=x onerror=alert(1)>"),
            ("onclick", "alert(1)"),
            ("OnMouseOver", "alert(1)"),
            ("style", "background:url(x)"),
            ("href", "javascript:alert(1)"),
            ("src", "x"),
        ],
        Html::text("<b>"),
    );
    assert_eq!(
        h.as_str(),
        "<span title=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\">&lt;b&gt;</span>"
    );
    assert_eq!(void_el("br", &[("onload", "x")]).as_str(), "<br>");
    assert_eq!(slug("Audit checks <1>"), "audit-checks--1-");
    assert_eq!(slug(""), "section");
}

fn layer(index: usize, created_by: &str) -> LayerRef {
    LayerRef {
        index,
        diff_id: format!("sha256:{index:064x}"),
        digest: String::new(),
        created_by: created_by.to_string(),
    }
}

fn misconf(id: &str, sev: Severity, status: MisconfStatus, text: &str) -> Misconfiguration {
    Misconfiguration {
        id: id.to_string(),
        mappings: Mappings {
            cis: "4.1".to_string(),
            ..Mappings::default()
        },
        title: format!("title {text}"),
        description: String::new(),
        message: format!("message {text}"),
        resolution: format!("resolution {text}"),
        severity: sev,
        status,
        cause_metadata: CauseMetadata {
            start_line: Some(3),
            end_line: Some(3),
            evidence: format!("evidence {text}"),
        },
    }
}

/// A small image report with a vulnerability, a secret, image-config
/// checks, two layers, labels; `text` goes into every string field.
fn image_report(text: &str) -> Report {
    let mut r = Report::new(
        format!("registry.test/app:1 {text}"),
        ArtifactType::ContainerImage,
    );
    r.metadata.os = Some(OsInfo {
        family: "debian".into(),
        name: "11".into(),
        codename: "bullseye".into(),
        pretty_name: format!("Debian GNU/Linux 11 {text}"),
        distroless: false,
    });
    r.metadata.image_id = "sha256:1111".into();
    r.metadata.repo_tags = vec![format!("registry.test/app:1 {text}")];
    r.metadata.repo_digests = vec!["registry.test/app@sha256:2222".into()];
    r.metadata.image_config = Some(json!({
        "created": "2024-05-01T10:00:00Z",
        "os": "linux",
        "architecture": "amd64",
        "config": {
            "User": text,
            "Entrypoint": ["/entry.sh", text],
            "Cmd": null,
            "WorkingDir": "/app",
            "ExposedPorts": {"8080/tcp": {}},
            "Labels": {"org.test.label": text, text: "value"}
        }
    }));
    r.metadata.layers = vec![
        layer(0, &format!("ADD rootfs.tar / {text}")),
        layer(1, &format!("RUN apt-get install {text}")),
    ];
    let mut os = ScanResult::new(format!("app (debian 11) {text}"), Class::OsPkgs, "debian");
    let mut p = Package::new(Ecosystem::Dpkg, format!("pkg{text}"), "1.0-1");
    p.layer = Some(layer(1, &format!("RUN apt-get install {text}")));
    p.identifier.purl = format!("pkg:deb/debian/pkg{text}@1.0-1");
    os.packages.push(p);
    let mut z = Package::new(Ecosystem::Dpkg, "zlib1g", "1:1.2.11");
    z.layer = Some(layer(0, "ADD rootfs.tar /"));
    os.packages.push(z);
    os.vulnerabilities.push(Vulnerability {
        vulnerability_id: "CVE-2022-37434".into(),
        pkg_id: "zlib1g@1:1.2.11".into(),
        pkg_name: "zlib1g".into(),
        installed_version: "1:1.2.11".into(),
        fixed_version: "1:1.2.11.dfsg-2+deb11u2".into(),
        severity: Severity::Critical,
        kev: true,
        kev_detail: Some(KevDetail {
            date_added: "2024-01-01".into(),
            ransomware: false,
        }),
        epss: Some(Epss {
            score: 0.0123,
            percentile: 0.85,
            date: String::new(),
        }),
        title: "zlib: heap overflow in inflateGetHeader".into(),
        layer: Some(layer(0, "ADD rootfs.tar /")),
        ..Vulnerability::default()
    });
    os.vulnerabilities.push(Vulnerability {
        vulnerability_id: format!("CVE-2099-0001 {text}"),
        pkg_id: format!("pkg{text}@1.0-1"),
        pkg_name: format!("pkg{text}"),
        installed_version: "1.0-1".into(),
        severity: Severity::Low,
        title: format!("title {text}"),
        layer: Some(layer(1, &format!("RUN apt-get install {text}"))),
        ..Vulnerability::default()
    });
    let mut sec = ScanResult::new(format!("/etc/creds{text}.txt"), Class::Secret, "");
    sec.secrets.push(Secret {
        rule_id: "stripe-secret-key".into(),
        category: "Stripe".into(),
        severity: Severity::High,
        title: format!("Stripe secret key {text}"),
        start_line: 1,
        end_line: 1,
        match_text: format!("STRIPE_KEY=sk_live_****{text}"),
        layer: Some(layer(1, &format!("RUN apt-get install {text}"))),
        removed_in: None,
    });
    let mut cfg = ScanResult::new(
        "image config".to_string(),
        Class::Config,
        bulkhead_types::IMAGE_CONFIG_TYPE,
    );
    cfg.misconfigurations.push(misconf(
        "BH-IM-001",
        Severity::High,
        MisconfStatus::Fail,
        text,
    ));
    cfg.misconfigurations.push(misconf(
        "BH-IM-002",
        Severity::Low,
        MisconfStatus::Pass,
        text,
    ));
    r.results = vec![os, sec, cfg];
    r.warnings = vec![format!("warning {text}")];
    r
}

fn render(r: &Report) -> String {
    let opts = WriteOptions {
        tool_version: "0.1.0".into(),
        list_packages: true,
        ..WriteOptions::default()
    };
    let mut buf = Vec::new();
    crate::write_report(r, crate::Format::Html, &opts, &mut buf).unwrap();
    String::from_utf8(buf).unwrap()
}

fn select<'a>(dom: &'a Dom, css: &str) -> Vec<scraper::ElementRef<'a>> {
    dom.select(&Selector::parse(css).unwrap()).collect()
}

/// What the page's text shows for `s`: controls and bidi controls as `?`.
fn shown(s: &str) -> String {
    bulkhead_types::text::terminal_safe(s).into_owned()
}

#[test]
fn hostile_strings_stay_text_in_the_dom() {
    for text in HOSTILE {
        let page = render(&image_report(text));
        let dom = Dom::parse_document(&page);
        assert!(dom.errors.is_empty(), "{text:?}: {:?}", dom.errors);
        // The only script and style are the page's own.
        let scripts = select(&dom, "script");
        assert_eq!(scripts.len(), 1, "{text:?}");
        assert_eq!(scripts[0].text().collect::<String>(), SCRIPT);
        let styles = select(&dom, "style");
        assert_eq!(styles.len(), 1, "{text:?}");
        assert_eq!(styles[0].text().collect::<String>(), STYLE);
        // No injected element, no event handler, no URL attribute.
        for css in [
            "img",
            "iframe",
            "object",
            "embed",
            "link",
            "base",
            "form",
            "a[href^=j]",
        ] {
            assert!(select(&dom, css).is_empty(), "{text:?}: <{css}>");
        }
        for e in dom
            .root_element()
            .descendants()
            .filter_map(scraper::ElementRef::wrap)
        {
            for (name, value) in e.value().attrs() {
                assert!(!name.starts_with("on"), "{text:?}: {name}={value}");
                assert!(name != "style" && name != "src", "{text:?}: {name}");
                if name == "href" {
                    assert!(value.starts_with('#'), "{text:?}: href={value}");
                }
            }
        }
        // Only the page's own SVG (the chart).
        assert_eq!(select(&dom, "svg").len(), 1, "{text:?}");
        // The strings are there, as text: in the title, the package cell,
        // the label list, the warning.
        let body = dom.root_element().text().collect::<String>();
        let want = shown(text);
        assert!(body.contains(&format!("pkg{want}")), "{text:?}");
        assert!(body.contains(&format!("org.test.label={want}")), "{text:?}");
        assert!(body.contains(&format!("warning {want}")), "{text:?}");
        let title = select(&dom, "title")[0].text().collect::<String>();
        assert!(title.contains(&want), "{title:?}");
    }
}

#[test]
fn no_raw_control_or_line_separator_reaches_the_file() {
    let page = render(&image_report(HOSTILE.concat().as_str()));
    assert!(
        !page.chars().any(|c| c != '\n'
            && (bulkhead_types::text::is_terminal_unsafe(c) || c == '\u{2028}' || c == '\u{2029}')),
        "a raw control or separator in the page"
    );
}

#[test]
fn the_page_loads_nothing_and_allows_only_its_own_script() {
    let page = render(&image_report("x"));
    let dom = Dom::parse_document(&page);
    let csp = select(&dom, "meta[http-equiv=Content-Security-Policy]");
    assert_eq!(csp.len(), 1);
    let policy = csp[0].value().attr("content").unwrap();
    assert_eq!(policy, content_security_policy());
    assert!(policy.starts_with("default-src 'none'; script-src 'sha256-"));
    assert!(!policy.contains("unsafe"));
    // The hashes are of the inline script and style as written.
    use base64::Engine as _;
    use sha2::Digest as _;
    for body in [SCRIPT, STYLE] {
        let h = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(body));
        assert!(policy.contains(&format!("'sha256-{h}'")), "{policy}");
    }
    // No reference to anything outside the file.
    for needle in ["http://", "https://", "src=", "url(", "@import", "<link"] {
        let hits: Vec<&str> = page
            .lines()
            .filter(|l| l.contains(needle) && !l.contains("xmlns=\"http://www.w3.org/2000/svg\""))
            .collect();
        assert!(hits.is_empty(), "{needle}: {hits:?}");
    }
}

#[test]
fn the_counts_match_what_the_filter_counts() {
    let mut r = image_report("x");
    let outcome = crate::filter::apply(&mut r, &crate::filter::Filter::default());
    let page = render(&r);
    let dom = Dom::parse_document(&page);
    let count = select(&dom, "#finding-count .stat-value");
    assert_eq!(count.len(), 1);
    // Two vulnerabilities, one secret, one failing check (PASS is not a
    // finding).
    assert_eq!(outcome.shown, 4);
    assert_eq!(count[0].value().attr("data-count"), Some("4"));
    let by_sev: usize = r.summary.as_ref().unwrap().by_severity.values().sum();
    assert_eq!(by_sev, 4);
    // Every finding is a row of the static page, in risk order.
    let rows = select(&dom, "#vulnerabilities-table tbody tr");
    assert_eq!(rows.len(), 2);
    assert!(rows[0].text().any(|t| t == "CVE-2022-37434"));
    assert_eq!(select(&dom, "#secrets-table tbody tr").len(), 1);
    assert_eq!(select(&dom, "#config-checks tbody tr").len(), 2);
    // Failing first.
    let first = select(&dom, "#config-checks tbody tr")[0]
        .text()
        .collect::<String>();
    assert!(first.starts_with("FAIL"), "{first}");
    // The layers with what each brought.
    let layers = select(&dom, "#layers-table tbody tr");
    assert_eq!(layers.len(), 2);
    let l0 = layers[0].text().collect::<String>();
    assert!(
        l0.contains("zlib1g 1:1.2.11") && l0.contains("CVE-2022-37434 (zlib1g)"),
        "{l0}"
    );
    let l1 = layers[1].text().collect::<String>();
    assert!(l1.contains("stripe-secret-key"), "{l1}");
    // The chart names each kind.
    let chart = select(&dom, "svg.chart")[0].text().collect::<String>();
    for kind in ["Vulnerabilities", "Secrets", "Configuration checks"] {
        assert!(chart.contains(kind), "{chart}");
    }
    // The filter notes.
    assert!(page.contains("0 finding(s) hidden by --severity"));
}

/// An audit report as `bulkhead audit --format json` writes it.
const AUDIT_JSON: &str = r#"{
  "SchemaVersion": 2,
  "ArtifactName": "docker-host",
  "ArtifactType": "docker_host",
  "Results": [
    {"Target": "docker-daemon", "Class": "audit", "Type": "docker-daemon",
     "Misconfigurations": [
      {"ID": "AUDIT-2.2", "Mappings": {"cis": "2.2"}, "Title": "Ensure network traffic is restricted between containers on the default bridge",
       "Severity": "MEDIUM", "Status": "WARN", "CauseMetadata": {"Evidence": "icc=true"}},
      {"ID": "AUDIT-2.14", "Mappings": {"cis": "2.14"}, "Title": "Ensure live restore is enabled",
       "Severity": "LOW", "Status": "PASS"}]},
    {"Target": "web<script>", "Class": "audit", "Type": "container",
     "Misconfigurations": [
      {"ID": "AUDIT-5.4", "Mappings": {"cis": "5.4"}, "Title": "Ensure that privileged containers are not used",
       "Severity": "HIGH", "Status": "FAIL", "Message": "\"><img src=x onerror=alert(1)> runs privileged",
       "Resolution": "drop --privileged"}]}
  ]
}"#;

#[test]
fn an_audit_report_renders_its_checks() {
    let r: Report = serde_json::from_str(AUDIT_JSON).unwrap();
    let page = render(&r);
    let dom = Dom::parse_document(&page);
    assert!(dom.errors.is_empty(), "{:?}", dom.errors);
    assert!(select(&dom, "img").is_empty());
    assert_eq!(select(&dom, "script").len(), 1);
    let rows = select(&dom, "#audit-checks-table tbody tr");
    assert_eq!(rows.len(), 3);
    let first = rows[0].text().collect::<String>();
    assert!(
        first.starts_with("FAIL") && first.contains("web<script>"),
        "{first}"
    );
    assert!(first.contains("\"><img src=x onerror=alert(1)> runs privileged"));
    assert!(first.contains("CIS 5.4"), "{first}");
    let count = select(&dom, "#finding-count .stat-value");
    assert_eq!(count[0].value().attr("data-count"), Some("2"));
    assert!(page.contains("1 check(s) passed."));
    assert!(select(&dom, "#layers").is_empty());
    let kind = select(&dom, "dl.meta dd")[1].text().collect::<String>();
    assert_eq!(kind, "Docker host");
}

#[test]
fn an_empty_report_says_so() {
    let r = Report::new("Dockerfile", ArtifactType::Config);
    let page = render(&r);
    let dom = Dom::parse_document(&page);
    assert!(dom.errors.is_empty(), "{:?}", dom.errors);
    assert!(page.contains("No findings."));
    assert_eq!(
        select(&dom, "#finding-count .stat-value")[0]
            .value()
            .attr("data-count"),
        Some("0")
    );
}

#[test]
fn blocks_for_other_reports() {
    let mut page = HtmlPage::new("Check <x>");
    page.generator("bulkhead test");
    let mut t = Table::new(
        "scoreboard",
        "Scoreboard",
        vec![Column::text("Layer"), Column::text("State")],
    );
    t.push(Row::new(vec![
        Cell::text("filesystem"),
        Cell::html(badge("missing", Tone::Bad)),
    ]));
    let mut body = table(&t);
    body.push(snippet(
        "Compose override",
        "services:\n  web:\n    read_only: true # </script>\n",
    ));
    body.push(kv_list(&[
        ("Image", Html::text("a<b")),
        ("Empty", Html::new()),
    ]));
    page.section("Score board", "Scoreboard", body);
    let out = page.render();
    let dom = Dom::parse_document(&out);
    assert!(dom.errors.is_empty(), "{:?}", dom.errors);
    assert_eq!(
        select(&dom, "section#score-board h2")[0]
            .text()
            .collect::<String>(),
        "Scoreboard"
    );
    assert_eq!(select(&dom, "nav a[href='#score-board']").len(), 1);
    let code = select(&dom, "figure.snippet pre code")[0]
        .text()
        .collect::<String>();
    assert_eq!(code, "services:\n  web:\n    read_only: true # </script>\n");
    assert_eq!(select(&dom, "dl.meta dt").len(), 1);
    assert_eq!(
        select(&dom, "span.tone-bad")[0].text().collect::<String>(),
        "missing"
    );
}

#[test]
fn snapshot_of_a_small_report() {
    let mut r = image_report("x");
    crate::filter::apply(&mut r, &crate::filter::Filter::default());
    // The stylesheet, the script and the policy that hashes them are
    // checked above; the snapshot holds the page's own markup.
    let page = render(&r)
        .replace(STYLE, "/* page.css */\n")
        .replace(SCRIPT, "/* page.js */")
        .replace(escape(&content_security_policy()).as_ref(), "(policy)");
    insta::assert_snapshot!(page);
}

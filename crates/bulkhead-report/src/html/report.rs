//! A [`Report`] (`image`, `fs`, `config`, `audit`, `seccomp lint`) as an
//! HTML page: the header with what was scanned, the summary with its chart,
//! one table per kind of finding, the image's layers with what each
//! brought, packages (with `--list-all-pkgs`) and warnings. Each part is a
//! public function, so another report (`check`) can reuse them.

use super::blocks::{
    ChartRow, Column, HtmlPage, Row, SEVERITIES_DESC, SeverityCounts, Table, Tone, badge,
    bar_chart, kv_list, para, severity_badge, severity_class, severity_rank, stat,
};
use super::markup::{Html, el, text_el};
use crate::WriteOptions;
use crate::sort::{SortBy, compare};
use bulkhead_types::{
    ArtifactType, Class, LayerRef, MisconfStatus, Misconfiguration, Report, ScanResult, Secret,
    Severity, VulnStatus, Vulnerability,
};
use std::collections::BTreeMap;

use super::blocks::Cell;

/// What an artifact type is called in the page.
pub fn artifact_kind(t: ArtifactType) -> &'static str {
    match t {
        ArtifactType::ContainerImage => "container image",
        ArtifactType::Filesystem => "filesystem",
        ArtifactType::Config => "configuration files",
        ArtifactType::DockerHost => "Docker host",
    }
}

/// The page of `report`: header, summary, finding tables, layers,
/// packages (when `opts.list_packages`), warnings.
pub fn report_page(report: &Report, opts: &WriteOptions) -> HtmlPage {
    let mut page = HtmlPage::new(&format!("Bulkhead report: {}", report.artifact_name));
    if !opts.tool_version.is_empty() {
        page.generator(&format!("bulkhead {}", opts.tool_version));
    }
    page.header(metadata(report));
    page.section("summary", "Summary", summary(report));
    let vulns = vulnerability_table(report);
    if !vulns.is_empty() {
        page.section("vulnerabilities", "Vulnerabilities", vulns.render());
    }
    let suppressed = suppressed_table(report);
    if !suppressed.is_empty() {
        page.section("suppressed", "Suppressed by VEX", suppressed.render());
    }
    let secrets = secret_table(report);
    if !secrets.is_empty() {
        page.section("secrets", "Secrets", secrets.render());
    }
    let config = check_table(
        report,
        Class::Config,
        "config-checks-table",
        "Configuration checks",
    );
    if !config.is_empty() {
        page.section("config-checks", "Configuration checks", config.render());
    }
    let audit = check_table(report, Class::Audit, "audit-checks-table", "Audit checks");
    if !audit.is_empty() {
        page.section("audit-checks", "Audit checks", audit.render());
    }
    let layers = layer_table(report);
    if !layers.is_empty() {
        let mut body = para(
            "The image's layers in order, each with the packages it installed or changed and the findings those packages and files brought.",
        );
        body.push(layers.render());
        page.section("layers", "Layers", body);
    }
    if opts.list_packages {
        let pkgs = package_table(report);
        if !pkgs.is_empty() {
            page.section("packages", "Packages", pkgs.render());
        }
    }
    if !report.warnings.is_empty() {
        page.section("warnings", "Warnings", warnings(&report.warnings));
    }
    page
}

/// Writes `report` as one HTML page.
pub fn write(
    report: &Report,
    opts: &WriteOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    out.write_all(report_page(report, opts).render().as_bytes())
}

type JsonObject = serde_json::Map<String, serde_json::Value>;

/// The image config's own settings: the `config` object of the image
/// config (or the object itself when it has no such key), and the whole
/// config.
fn image_config(report: &Report) -> Option<(&JsonObject, &JsonObject)> {
    let top = report.metadata.image_config.as_ref()?.as_object()?;
    let inner = top
        .get("config")
        .or_else(|| top.get("Config"))
        .and_then(|c| c.as_object())
        .unwrap_or(top);
    Some((top, inner))
}

/// A JSON value as one line of text: strings as they are, arrays of
/// strings as a JSON array, nothing for null.
fn value_text(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Array(a)) if a.is_empty() => String::new(),
        Some(other) => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// A list of escaped lines (`<ul class="plain">`), or nothing.
fn lines<'a>(items: impl IntoIterator<Item = &'a str>) -> Html {
    let inner: Html = items.into_iter().map(|s| text_el("li", &[], s)).collect();
    if inner.is_empty() {
        inner
    } else {
        el("ul", &[("class", "plain")], inner)
    }
}

fn code(s: &str) -> Html {
    if s.is_empty() {
        Html::new()
    } else {
        text_el("code", &[], s)
    }
}

/// The header: what was scanned (type, OS, image id, tags, digests,
/// created, architecture, user, entrypoint, command, working directory,
/// exposed ports, labels).
pub fn metadata(report: &Report) -> Html {
    let m = &report.metadata;
    let os =
        m.os.as_ref()
            .map(|os| {
                let mut s = if os.pretty_name.is_empty() {
                    format!("{} {}", os.family, os.name)
                } else {
                    os.pretty_name.clone()
                };
                if !os.codename.is_empty() && !s.contains(&os.codename) {
                    s.push_str(&format!(" ({})", os.codename));
                }
                if os.distroless {
                    s.push_str(", distroless");
                }
                s
            })
            .unwrap_or_default();
    let mut entries: Vec<(&str, Html)> = vec![
        ("Artifact", code(&report.artifact_name)),
        ("Type", Html::text(artifact_kind(report.artifact_type))),
        ("OS", Html::text(&os)),
        ("Image ID", code(&m.image_id)),
        ("Repo tags", lines(m.repo_tags.iter().map(String::as_str))),
        (
            "Repo digests",
            lines(m.repo_digests.iter().map(String::as_str)),
        ),
    ];
    if let Some((top, cfg)) = image_config(report) {
        let platform = [top.get("os"), top.get("architecture"), top.get("variant")]
            .into_iter()
            .map(value_text)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("/");
        let ports: Vec<String> = cfg
            .get("ExposedPorts")
            .and_then(|p| p.as_object())
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        let labels: Vec<String> = cfg
            .get("Labels")
            .and_then(|l| l.as_object())
            .map(|l| {
                l.iter()
                    .map(|(k, v)| format!("{k}={}", value_text(Some(v))))
                    .collect()
            })
            .unwrap_or_default();
        entries.extend([
            ("Created", Html::text(&value_text(top.get("created")))),
            ("Platform", Html::text(&platform)),
            ("User", code(&value_text(cfg.get("User")))),
            ("Entrypoint", code(&value_text(cfg.get("Entrypoint")))),
            ("Cmd", code(&value_text(cfg.get("Cmd")))),
            ("Working dir", code(&value_text(cfg.get("WorkingDir")))),
            ("Exposed ports", lines(ports.iter().map(String::as_str))),
            ("Labels", lines(labels.iter().map(String::as_str))),
        ]);
    }
    if !m.layers.is_empty() {
        entries.push(("Layers", Html::number(m.layers.len())));
    }
    kv_list(&entries)
}

/// Whether a check result counts as a finding (as [`crate::filter::apply`]
/// counts them).
pub fn check_counts(m: &Misconfiguration) -> bool {
    matches!(m.status, MisconfStatus::Fail | MisconfStatus::Warn)
}

fn is_package_result(r: &ScanResult) -> bool {
    matches!(r.class, Class::OsPkgs | Class::LangPkgs)
}

/// Findings by kind and severity: one row per kind the report has
/// (vulnerabilities, secrets, configuration checks, audit checks).
pub fn counts_by_kind(report: &Report) -> Vec<ChartRow> {
    let mut rows = Vec::new();
    let has = |f: &dyn Fn(&ScanResult) -> bool| report.results.iter().any(f);
    let sum = |f: &dyn Fn(&ScanResult) -> Vec<Severity>| -> SeverityCounts {
        report.results.iter().flat_map(f).collect()
    };
    if has(&|r| is_package_result(r) || !r.vulnerabilities.is_empty()) {
        rows.push(ChartRow {
            label: "Vulnerabilities".to_string(),
            counts: sum(&|r| r.vulnerabilities.iter().map(|v| v.severity).collect()),
        });
    }
    if has(&|r| r.class == Class::Secret || !r.secrets.is_empty()) {
        rows.push(ChartRow {
            label: "Secrets".to_string(),
            counts: sum(&|r| r.secrets.iter().map(|s| s.severity).collect()),
        });
    }
    for (class, label) in [
        (Class::Config, "Configuration checks"),
        (Class::Audit, "Audit checks"),
    ] {
        if has(&|r| r.class == class) {
            rows.push(ChartRow {
                label: label.to_string(),
                counts: sum(&|r| {
                    if r.class != class {
                        return Vec::new();
                    }
                    r.misconfigurations
                        .iter()
                        .filter(|m| check_counts(m))
                        .map(|m| m.severity)
                        .collect()
                }),
            });
        }
    }
    rows
}

/// The summary: the number of findings (`#finding-count`), counts by
/// severity, a table and a chart by kind × severity, what filters hid, and
/// how many checks passed.
pub fn summary(report: &Report) -> Html {
    let rows = counts_by_kind(report);
    let mut all = SeverityCounts::default();
    for r in &rows {
        all.merge(&r.counts);
    }
    let mut stats = stat("Findings", all.total(), Some("finding-count"), "total");
    for sev in SEVERITIES_DESC {
        stats.push(stat(sev.as_str(), all.get(sev), None, severity_class(sev)));
    }
    let mut out = el("div", &[("class", "stats")], stats);
    out.push_trusted("\n");
    if all.total() == 0 {
        out.push(para("No findings."));
    }
    if let Some(s) = &report.summary {
        out.push(para(&format!(
            "{} finding(s) hidden by --severity ({} of them UNKNOWN, {} of those in KEV), {} ignored, {} suppressed by VEX, {} shown with UNKNOWN severity.",
            s.hidden_by_severity,
            s.hidden_unknown,
            s.hidden_unknown_kev,
            s.ignored,
            s.suppressed,
            s.unknown_severity
        )));
    }
    let passed = report
        .results
        .iter()
        .flat_map(|r| &r.misconfigurations)
        .filter(|m| m.status == MisconfStatus::Pass)
        .count();
    if passed > 0 {
        out.push(para(&format!("{passed} check(s) passed.")));
    }
    if !rows.is_empty() {
        let mut t = Table::new(
            "counts",
            "Findings by kind and severity",
            std::iter::once(Column::text("Kind"))
                .chain(SEVERITIES_DESC.iter().map(|s| Column::number(s.as_str())))
                .chain(std::iter::once(Column::number("Total")))
                .collect(),
        )
        .without_filter();
        for r in &rows {
            let mut cells = vec![Cell::text(&r.label)];
            for sev in SEVERITIES_DESC {
                let n = r.counts.get(sev);
                cells.push(Cell::number(&n.to_string(), n as f64));
            }
            let n = r.counts.total();
            cells.push(Cell::number(&n.to_string(), n as f64));
            t.push(Row::new(cells));
        }
        out.push(t.render());
        out.push(bar_chart(
            "chart-kinds",
            "Findings by kind and severity",
            &rows,
        ));
    }
    out
}

fn status_text(s: VulnStatus) -> &'static str {
    match s {
        VulnStatus::Fixed => "fixed",
        VulnStatus::Affected => "affected",
        VulnStatus::WillNotFix => "will_not_fix",
    }
}

fn layer_cell(l: Option<&LayerRef>) -> Cell {
    match l {
        Some(l) => Cell::number(&l.index.to_string(), l.index as f64).class("num"),
        None => Cell::number("", -1.0),
    }
}

fn severity_cell(sev: Severity) -> Cell {
    Cell::html(severity_badge(sev)).sort_by(f64::from(severity_rank(sev)))
}

/// Every vulnerability of the report in risk order (highest first), with
/// its target: the order of the vulnerability table.
pub fn vulnerabilities_by_risk(report: &Report) -> Vec<(&ScanResult, &Vulnerability)> {
    let mut all: Vec<(&ScanResult, &Vulnerability)> = report
        .results
        .iter()
        .flat_map(|r| r.vulnerabilities.iter().map(move |v| (r, v)))
        .collect();
    all.sort_by(|a, b| compare(SortBy::Risk, a.1, b.1));
    all
}

/// The vulnerability table: severity, id, package, installed and fixed
/// versions, fix status, CVSS score, EPSS, KEV, risk, layer, target, title;
/// in risk order.
pub fn vulnerability_table(report: &Report) -> Table {
    let mut t = Table::new(
        "vulnerabilities-table",
        "Vulnerabilities, most urgent first",
        vec![
            Column::number("Severity"),
            Column::text("ID"),
            Column::text("Package"),
            Column::text("Installed"),
            Column::text("Fixed"),
            Column::text("Status"),
            Column::number("CVSS"),
            Column::number("EPSS"),
            Column::number("KEV"),
            Column::number("Risk"),
            Column::number("Layer"),
            Column::text("Target"),
            Column::text("Title"),
        ],
    );
    for (r, v) in vulnerabilities_by_risk(report) {
        let cvss = match v.cvss_score() {
            Some(s) => Cell::number(&format!("{s:.1}"), s),
            None => Cell::number("", -1.0),
        };
        let epss = match &v.epss {
            Some(e) => Cell::number(
                &format!(
                    "{:.2}% (p{:.0})",
                    e.score * 100.0,
                    (e.percentile * 100.0).floor()
                ),
                e.score,
            ),
            None => Cell::number("", -1.0),
        };
        let kev = match &v.kev_detail {
            Some(k) if k.ransomware => Cell::number("yes, ransomware", 2.0),
            _ if v.kev => Cell::number("yes", 1.0),
            _ => Cell::number("", 0.0),
        };
        let risk = v.risk_score();
        t.push(
            Row::new(vec![
                severity_cell(v.severity),
                Cell::text(&v.vulnerability_id).class("id"),
                Cell::text(&v.pkg_name).class("code"),
                Cell::text(&v.installed_version).class("code"),
                Cell::text(&v.fixed_version).class("code"),
                Cell::text(&match &v.vex {
                    // An `affected` or `under_investigation` statement
                    // annotates the finding; it stays shown.
                    Some(x) => format!("{} (VEX: {})", status_text(v.status), x.status),
                    None => status_text(v.status).to_string(),
                }),
                cvss.class("num"),
                epss.class("num"),
                kev,
                Cell::number(&format!("{risk:.1}"), risk).class("num"),
                layer_cell(v.layer.as_ref()),
                Cell::text(&r.target),
                Cell::text(&v.title),
            ])
            .severity(v.severity),
        );
    }
    t
}

/// The secret table, most severe first: severity, rule, title, target,
/// line, the redacted match, the layer that added the file and the one
/// that deleted it (it still ships).
pub fn secret_table(report: &Report) -> Table {
    let mut t = Table::new(
        "secrets-table",
        "Secrets, most severe first, matches redacted",
        vec![
            Column::number("Severity"),
            Column::text("Rule"),
            Column::text("Title"),
            Column::text("Target"),
            Column::number("Line"),
            Column::text("Match"),
            Column::number("Layer"),
            Column::number("Removed in layer"),
        ],
    );
    let mut all: Vec<(&ScanResult, &Secret)> = report
        .results
        .iter()
        .flat_map(|r| r.secrets.iter().map(move |s| (r, s)))
        .collect();
    all.sort_by_key(|s| std::cmp::Reverse(s.1.severity));
    for (r, s) in all {
        let line = if s.end_line > s.start_line {
            format!("{}-{}", s.start_line, s.end_line)
        } else if s.start_line > 0 {
            s.start_line.to_string()
        } else {
            String::new()
        };
        t.push(
            Row::new(vec![
                severity_cell(s.severity),
                Cell::text(&s.rule_id).class("id"),
                Cell::text(&s.title),
                Cell::text(&r.target).class("code"),
                Cell::number(&line, s.start_line as f64).class("num"),
                Cell::text(&s.match_text).class("code"),
                layer_cell(s.layer.as_ref()),
                layer_cell(s.removed_in.as_ref()),
            ])
            .severity(s.severity),
        );
    }
    t
}

fn check_status(s: MisconfStatus) -> (&'static str, Tone, f64) {
    match s {
        MisconfStatus::Fail => ("FAIL", Tone::Bad, 4.0),
        MisconfStatus::Warn => ("WARN", Tone::Warn, 3.0),
        MisconfStatus::Info => ("INFO", Tone::Neutral, 2.0),
        MisconfStatus::Note => ("NOTE", Tone::Neutral, 1.0),
        MisconfStatus::Pass => ("PASS", Tone::Good, 0.0),
    }
}

/// The ids of the same check in other tools, as one line.
fn mappings(m: &Misconfiguration) -> String {
    [
        ("CIS", &m.mappings.cis),
        ("hadolint", &m.mappings.hadolint),
        ("Trivy", &m.mappings.trivy),
        ("dockle", &m.mappings.dockle),
    ]
    .iter()
    .filter(|(_, id)| !id.is_empty())
    .map(|(tool, id)| format!("{tool} {id}"))
    .collect::<Vec<_>>()
    .join(", ")
}

/// The check results of one class (`Config`: Dockerfile, Compose and
/// image-config checks; `Audit`: the CIS audit), failing first and most
/// severe first: status, severity, id, ids in other tools, title, target,
/// line, message with its evidence, resolution.
pub fn check_table(report: &Report, class: Class, id: &str, caption: &str) -> Table {
    let mut t = Table::new(
        id,
        &format!("{caption}, failing and most severe first"),
        vec![
            Column::number("Status"),
            Column::number("Severity"),
            Column::text("ID"),
            Column::text("Also"),
            Column::text("Title"),
            Column::text("Target"),
            Column::number("Line"),
            Column::text("Message"),
            Column::text("Resolution"),
        ],
    );
    let mut all: Vec<(&ScanResult, &Misconfiguration)> = report
        .results
        .iter()
        .filter(|r| r.class == class)
        .flat_map(|r| r.misconfigurations.iter().map(move |m| (r, m)))
        .collect();
    all.sort_by(|a, b| {
        let rank = |m: &Misconfiguration| check_status(m.status).2;
        rank(b.1)
            .total_cmp(&rank(a.1))
            .then_with(|| b.1.severity.cmp(&a.1.severity))
    });
    for (r, m) in all {
        let (status, tone, rank) = check_status(m.status);
        let c = &m.cause_metadata;
        let line = match (c.start_line, c.end_line) {
            (Some(a), Some(b)) if b > a => format!("{a}-{b}"),
            (Some(a), _) => a.to_string(),
            _ => String::new(),
        };
        let mut message = Html::text(&m.message);
        if !c.evidence.is_empty() {
            if !message.is_empty() {
                message.push_trusted("<br>");
            }
            message.push(code(&c.evidence));
        }
        let row = Row::new(vec![
            Cell::html(badge(status, tone)).sort_by(rank),
            severity_cell(m.severity),
            Cell::text(&m.id).class("id"),
            Cell::text(&mappings(m)),
            Cell::text(&m.title),
            Cell::text(&r.target).class("code"),
            Cell::number(&line, c.start_line.map_or(-1.0, |l| l as f64)).class("num"),
            Cell::html(message),
            Cell::text(&m.resolution),
        ]);
        t.push(if check_counts(m) {
            row.severity(m.severity)
        } else {
            row
        });
    }
    t
}

/// What one layer brought.
#[derive(Debug, Default)]
struct LayerFacts {
    layer: Option<LayerRef>,
    packages: Vec<String>,
    findings: SeverityCounts,
    ids: Vec<String>,
}

/// The layer table: index, diff_id, the instruction that made it
/// (`created_by`, redacted by the scan), the packages first seen in it and
/// the findings it brought (vulnerabilities of those packages, secrets in
/// its files).
pub fn layer_table(report: &Report) -> Table {
    let mut layers: BTreeMap<usize, LayerFacts> = BTreeMap::new();
    for l in &report.metadata.layers {
        layers.entry(l.index).or_default().layer = Some(l.clone());
    }
    let mut note = |l: &LayerRef| -> usize {
        let e = layers.entry(l.index).or_default();
        if e.layer.is_none() {
            e.layer = Some(l.clone());
        }
        l.index
    };
    let mut packages: Vec<(usize, String)> = Vec::new();
    let mut findings: Vec<(usize, Severity, String)> = Vec::new();
    for r in &report.results {
        for p in &r.packages {
            if let Some(l) = &p.layer {
                packages.push((note(l), format!("{} {}", p.name, p.version)));
            }
        }
        for v in &r.vulnerabilities {
            if let Some(l) = &v.layer {
                findings.push((
                    note(l),
                    v.severity,
                    format!("{} ({})", v.vulnerability_id, v.pkg_name),
                ));
            }
        }
        for s in &r.secrets {
            if let Some(l) = &s.layer {
                findings.push((note(l), s.severity, format!("{} ({})", s.rule_id, r.target)));
            }
        }
    }
    for (i, p) in packages {
        layers.entry(i).or_default().packages.push(p);
    }
    for (i, sev, id) in findings {
        let e = layers.entry(i).or_default();
        e.findings.add(sev);
        e.ids.push(id);
    }
    let mut t = Table::new(
        "layers-table",
        "Layers in order",
        vec![
            Column::number("Layer"),
            Column::text("Diff ID"),
            Column::text("Created by"),
            Column::number("Packages"),
            Column::number("Findings"),
        ],
    );
    for (index, facts) in layers {
        let (diff_id, created_by) = facts
            .layer
            .as_ref()
            .map(|l| (l.diff_id.as_str(), l.created_by.as_str()))
            .unwrap_or_default();
        let pkgs = if facts.packages.is_empty() {
            Html::trusted("0")
        } else {
            details(
                &format!("{} package(s)", facts.packages.len()),
                lines(facts.packages.iter().map(String::as_str)),
            )
        };
        let mut found = Html::new();
        for sev in SEVERITIES_DESC {
            let n = facts.findings.get(sev);
            if n > 0 {
                found.push(severity_badge(sev));
                found.push_text(&format!(" {n} "));
            }
        }
        if facts.ids.is_empty() {
            found.push_trusted("0");
        } else {
            found.push(details(
                &format!("{} finding(s)", facts.ids.len()),
                lines(facts.ids.iter().map(String::as_str)),
            ));
        }
        t.push(Row::new(vec![
            Cell::number(&index.to_string(), index as f64).class("num"),
            Cell::text(diff_id).class("code"),
            Cell::text(created_by).class("code"),
            Cell::html(pkgs).sort_by(facts.packages.len() as f64),
            Cell::html(found).sort_by(facts.findings.total() as f64),
        ]));
    }
    t
}

/// `<details><summary>label</summary>body</details>`: collapsed, but in the
/// page (and opened without a script).
fn details(label: &str, body: Html) -> Html {
    let mut inner = text_el("summary", &[], label);
    inner.push(body);
    el("details", &[], inner)
}

/// Every package of the report: name, version, architecture, source
/// package, where it was recorded, layer, package URL.
pub fn package_table(report: &Report) -> Table {
    let mut t = Table::new(
        "packages-table",
        "Packages",
        vec![
            Column::text("Package"),
            Column::text("Version"),
            Column::text("Arch"),
            Column::text("Source"),
            Column::text("Target"),
            Column::number("Layer"),
            Column::text("PURL"),
        ],
    );
    for r in &report.results {
        for p in &r.packages {
            let src = if p.src_name.is_empty() {
                String::new()
            } else {
                format!("{} {}", p.src_name, p.src_version)
            };
            t.push(Row::new(vec![
                Cell::text(&p.name).class("code"),
                Cell::text(&p.version).class("code"),
                Cell::text(&p.arch),
                Cell::text(&src).class("code"),
                Cell::text(&r.target),
                layer_cell(p.layer.as_ref()),
                Cell::text(&p.identifier.purl).class("code"),
            ]));
        }
    }
    t
}

/// The findings VEX statements suppressed (`--vex`), each with its
/// statement: never dropped silently.
pub fn suppressed_table(report: &Report) -> Table {
    let mut t = Table::new(
        "suppressed-table",
        "Findings suppressed by VEX statements",
        vec![
            Column::number("Severity"),
            Column::text("ID"),
            Column::text("Package"),
            Column::text("Installed"),
            Column::text("VEX status"),
            Column::text("Justification / statement"),
            Column::text("Source"),
        ],
    );
    for r in &report.results {
        for m in &r.modified_findings {
            let v = &m.finding;
            let why: Vec<&str> = [
                &m.vex.justification,
                &m.vex.impact_statement,
                &m.vex.action_statement,
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .map(String::as_str)
            .collect();
            t.push(
                Row::new(vec![
                    severity_cell(v.severity),
                    Cell::text(&v.vulnerability_id).class("id"),
                    Cell::text(&v.pkg_name).class("code"),
                    Cell::text(&v.installed_version).class("code"),
                    Cell::text(&m.vex.status),
                    Cell::text(&why.join(": ")),
                    Cell::text(&format!("{} #{}", m.vex.source, m.vex.statement_index)),
                ])
                .severity(v.severity),
            );
        }
    }
    t
}

/// The report's warnings as a list.
pub fn warnings(list: &[String]) -> Html {
    let items: Html = list.iter().map(|w| text_el("li", &[], w)).collect();
    let mut out = el("ul", &[("class", "warnings")], items);
    out.push_trusted("\n");
    out
}

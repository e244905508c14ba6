//! Entry points of the fuzz targets that render (and their seed replay).
#![doc(hidden)]

use crate::diff::{DiffFormat, write};

/// The `diff` target: compare two reports read from `data` and render the
/// result in every format. Returns the rendered outputs.
pub fn diff(data: &[u8]) -> Vec<String> {
    let d = bulkhead_diff::fuzzing::compare_input(data);
    let mut outs = Vec::new();
    for f in [DiffFormat::Table, DiffFormat::Json, DiffFormat::Markdown] {
        let mut buf = Vec::new();
        if write(&d, f, false, &mut buf).is_ok() {
            outs.push(String::from_utf8_lossy(&buf).into_owned());
        }
    }
    outs
}

/// The `html` target: a report read from `data` (JSON) rendered as an HTML
/// page. Returns the page when `data` is a report.
pub fn html(data: &[u8]) -> Option<String> {
    let report: bulkhead_types::Report = serde_json::from_slice(data).ok()?;
    let opts = crate::WriteOptions {
        list_packages: true,
        tool_version: "fuzz".to_string(),
        ..crate::WriteOptions::default()
    };
    let page = crate::html::report_page(&report, &opts).render();
    check_html(&page);
    Some(page)
}

/// Tags the page writes itself; every `<` of a page opens one of them (or
/// closes it, or is the doctype), since every `<` from input is escaped.
const TAGS: &[&str] = &[
    "!DOCTYPE",
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "h1",
    "h2",
    "nav",
    "ul",
    "li",
    "a",
    "main",
    "section",
    "footer",
    "p",
    "script",
    "div",
    "span",
    "dl",
    "dt",
    "dd",
    "code",
    "table",
    "caption",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "details",
    "summary",
    "svg",
    "desc",
    "rect",
    "text",
    "g",
    "br",
    "figure",
    "figcaption",
    "pre",
];

/// The page's invariants under any input: one script, one stylesheet,
/// and no tag but the page's own (a breach panics, which is the fuzzer's
/// signal).
#[allow(clippy::panic)]
fn check_html(page: &str) {
    let body = page.replacen(crate::html::blocks::SCRIPT, "", 1).replacen(
        crate::html::blocks::STYLE,
        "",
        1,
    );
    for (i, _) in body.match_indices('<') {
        let rest = body.get(i + 1..).unwrap_or("");
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect();
        if !TAGS.contains(&name.as_str()) {
            panic!("a tag the page does not write: <{name}");
        }
    }
    if body.matches("<script").count() != 1 || body.matches("<style").count() != 1 {
        panic!("more than one script or style");
    }
}

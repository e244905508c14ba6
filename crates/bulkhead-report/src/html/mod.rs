//! `--format html`: one self-contained HTML5 file per report.
//!
//! The page loads nothing: the stylesheet and a small script are inline,
//! charts are inline SVG, there are no fonts, images or links to other
//! files, and its Content-Security-Policy (`default-src 'none'`, the
//! script and stylesheet allowed by hash only) makes the browser refuse any
//! load and any inline event handler even if markup slipped in. Every table
//! and section is in the static HTML, in the report's order (vulnerabilities
//! by risk); the script only adds column sorting, a text and severity
//! filter, and copy buttons.
//!
//! Escaping ([`markup`]): every string from input passes [`escape`]
//! (terminal-safety cleaning, then `& < > " '` as character references),
//! whether it lands in element text or a quoted attribute; nothing from
//! input is written into a script, a style, an event handler or a URL.
//!
//! Parts: [`markup`] (the [`Html`] type and [`escape`]), [`blocks`] (the
//! page shell [`HtmlPage`] and the blocks: [`HtmlPage::section`],
//! [`blocks::table`], [`blocks::bar_chart`], [`blocks::snippet`],
//! [`blocks::kv_list`], [`blocks::badge`]), [`report`] (a `Report`'s
//! header, summary, finding tables and layer list). A richer report (the
//! `check` command's scoreboard and fix plan) builds on the same pieces:
//! `report::report_page` and more sections.

pub mod blocks;
pub mod check;
pub mod markup;
pub mod report;

pub use blocks::{
    Cell, ChartRow, Column, HtmlPage, Row, SeverityCounts, SortKind, Table, Tone, badge, bar_chart,
    kv_list, severity_badge, slug, snippet, table,
};
pub use markup::{Html, el, escape, escape_multiline, text_el, void_el};
pub use report::{report_page, write};

#[cfg(test)]
mod tests;

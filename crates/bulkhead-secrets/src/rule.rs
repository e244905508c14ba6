//! The rule model shared by built-in and user rules.

use bulkhead_types::Severity;

/// How much text around a keyword hit the rule's regex is run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// The line holding the hit, at most `reach` bytes on either side of it.
    Line { reach: usize },
    /// `before` bytes before and `after` bytes after the hit, across lines.
    Bytes { before: usize, after: usize },
}

/// What a validation function sees of a match.
#[derive(Debug, Clone, Copy)]
pub struct Hit<'a> {
    /// The secret (the rule's `secret` capture group, else the whole match).
    pub secret: &'a str,
    /// The whole regex match.
    pub whole: &'a str,
    /// The `key` capture group when the rule has one (generic assignments).
    pub key: &'a str,
    /// The candidate region the match was found in.
    pub region: &'a str,
    /// The byte right after the match (0 at the end of the input).
    pub next: u8,
}

/// A built-in rule. The regex uses the `regex` crate (linear time, no
/// backtracking). A capture group named `secret` marks the secret; without
/// it the whole match is the secret.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable id (appears in reports and allowlists).
    pub id: &'static str,
    pub category: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    /// Lowercase literals; a rule runs only where one occurs (case-insensitively).
    pub keywords: &'static [&'static str],
    pub regex: &'static str,
    pub region: Region,
    /// Extra validation; `None` accepts every regex match.
    pub check: Option<fn(&Hit<'_>) -> bool>,
}

/// The common region for single-line tokens.
pub const LINE: Region = Region::Line { reach: 1024 };

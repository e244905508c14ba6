//! The one severity palette of every coloured output.

use bulkhead_types::Severity;
use owo_colors::OwoColorize;

/// The severity's name, in its colour when `color` (critical bold red, high
/// red, medium yellow, low blue, unknown dimmed). The escape sequences are
/// those every table has printed since colours were added.
pub fn severity_text(sev: Severity, color: bool) -> String {
    let name = sev.as_str();
    if !color {
        return name.to_string();
    }
    match sev {
        Severity::Critical => name.red().bold().to_string(),
        Severity::High => name.red().to_string(),
        Severity::Medium => name.yellow().to_string(),
        Severity::Low => name.blue().to_string(),
        Severity::Unknown => name.dimmed().to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn colours_match_the_historic_sequences() {
        assert_eq!(severity_text(Severity::High, false), "HIGH");
        assert_eq!(
            severity_text(Severity::Critical, true),
            "\u{1b}[1m\u{1b}[31mCRITICAL\u{1b}[39m\u{1b}[0m"
        );
        assert_eq!(
            severity_text(Severity::High, true),
            "HIGH".red().to_string()
        );
        assert_eq!(
            severity_text(Severity::Medium, true),
            "MEDIUM".yellow().to_string()
        );
        assert_eq!(severity_text(Severity::Low, true), "LOW".blue().to_string());
        assert_eq!(
            severity_text(Severity::Unknown, true),
            "UNKNOWN".dimmed().to_string()
        );
    }
}

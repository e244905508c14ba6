//! End of life of operating system releases: a hand-kept table (no network
//! at scan time), and the support state of a release on a given day.
//!
//! Each release has the day its standard support ends (`supported_until`)
//! and, when the vendor has a security-only phase (Debian LTS, Ubuntu ESM,
//! RHEL-like "maintenance"/"security" support), the day that ends too
//! (`security_until`). After the last of them the release is end-of-life.
//!
//! Keep the table current: add a row when a distribution ships a release,
//! with the vendor's announced dates and a source URL in the comment. Dates
//! in the future are the vendor's plan and may move.

use bulkhead_types::OsInfo;
use serde::Serialize;
use time::Date;
use time::macros::date;

/// The support phase of a release on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EolState {
    /// Full vendor support (bug and security fixes).
    Supported,
    /// Security fixes only, often from a separate team or a paid programme
    /// (Debian LTS, Ubuntu ESM, RHEL-like maintenance support).
    SecurityOnly,
    /// No more fixes from the vendor.
    EndOfLife,
}

impl EolState {
    /// The name used in reports: `supported`, `security-only`, `end-of-life`.
    pub fn as_str(self) -> &'static str {
        match self {
            EolState::Supported => "supported",
            EolState::SecurityOnly => "security-only",
            EolState::EndOfLife => "end-of-life",
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    /// OS family as `OsInfo::family` spells it (`debian`, `ubuntu`, …).
    pub family: &'static str,
    /// The release: `12` (Debian, RHEL-likes: major), `22.04` (Ubuntu),
    /// `3.19` (Alpine: branch).
    pub version: &'static str,
    /// Last day of standard support.
    pub supported_until: Date,
    /// Last day of security-only support, when there is such a phase.
    pub security_until: Option<Date>,
    /// What the security-only phase is called.
    pub security_phase: &'static str,
    /// Where the dates come from.
    pub source: &'static str,
}

// Sources (checked 2026-11):
// Debian: https://wiki.debian.org/DebianReleases and https://wiki.debian.org/LTS
// (3 years of regular security support, then LTS to about 5 years).
const DEBIAN: &str = "https://wiki.debian.org/LTS";
// Ubuntu: https://ubuntu.com/about/release-cycle (5 years standard for LTS
// releases, then Expanded Security Maintenance with Ubuntu Pro to 10 years;
// interim releases get 9 months and no ESM).
const UBUNTU: &str = "https://ubuntu.com/about/release-cycle";
// Alpine: https://alpinelinux.org/releases/ ("main" repository supported
// about 2 years; no separate security-only phase is announced).
const ALPINE: &str = "https://alpinelinux.org/releases/";
// RHEL: https://access.redhat.com/support/policy/updates/errata (full
// support 5 years, maintenance support to 10 years).
const RHEL: &str = "https://access.redhat.com/support/policy/updates/errata";
// AlmaLinux: https://wiki.almalinux.org/release-notes/ and
// https://almalinux.org/ ("active support" then "security support").
const ALMA: &str = "https://wiki.almalinux.org/release-notes/";
// Rocky Linux: https://wiki.rockylinux.org/rocky/version/ ("general support"
// then "security support").
const ROCKY: &str = "https://wiki.rockylinux.org/rocky/version/";
// CentOS Linux: https://www.centos.org/centos-linux-eol/ (no security-only phase).
const CENTOS: &str = "https://www.centos.org/centos-linux-eol/";

const fn rel(
    family: &'static str,
    version: &'static str,
    supported_until: Date,
    security_until: Option<Date>,
    security_phase: &'static str,
    source: &'static str,
) -> Release {
    Release {
        family,
        version,
        supported_until,
        security_until,
        security_phase,
        source,
    }
}

/// The table. Dates are inclusive last days of each phase.
#[rustfmt::skip]
pub const RELEASES: &[Release] = &[
    // Debian: regular security support, then LTS.
    rel("debian", "8", date!(2018-06-17), Some(date!(2020-06-30)), "LTS", DEBIAN),
    rel("debian", "9", date!(2020-07-06), Some(date!(2022-06-30)), "LTS", DEBIAN),
    rel("debian", "10", date!(2022-09-10), Some(date!(2024-06-30)), "LTS", DEBIAN),
    rel("debian", "11", date!(2024-08-14), Some(date!(2026-08-31)), "LTS", DEBIAN),
    rel("debian", "12", date!(2026-06-10), Some(date!(2028-06-30)), "LTS", DEBIAN),
    rel("debian", "13", date!(2028-08-09), Some(date!(2030-06-30)), "LTS", DEBIAN),
    // Ubuntu LTS: standard support, then ESM (Ubuntu Pro).
    rel("ubuntu", "16.04", date!(2021-04-30), Some(date!(2026-04-30)), "ESM", UBUNTU),
    rel("ubuntu", "18.04", date!(2023-05-31), Some(date!(2028-04-30)), "ESM", UBUNTU),
    rel("ubuntu", "20.04", date!(2025-05-31), Some(date!(2030-04-30)), "ESM", UBUNTU),
    rel("ubuntu", "22.04", date!(2027-06-30), Some(date!(2032-04-30)), "ESM", UBUNTU),
    rel("ubuntu", "24.04", date!(2029-05-31), Some(date!(2034-04-30)), "ESM", UBUNTU),
    // Ubuntu interim releases: 9 months, no ESM.
    rel("ubuntu", "23.10", date!(2024-07-11), None, "", UBUNTU),
    rel("ubuntu", "24.10", date!(2025-07-10), None, "", UBUNTU),
    rel("ubuntu", "25.04", date!(2026-01-15), None, "", UBUNTU),
    rel("ubuntu", "25.10", date!(2026-07-09), None, "", UBUNTU),
    // Alpine branches ("main" repository end of support).
    rel("alpine", "3.14", date!(2023-05-01), None, "", ALPINE),
    rel("alpine", "3.15", date!(2023-11-01), None, "", ALPINE),
    rel("alpine", "3.16", date!(2024-05-23), None, "", ALPINE),
    rel("alpine", "3.17", date!(2024-11-22), None, "", ALPINE),
    rel("alpine", "3.18", date!(2025-05-09), None, "", ALPINE),
    rel("alpine", "3.19", date!(2025-11-01), None, "", ALPINE),
    rel("alpine", "3.20", date!(2026-04-01), None, "", ALPINE),
    rel("alpine", "3.21", date!(2026-11-01), None, "", ALPINE),
    rel("alpine", "3.22", date!(2027-05-01), None, "", ALPINE),
    rel("alpine", "3.23", date!(2027-11-01), None, "", ALPINE),
    // RHEL and its rebuilds: full/active support, then maintenance/security.
    rel("redhat", "7", date!(2019-08-06), Some(date!(2024-06-30)), "maintenance", RHEL),
    rel("redhat", "8", date!(2024-05-31), Some(date!(2029-05-31)), "maintenance", RHEL),
    rel("redhat", "9", date!(2027-05-31), Some(date!(2032-05-31)), "maintenance", RHEL),
    rel("redhat", "10", date!(2030-05-31), Some(date!(2035-05-31)), "maintenance", RHEL),
    rel("almalinux", "8", date!(2024-05-01), Some(date!(2029-03-01)), "security support", ALMA),
    rel("almalinux", "9", date!(2027-05-31), Some(date!(2032-05-31)), "security support", ALMA),
    rel("almalinux", "10", date!(2030-05-31), Some(date!(2035-05-31)), "security support", ALMA),
    rel("rocky", "8", date!(2024-05-31), Some(date!(2029-05-31)), "security support", ROCKY),
    rel("rocky", "9", date!(2027-05-31), Some(date!(2032-05-31)), "security support", ROCKY),
    rel("rocky", "10", date!(2030-05-31), Some(date!(2035-05-31)), "security support", ROCKY),
    rel("centos", "7", date!(2024-06-30), None, "", CENTOS),
    rel("centos", "8", date!(2021-12-31), None, "", CENTOS),
];

/// The table's key for an OS version: how many dot-separated parts name a
/// release in this family (`12.5` → `12`, `3.19.1` → `3.19`).
fn release_key(family: &str, version: &str) -> Option<String> {
    let parts = match family {
        "ubuntu" | "alpine" => 2,
        "debian" | "redhat" | "almalinux" | "rocky" | "centos" => 1,
        _ => return None,
    };
    let key: Vec<&str> = version.trim().split('.').take(parts).collect();
    if key.len() < parts || key.iter().any(|p| p.is_empty()) {
        return None;
    }
    Some(key.join("."))
}

/// The row for an OS, when the table has one.
pub fn lookup(os: &OsInfo) -> Option<&'static Release> {
    let family = os.family.trim().to_ascii_lowercase();
    // Red Hat's own images say `rhel` in os-release.
    let family = match family.as_str() {
        "rhel" => "redhat".to_string(),
        "rockylinux" => "rocky".to_string(),
        _ => family,
    };
    let key = release_key(&family, &os.name)?;
    RELEASES
        .iter()
        .find(|r| r.family == family && r.version == key)
}

/// The support state of an OS on `today`, with its dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EolStatus {
    /// `supported`, `security-only` or `end-of-life`.
    pub state: EolState,
    /// Last day of standard support (YYYY-MM-DD).
    pub supported_until: String,
    /// Last day of security-only support, when there is such a phase.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_until: Option<String>,
    /// What the security-only phase is called (`LTS`, `ESM`, …).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub security_phase: String,
    /// The day the state was computed for.
    pub as_of: String,
    /// Where the dates come from.
    pub source: String,
}

/// `YYYY-MM-DD`.
pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Parse `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.trim(), &format).ok()
}

impl Release {
    /// The state of this release on `today`.
    pub fn state_on(&self, today: Date) -> EolState {
        if today <= self.supported_until {
            EolState::Supported
        } else if self.security_until.is_some_and(|d| today <= d) {
            EolState::SecurityOnly
        } else {
            EolState::EndOfLife
        }
    }
}

/// The end-of-life status of `os` on `today`, when the table knows it.
pub fn status(os: &OsInfo, today: Date) -> Option<EolStatus> {
    let r = lookup(os)?;
    Some(EolStatus {
        state: r.state_on(today),
        supported_until: iso(r.supported_until),
        security_until: r.security_until.map(iso),
        security_phase: r.security_phase.to_string(),
        as_of: iso(today),
        source: r.source.to_string(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn os(family: &str, name: &str) -> OsInfo {
        OsInfo {
            family: family.into(),
            name: name.into(),
            ..OsInfo::default()
        }
    }

    #[test]
    fn debian_phases_on_fixed_days() {
        let d12 = os("debian", "12");
        let on = |s: &str| status(&d12, parse_date(s).unwrap()).unwrap().state;
        assert_eq!(on("2025-01-01"), EolState::Supported);
        assert_eq!(on("2026-06-10"), EolState::Supported);
        assert_eq!(on("2026-06-11"), EolState::SecurityOnly);
        assert_eq!(on("2028-06-30"), EolState::SecurityOnly);
        assert_eq!(on("2028-07-01"), EolState::EndOfLife);
        let s = status(&d12, parse_date("2026-11-28").unwrap()).unwrap();
        assert_eq!(s.supported_until, "2026-06-10");
        assert_eq!(s.security_until.as_deref(), Some("2028-06-30"));
        assert_eq!(s.security_phase, "LTS");
        assert_eq!(s.as_of, "2026-11-28");
    }

    #[test]
    fn point_releases_and_families() {
        let day = parse_date("2026-11-28").unwrap();
        let state = |f: &str, v: &str| status(&os(f, v), day).map(|s| s.state);
        assert_eq!(state("debian", "12.5"), Some(EolState::SecurityOnly));
        assert_eq!(state("debian", "10"), Some(EolState::EndOfLife));
        assert_eq!(state("debian", "13"), Some(EolState::Supported));
        assert_eq!(state("ubuntu", "20.04"), Some(EolState::SecurityOnly));
        assert_eq!(state("ubuntu", "24.04"), Some(EolState::Supported));
        assert_eq!(state("ubuntu", "24.10"), Some(EolState::EndOfLife));
        assert_eq!(state("alpine", "3.19.1"), Some(EolState::EndOfLife));
        assert_eq!(state("alpine", "3.22.2"), Some(EolState::Supported));
        assert_eq!(state("almalinux", "9.3"), Some(EolState::Supported));
        assert_eq!(state("almalinux", "8.10"), Some(EolState::SecurityOnly));
        assert_eq!(state("rhel", "8.9"), Some(EolState::SecurityOnly));
        assert_eq!(state("rocky", "9.4"), Some(EolState::Supported));
        assert_eq!(state("centos", "7"), Some(EolState::EndOfLife));
        // Unknown family, release or version shape: no answer, not a guess.
        assert_eq!(state("gentoo", "2.14"), None);
        assert_eq!(state("debian", "99"), None);
        assert_eq!(state("alpine", "3"), None);
        assert_eq!(state("ubuntu", ""), None);
        assert_eq!(state("debian", "..."), None);
    }

    #[test]
    fn table_is_consistent() {
        for r in RELEASES {
            if let Some(sec) = r.security_until {
                assert!(sec > r.supported_until, "{} {}", r.family, r.version);
                assert!(!r.security_phase.is_empty());
            }
            assert!(r.source.starts_with("https://"));
            let dupes = RELEASES
                .iter()
                .filter(|o| o.family == r.family && o.version == r.version)
                .count();
            assert_eq!(dupes, 1, "{} {}", r.family, r.version);
        }
    }

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(iso(parse_date("2024-02-29").unwrap()), "2024-02-29");
        assert!(parse_date("2023-02-29").is_none());
        assert!(parse_date("yesterday").is_none());
        assert!(parse_date("").is_none());
    }
}

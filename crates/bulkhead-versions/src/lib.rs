//! Version ordering for the package ecosystems Bulkhead matches advisories against.
//!
//! One module per scheme, each with a parsed form that implements [`Ord`]:
//!
//! | Module | Scheme | Ordering matched (oracle used by the test vectors) |
//! |---|---|---|
//! | [`dpkg`] | [`Scheme::Dpkg`] | `dpkg --compare-versions` (Debian, Ubuntu) |
//! | [`rpm`] | [`Scheme::Rpm`] | python3-rpm `rpm.labelCompare` (RHEL family, SUSE, …) |
//! | [`apk`] | [`Scheme::Apk`] | apk-tools rules (no oracle available; hand-checked vectors) |
//! | [`pep440`] | [`Scheme::Pep440`] | `packaging.version.Version` (PyPI) |
//! | [`semver`] | [`Scheme::Npm`], [`Scheme::Cargo`], [`Scheme::Go`], [`Scheme::NuGet`], [`Scheme::Packagist`] | node-semver, SemVer 2.0 precedence, `golang.org/x/mod/semver` |
//! | [`maven`] | [`Scheme::Maven`] | Maven 3.8 `ComparableVersion` |
//! | [`rubygems`] | [`Scheme::RubyGems`] | `Gem::Version` |
//!
//! Every entry point takes untrusted text (versions come from container images and
//! advisory feeds): invalid input gives a [`VersionError`], never a panic; input longer
//! than [`MAX_VERSION_LEN`] bytes is refused; all parsing and comparison is iterative and
//! linear in the input length.

use std::cmp::Ordering;
use std::fmt;

pub mod apk;
pub mod dpkg;
pub mod fuzzing;
pub mod maven;
pub mod pep440;
pub mod rpm;
pub mod rubygems;
pub mod semver;

mod util;

/// Longest version string (in bytes) any scheme accepts. Real versions are far shorter
/// (the longest in the OSV test data is under 100 bytes); the limit bounds the work a
/// hostile package database can cause. npm additionally applies node-semver's own
/// 256-character limit.
pub const MAX_VERSION_LEN: usize = 1024;

/// A version ordering scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// Debian/Ubuntu `[epoch:]upstream[-revision]`, ordered like `dpkg --compare-versions`.
    Dpkg,
    /// RPM `[epoch:]version[-release]`, ordered like rpm's `labelCompare`
    /// (a missing release sorts before any release).
    Rpm,
    /// Alpine/Wolfi/Chainguard apk-tools versions.
    Apk,
    /// Python PEP 440 (PyPI), ordered like `packaging.version.Version`.
    Pep440,
    /// npm, ordered like node-semver's `compare` in its default (strict) mode.
    Npm,
    /// crates.io: SemVer 2.0 precedence (build metadata ignored), parsed by the `semver` crate.
    Cargo,
    /// Go modules (`golang.org/x/mod/semver`), leading `v` optional, pseudo-versions and
    /// `+incompatible` included.
    Go,
    /// Maven `ComparableVersion` (Maven 3.8 semantics).
    Maven,
    /// RubyGems `Gem::Version`.
    RubyGems,
    /// NuGet: the loose SemVer-like ordering of [`semver::LooseVersion`] (1 to 4 numeric
    /// parts, missing parts are 0, pre-release labels compared case-insensitively, build
    /// metadata ignored). Not checked against NuGet's own code (no oracle here).
    NuGet,
    /// Packagist/Composer: the same loose SemVer-like ordering as [`Scheme::NuGet`]
    /// ([`semver::LooseVersion`]); an approximation of Composer's normalisation (it does
    /// not rank `dev`/`patch` stability words the way Composer does). No oracle here.
    Packagist,
}

impl Scheme {
    /// The scheme of an ecosystem's [`bulkhead_types::VersionScheme`] (the
    /// ecosystem table of `bulkhead-types`).
    pub fn of(scheme: bulkhead_types::VersionScheme) -> Scheme {
        use bulkhead_types::VersionScheme as V;
        match scheme {
            V::Dpkg => Scheme::Dpkg,
            V::Rpm => Scheme::Rpm,
            V::Apk => Scheme::Apk,
            V::Pep440 => Scheme::Pep440,
            V::Npm => Scheme::Npm,
            V::Cargo => Scheme::Cargo,
            V::Go => Scheme::Go,
            V::Maven => Scheme::Maven,
            V::RubyGems => Scheme::RubyGems,
            V::NuGet => Scheme::NuGet,
            V::Packagist => Scheme::Packagist,
        }
    }

    /// The scheme of an ecosystem's versions.
    pub fn for_ecosystem(eco: bulkhead_types::Ecosystem) -> Scheme {
        Scheme::of(eco.facts().scheme)
    }
}

impl Scheme {
    /// All schemes, in declaration order.
    pub const ALL: [Scheme; 11] = [
        Scheme::Dpkg,
        Scheme::Rpm,
        Scheme::Apk,
        Scheme::Pep440,
        Scheme::Npm,
        Scheme::Cargo,
        Scheme::Go,
        Scheme::Maven,
        Scheme::RubyGems,
        Scheme::NuGet,
        Scheme::Packagist,
    ];

    /// Short lowercase name (also the test-vector file stem where one exists).
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Dpkg => "dpkg",
            Scheme::Rpm => "rpm",
            Scheme::Apk => "apk",
            Scheme::Pep440 => "pep440",
            Scheme::Npm => "npm",
            Scheme::Cargo => "crates",
            Scheme::Go => "go",
            Scheme::Maven => "maven",
            Scheme::RubyGems => "rubygems",
            Scheme::NuGet => "nuget",
            Scheme::Packagist => "packagist",
        }
    }

    /// The scheme for an OSV `affected[].package.ecosystem` string, e.g. `Debian:11`,
    /// `Ubuntu:Pro:18.04:LTS`, `Alpine:v3.18`, `Rocky Linux:9`,
    /// `Red Hat:rhel_aus:8.4::appstream`, `Maven:https://repo.example`, `PyPI`.
    /// Only the part before the first `:` is looked at. `None` for ecosystems without a
    /// supported ordering (e.g. `Hex`, `Pub`, `GitHub Actions`).
    pub fn for_osv_ecosystem(ecosystem: &str) -> Option<Scheme> {
        let base = ecosystem.split(':').next().unwrap_or(ecosystem).trim();
        let scheme = match base {
            "Debian" | "Ubuntu" => Scheme::Dpkg,
            "Alpine" | "Wolfi" | "Chainguard" | "Alpaquita" | "MinimOS" => Scheme::Apk,
            "AlmaLinux" | "Rocky Linux" | "Red Hat" | "SUSE" | "openSUSE" | "Photon OS"
            | "Azure Linux" | "Mariner" | "CBL-Mariner" | "Mageia" | "openEuler"
            | "Amazon Linux" | "Oracle Linux" | "Fedora" | "CentOS" => Scheme::Rpm,
            "PyPI" => Scheme::Pep440,
            "npm" => Scheme::Npm,
            "crates.io" => Scheme::Cargo,
            "Go" => Scheme::Go,
            "Maven" => Scheme::Maven,
            "RubyGems" => Scheme::RubyGems,
            "NuGet" => Scheme::NuGet,
            "Packagist" => Scheme::Packagist,
            _ => return None,
        };
        Some(scheme)
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a version string could not be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// The string was empty (or only whitespace).
    #[error(
        "empty {scheme} version: the package database or advisory gave no version; check the input record"
    )]
    Empty {
        /// Scheme the string was parsed for.
        scheme: Scheme,
    },
    /// The string is longer than [`MAX_VERSION_LEN`] (or the scheme's own limit).
    #[error(
        "{scheme} version is {len} bytes long, over the {max}-byte limit; refusing to compare it (the input looks corrupt)"
    )]
    TooLong {
        /// Scheme the string was parsed for.
        scheme: Scheme,
        /// Length of the input in bytes.
        len: usize,
        /// The limit that was exceeded.
        max: usize,
    },
    /// The string is not a valid version in this scheme.
    #[error(
        "invalid {scheme} version {version:?}: {reason}; check that the ecosystem is right for this package"
    )]
    Invalid {
        /// Scheme the string was parsed for.
        scheme: Scheme,
        /// The offending input (cut to 80 characters).
        version: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl VersionError {
    pub(crate) fn invalid(scheme: Scheme, version: &str, reason: &'static str) -> Self {
        VersionError::Invalid {
            scheme,
            version: version.chars().take(80).collect(),
            reason,
        }
    }
}

/// Compare two version strings in `scheme`.
///
/// Returns an error when either string is not a valid version of that scheme (the error
/// for `a` wins when both are invalid).
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Result<Ordering, VersionError> {
    Ok(match scheme {
        Scheme::Dpkg => dpkg::DpkgVersion::parse(a)?.cmp(&dpkg::DpkgVersion::parse(b)?),
        Scheme::Rpm => rpm::RpmVersion::parse(a)?.cmp(&rpm::RpmVersion::parse(b)?),
        Scheme::Apk => apk::ApkVersion::parse(a)?.cmp(&apk::ApkVersion::parse(b)?),
        Scheme::Pep440 => pep440::Pep440Version::parse(a)?.cmp(&pep440::Pep440Version::parse(b)?),
        Scheme::Npm => semver::NpmVersion::parse(a)?.cmp(&semver::NpmVersion::parse(b)?),
        Scheme::Cargo => semver::CargoVersion::parse(a)?.cmp(&semver::CargoVersion::parse(b)?),
        Scheme::Go => semver::GoVersion::parse(a)?.cmp(&semver::GoVersion::parse(b)?),
        Scheme::Maven => maven::MavenVersion::parse(a)?.cmp(&maven::MavenVersion::parse(b)?),
        Scheme::RubyGems => rubygems::GemVersion::parse(a)?.cmp(&rubygems::GemVersion::parse(b)?),
        Scheme::NuGet | Scheme::Packagist => {
            semver::LooseVersion::parse(scheme, a)?.cmp(&semver::LooseVersion::parse(scheme, b)?)
        }
    })
}

/// Check that `s` parses in `scheme`.
pub fn validate(scheme: Scheme, s: &str) -> Result<(), VersionError> {
    compare(scheme, s, s).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystems_map_to_schemes() {
        let cases = [
            ("Debian:11", Some(Scheme::Dpkg)),
            ("Debian", Some(Scheme::Dpkg)),
            ("Ubuntu:22.04:LTS", Some(Scheme::Dpkg)),
            ("Ubuntu:Pro:18.04:LTS", Some(Scheme::Dpkg)),
            ("Alpine:v3.10", Some(Scheme::Apk)),
            ("Wolfi", Some(Scheme::Apk)),
            ("AlmaLinux:9", Some(Scheme::Rpm)),
            ("Rocky Linux:9", Some(Scheme::Rpm)),
            ("Red Hat:rhel_aus:8.4::appstream", Some(Scheme::Rpm)),
            ("Amazon Linux", Some(Scheme::Rpm)),
            ("SUSE:Linux Enterprise Server 15 SP5", Some(Scheme::Rpm)),
            ("openSUSE:Tumbleweed", Some(Scheme::Rpm)),
            ("PyPI", Some(Scheme::Pep440)),
            ("npm", Some(Scheme::Npm)),
            ("crates.io", Some(Scheme::Cargo)),
            ("Go", Some(Scheme::Go)),
            ("Maven", Some(Scheme::Maven)),
            ("Maven:https://repo.example.org/", Some(Scheme::Maven)),
            ("RubyGems", Some(Scheme::RubyGems)),
            ("Packagist", Some(Scheme::Packagist)),
            ("NuGet", Some(Scheme::NuGet)),
            ("Hex", None),
            ("", None),
            ("debian", None),
        ];
        for (eco, want) in cases {
            assert_eq!(Scheme::for_osv_ecosystem(eco), want, "{eco}");
        }
    }

    #[test]
    fn every_scheme_rejects_empty_and_huge_input() {
        let huge = "1".repeat(MAX_VERSION_LEN + 1);
        for scheme in Scheme::ALL {
            assert!(compare(scheme, "", "1.0.0").is_err(), "{scheme} empty");
            assert!(compare(scheme, "1.0.0", &huge).is_err(), "{scheme} huge");
            assert!(compare(scheme, "1.0\0", "1.0.0").is_err(), "{scheme} nul");
        }
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let err = compare(Scheme::Go, "not-a-version", "1.0.0").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("go"), "{text}");
        assert!(text.contains("not-a-version"), "{text}");
    }
}

use serde::{Deserialize, Serialize};

/// Where a file or package came from: a layer of the image.
///
/// `Index` is 0-based in `rootfs.diff_ids` order. `CreatedBy` is the history
/// entry paired with the layer (history entries marked `empty_layer` are
/// skipped when pairing).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct LayerRef {
    pub index: usize,
    #[serde(rename = "DiffID")]
    pub diff_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub digest: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub created_by: String,
}

/// The operating system detected in an image or root filesystem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct OsInfo {
    /// Lower-case family: `debian`, `ubuntu`, `alpine`, `almalinux`, `rocky`,
    /// `redhat`, `centos`, `amazon`, `opensuse-leap`, `sles`, `fedora`, …
    pub family: String,
    /// Version id, e.g. `12`, `3.19.1`, `9.3`.
    pub name: String,
    /// Codename when known, e.g. `bookworm`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub codename: String,
    /// Pretty name from os-release, when present.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub pretty_name: String,
    /// True for Debian distroless images (`/var/lib/dpkg/status.d/`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub distroless: bool,
}

/// The kind of package database or manifest a package was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ecosystem {
    Dpkg,
    Apk,
    Rpm,
    Python,
    Npm,
    Cargo,
    Go,
    Maven,
    RubyGems,
    Composer,
    NuGet,
}

/// How the versions of an ecosystem compare: the scheme names of
/// `bulkhead-versions` (which maps each to its comparison).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VersionScheme {
    Dpkg,
    Rpm,
    Apk,
    Pep440,
    Npm,
    Cargo,
    Go,
    Maven,
    RubyGems,
    NuGet,
    Packagist,
}

/// What the rest of Bulkhead knows about an ecosystem, in one row: the purl
/// type of its packages, its OSV ecosystem name, how its versions compare,
/// and whether it is an OS package manager. Adding an ecosystem is a
/// variant of [`Ecosystem`], its row in [`Ecosystem::facts`] (the compiler
/// asks for it) and its analyzer in `bulkhead-analyzers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EcosystemFacts {
    /// The purl type (`pkg:<type>/…`).
    pub purl_type: &'static str,
    /// The OSV ecosystem of a language ecosystem (`PyPI`); None for OS
    /// package managers, whose OSV ecosystem names the distro release
    /// (`Debian:12`).
    pub osv: Option<&'static str>,
    /// How versions compare.
    pub scheme: VersionScheme,
    /// An OS package manager (dpkg, apk, rpm).
    pub os: bool,
}

impl Ecosystem {
    /// Every ecosystem, in declaration order.
    pub const ALL: [Ecosystem; 11] = [
        Ecosystem::Dpkg,
        Ecosystem::Apk,
        Ecosystem::Rpm,
        Ecosystem::Python,
        Ecosystem::Npm,
        Ecosystem::Cargo,
        Ecosystem::Go,
        Ecosystem::Maven,
        Ecosystem::RubyGems,
        Ecosystem::Composer,
        Ecosystem::NuGet,
    ];

    /// The ecosystem table: one row per ecosystem.
    pub const fn facts(self) -> EcosystemFacts {
        const fn os(purl_type: &'static str, scheme: VersionScheme) -> EcosystemFacts {
            EcosystemFacts {
                purl_type,
                osv: None,
                scheme,
                os: true,
            }
        }
        const fn lang(
            purl_type: &'static str,
            osv: &'static str,
            scheme: VersionScheme,
        ) -> EcosystemFacts {
            EcosystemFacts {
                purl_type,
                osv: Some(osv),
                scheme,
                os: false,
            }
        }
        match self {
            Ecosystem::Dpkg => os("deb", VersionScheme::Dpkg),
            Ecosystem::Apk => os("apk", VersionScheme::Apk),
            Ecosystem::Rpm => os("rpm", VersionScheme::Rpm),
            Ecosystem::Python => lang("pypi", "PyPI", VersionScheme::Pep440),
            Ecosystem::Npm => lang("npm", "npm", VersionScheme::Npm),
            Ecosystem::Cargo => lang("cargo", "crates.io", VersionScheme::Cargo),
            Ecosystem::Go => lang("golang", "Go", VersionScheme::Go),
            Ecosystem::Maven => lang("maven", "Maven", VersionScheme::Maven),
            Ecosystem::RubyGems => lang("gem", "RubyGems", VersionScheme::RubyGems),
            Ecosystem::Composer => lang("composer", "Packagist", VersionScheme::Packagist),
            Ecosystem::NuGet => lang("nuget", "NuGet", VersionScheme::NuGet),
        }
    }

    /// Whether this ecosystem is an OS package manager.
    pub fn is_os(self) -> bool {
        self.facts().os
    }

    /// The purl type of packages of this ecosystem.
    pub fn purl_type(self) -> &'static str {
        self.facts().purl_type
    }

    /// The ecosystem of a purl type (`pypi` → Python): for reports read
    /// back from JSON, which do not carry the ecosystem.
    pub fn from_purl_type(purl_type: &str) -> Option<Ecosystem> {
        Ecosystem::ALL
            .into_iter()
            .find(|e| e.facts().purl_type == purl_type)
    }

    /// The ecosystem of a purl (`pkg:pypi/requests@2.31.0`).
    pub fn from_purl(purl: &str) -> Option<Ecosystem> {
        let ty = purl.strip_prefix("pkg:")?.split('/').next()?;
        Ecosystem::from_purl_type(ty)
    }
}

/// A package identifier: the purl.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct PkgIdentifier {
    #[serde(rename = "PURL", default, skip_serializing_if = "String::is_empty")]
    pub purl: String,
}

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Package {
    /// `name@version` (Trivy's package id).
    #[serde(rename = "ID")]
    pub id: String,
    pub name: String,
    /// Full version as the package manager prints it (`[epoch:]version[-release]`).
    pub version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub src_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub src_version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub arch: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    pub identifier: PkgIdentifier,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
    /// Where the package was recorded (database or manifest path in the image).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub file_path: String,
    /// The ecosystem the package belongs to.
    #[serde(skip)]
    pub ecosystem: Option<Ecosystem>,
    /// Installed files, when the package database records them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub installed_files: Vec<String>,
}

impl Package {
    /// A package with the id derived from name and version and no other facts.
    pub fn new(ecosystem: Ecosystem, name: impl Into<String>, version: impl Into<String>) -> Self {
        let name = name.into();
        let version = version.into();
        Package {
            id: format!("{name}@{version}"),
            name,
            version,
            src_name: String::new(),
            src_version: String::new(),
            arch: String::new(),
            licenses: Vec::new(),
            identifier: PkgIdentifier::default(),
            layer: None,
            file_path: String::new(),
            ecosystem: Some(ecosystem),
            installed_files: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn every_ecosystem_has_a_distinct_purl_type_and_osv_name() {
        let mut types = std::collections::BTreeSet::new();
        let mut osv = std::collections::BTreeSet::new();
        for e in Ecosystem::ALL {
            let f = e.facts();
            assert!(types.insert(f.purl_type), "{e:?}");
            assert_eq!(Ecosystem::from_purl_type(f.purl_type), Some(e));
            assert_eq!(f.os, f.osv.is_none(), "{e:?}");
            if let Some(o) = f.osv {
                assert!(osv.insert(o), "{e:?}");
            }
        }
        assert_eq!(
            Ecosystem::from_purl("pkg:deb/debian/zlib1g@1.2?arch=amd64"),
            Some(Ecosystem::Dpkg)
        );
        assert_eq!(Ecosystem::from_purl("pkg:swift/x@1"), None);
        assert_eq!(Ecosystem::from_purl("deb/x"), None);
        // ALL lists every variant, in declaration order.
        for (i, e) in Ecosystem::ALL.iter().enumerate() {
            assert_eq!(*e as usize, i);
        }
        assert_eq!(Ecosystem::NuGet as usize + 1, Ecosystem::ALL.len());
    }
}

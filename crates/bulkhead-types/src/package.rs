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

impl Ecosystem {
    /// Whether this ecosystem is an OS package manager.
    pub fn is_os(self) -> bool {
        matches!(self, Ecosystem::Dpkg | Ecosystem::Apk | Ecosystem::Rpm)
    }

    /// The purl type of packages of this ecosystem.
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Dpkg => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::Python => "pypi",
            Ecosystem::Npm => "npm",
            Ecosystem::Cargo => "cargo",
            Ecosystem::Go => "golang",
            Ecosystem::Maven => "maven",
            Ecosystem::RubyGems => "gem",
            Ecosystem::Composer => "composer",
            Ecosystem::NuGet => "nuget",
        }
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

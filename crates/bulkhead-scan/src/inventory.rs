//! Squashing per-layer analyses into the image's inventory.

use crate::LayerAnalysis;
use bulkhead_analyzers::os::release::{RELEASE_FILES, detect};
use bulkhead_analyzers::{FileAnalysis, OsFacts, lang, purl};
use bulkhead_layerfs::{EntryKind, Squashed, squash};
use bulkhead_types::{Ecosystem, LayerRef, OsInfo, Package};
use std::collections::{BTreeMap, HashMap};

/// Packages read from one database or manifest (or, for dpkg's distroless
/// `status.d`, one folder of them; for per-package language files such as
/// `*.dist-info/METADATA`, every such file of one ecosystem, with `path`
/// the target name `Python`, `Node.js`, `Ruby` or `Java`). Serialisable, so
/// an inventory's packages can be stored and matched again later.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PackageSet {
    /// Path of the database in the image (no leading `/`).
    pub path: String,
    /// `debian`, `alpine`, `rpm`, …
    pub kind: String,
    pub ecosystem: Ecosystem,
    pub packages: Vec<Package>,
}

/// Everything known about an image's contents.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    pub os: Option<OsInfo>,
    pub package_sets: Vec<PackageSet>,
    pub fs: Squashed,
    pub warnings: Vec<String>,
    /// Users of `/etc/passwd` in the final view (`None`: no such file).
    pub users: Option<Vec<bulkhead_types::PasswdEntry>>,
}

impl Inventory {
    /// All packages, in database order.
    pub fn packages(&self) -> impl Iterator<Item = &Package> {
        self.package_sets.iter().flat_map(|s| s.packages.iter())
    }

    /// The regular files and directories of the final view, as the
    /// image-config checks read them (`bulkhead_lint::image_config_results`).
    pub fn image_files(&self) -> Vec<bulkhead_types::ImageFile> {
        self.fs
            .files
            .iter()
            .filter(|(_, n)| matches!(n.entry.kind, EntryKind::File | EntryKind::Dir))
            .map(|(p, n)| bulkhead_types::ImageFile {
                path: p.trim_start_matches('/').to_string(),
                mode: n.entry.mode,
                dir: n.entry.kind == EntryKind::Dir,
                layer: n.layer,
            })
            .collect()
    }
}

/// Package databases whose being a broken symlink is worth a warning.
const LINKED_DATABASES: &[&str] = &[
    "var/lib/dpkg/status",
    "lib/apk/db/installed",
    "var/lib/rpm/rpmdb.sqlite",
    "var/lib/rpm/Packages",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
];

fn pkg_key(p: &Package) -> (String, String, String) {
    (p.name.clone(), p.version.clone(), p.arch.clone())
}

/// Build the inventory from layer analyses in `diff_ids` order.
/// `layer_refs[i]` describes layer `i` (a root filesystem passes none).
pub fn build_inventory(layers: &[LayerAnalysis], layer_refs: &[LayerRef]) -> Inventory {
    let indexes: Vec<&bulkhead_layerfs::LayerIndex> = layers.iter().map(|l| &l.index).collect();
    let fs = squash(&indexes);
    let mut warnings: Vec<String> = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        for w in l.index.warnings.iter().chain(&l.warnings) {
            warnings.push(if layers.len() > 1 {
                format!("layer {i}: {w}")
            } else {
                w.clone()
            });
        }
    }
    let analysis_at = |path: &str, layer: usize| -> Option<&Vec<FileAnalysis>> {
        layers.get(layer).and_then(|l| l.files.get(path))
    };

    // A release file or package database that is a symlink going nowhere
    // inside the image (a loop, a dangling link, or one aimed at the
    // scanning host) is not read: say so.
    for want in RELEASE_FILES.iter().chain(LINKED_DATABASES) {
        if fs
            .files
            .get(*want)
            .is_some_and(|n| n.entry.kind == EntryKind::Symlink)
            && fs.resolve(want).is_none()
        {
            warnings.push(format!(
                "{want} is a symlink that does not resolve inside the image (a loop or a dangling link); not read"
            ));
        }
    }

    // The OS: each release file resolved through symlinks in the final view.
    let mut found: Vec<(String, OsFacts)> = Vec::new();
    for want in RELEASE_FILES {
        let Some(real) = fs.resolve(want) else {
            continue;
        };
        let Some(node) = fs.files.get(&real) else {
            continue;
        };
        for fa in analysis_at(&real, node.layer).into_iter().flatten() {
            if let FileAnalysis::Os { facts, .. } = fa {
                found.push(((*want).to_string(), facts.clone()));
            }
        }
    }
    let mut os = detect(&found);

    // History of every package database path, in layer order.
    // path → versions of that database: (layer, packages, result type, ecosystem)
    type DbVersion<'a> = (usize, &'a Vec<Package>, &'a str, Ecosystem);
    let mut history: BTreeMap<&str, Vec<DbVersion>> = BTreeMap::new();
    let mut file_lists: HashMap<&str, &Vec<String>> = HashMap::new();
    for (i, l) in layers.iter().enumerate() {
        for (path, analyses) in &l.files {
            for fa in analyses {
                match fa {
                    FileAnalysis::Packages {
                        kind,
                        ecosystem,
                        packages,
                    } => {
                        history.entry(path.as_str()).or_default().push((
                            i,
                            packages,
                            kind.as_str(),
                            *ecosystem,
                        ));
                    }
                    FileAnalysis::FileList { package, files } => {
                        if fs.files.get(path).is_some_and(|n| n.layer == i) {
                            file_lists.insert(package.as_str(), files);
                        }
                    }
                    FileAnalysis::Os { .. } | FileAnalysis::Users { .. } => {}
                }
            }
        }
    }

    let mut sets: Vec<PackageSet> = Vec::new();
    for (path, versions) in &history {
        let Some(node) = fs.files.get(*path) else {
            continue;
        };
        if node.entry.kind != EntryKind::File {
            continue;
        }
        // A package's layer is the layer in which its current name+version
        // first appears in this database (and stayed since).
        let mut introduced: HashMap<(String, String, String), usize> = HashMap::new();
        let mut final_set = None;
        for (layer, pkgs, kind, eco) in versions {
            if *layer > node.layer {
                break;
            }
            let mut next = HashMap::new();
            for p in pkgs.iter() {
                let k = pkg_key(p);
                let since = introduced.get(&k).copied().unwrap_or(*layer);
                next.insert(k, since);
            }
            introduced = next;
            if *layer == node.layer {
                final_set = Some((*pkgs, *kind, *eco));
            }
        }
        let Some((pkgs, kind, eco)) = final_set else {
            warnings.push(format!(
                "{path}: the final version of this database could not be read"
            ));
            continue;
        };
        let mut packages: Vec<Package> = pkgs.clone();
        for p in &mut packages {
            if let Some(l) = introduced.get(&pkg_key(p)).and_then(|i| layer_refs.get(*i)) {
                p.layer = Some(l.clone());
            }
            if eco == Ecosystem::Dpkg && p.installed_files.is_empty() {
                let qualified = format!("{}:{}", p.name, p.arch);
                if let Some(files) = file_lists
                    .get(qualified.as_str())
                    .or_else(|| file_lists.get(p.name.as_str()))
                {
                    p.installed_files = (*files).clone();
                }
            }
        }
        // dpkg's distroless status.d: one set for the whole folder.
        let set_path = if path.starts_with("var/lib/dpkg/status.d/") {
            if let Some(o) = os.as_mut() {
                o.distroless = true;
            }
            "var/lib/dpkg/status.d".to_string()
        } else if let Some(target) = lang::aggregate_target(kind) {
            // One package per file (dist-info, node_modules package.json,
            // gemspec, jar): one result per ecosystem, like Trivy's
            // `Python` / `Node.js` targets; packages keep their own path.
            target.to_string()
        } else {
            (*path).to_string()
        };
        match sets.iter_mut().find(|s| s.path == set_path) {
            Some(s) => s.packages.extend(packages),
            None => sets.push(PackageSet {
                path: set_path,
                kind: kind.to_string(),
                ecosystem: eco,
                packages,
            }),
        }
    }
    for set in &mut sets {
        if set.ecosystem.is_os() {
            for p in &mut set.packages {
                purl::set_os_purl(p, os.as_ref());
            }
        }
    }
    // /etc/passwd as the final view has it (through symlinks).
    let users = fs
        .resolve("etc/passwd")
        .and_then(|real| fs.files.get(&real).map(|n| (real.clone(), n.layer)))
        .and_then(|(real, layer)| {
            analysis_at(&real, layer)?.iter().find_map(|fa| match fa {
                FileAnalysis::Users { entries } => Some(entries.clone()),
                _ => None,
            })
        });
    Inventory {
        os,
        package_sets: sets,
        fs,
        warnings,
        users,
    }
}

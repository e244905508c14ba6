//! Package changes: added, removed, upgraded, downgraded, per ecosystem.

use bulkhead_types::{Class, Ecosystem, Package, Report};
use bulkhead_versions::Scheme;
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// One package that changed between the two images.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PackageChange {
    /// The package database kind (`debian`, `alpine`, `python-pkg`, `npm`, …).
    pub ecosystem: String,
    pub name: String,
    /// Architecture, for OS packages (empty otherwise).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub arch: String,
    /// Version in the first image (absent when added).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// Version in the second image (absent when removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// Package changes from one image to the other.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PackageDelta {
    pub added: Vec<PackageChange>,
    pub removed: Vec<PackageChange>,
    pub upgraded: Vec<PackageChange>,
    pub downgraded: Vec<PackageChange>,
    /// Version changed but the two versions could not be ordered (one does
    /// not parse in its ecosystem's scheme).
    pub changed: Vec<PackageChange>,
    /// Packages with the same version in both images.
    pub unchanged: usize,
}

impl PackageDelta {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.upgraded.is_empty()
            && self.downgraded.is_empty()
            && self.changed.is_empty()
    }

    /// Counts per ecosystem: (added, removed, upgraded, downgraded, changed).
    pub fn by_ecosystem(&self) -> BTreeMap<String, [usize; 5]> {
        let mut m: BTreeMap<String, [usize; 5]> = BTreeMap::new();
        let lists = [
            &self.added,
            &self.removed,
            &self.upgraded,
            &self.downgraded,
            &self.changed,
        ];
        for (i, list) in lists.into_iter().enumerate() {
            for c in list {
                if let Some(n) = m.entry(c.ecosystem.clone()).or_default().get_mut(i) {
                    *n += 1;
                }
            }
        }
        m
    }
}

/// What identifies "the same package" in both images. Python names are
/// compared PEP 503-normalised (`Jinja2` and `jinja2` are one project).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct PkgKey {
    kind: String,
    name: String,
    arch: String,
}

/// PEP 503 form of a Python project name: lower case, runs of `-`, `_`
/// and `.` as one `-`. (A few lines; the analyzers' and the database's
/// copies live in crates this pure crate does not depend on.)
pub(crate) fn pep503(name: &str) -> String {
    name.split(['-', '_', '.'])
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-")
        .to_ascii_lowercase()
}

/// A package's name as compared: PEP 503 for Python, as written otherwise.
fn key_name(scheme: Option<Scheme>, name: &str) -> String {
    match scheme {
        Some(Scheme::Pep440) => pep503(name),
        _ => name.to_string(),
    }
}

/// The version scheme of a package: from its ecosystem when the report was
/// built in this process, else from its purl type (reports read back from
/// JSON do not carry the ecosystem).
fn scheme_of(p: &Package) -> Option<Scheme> {
    let eco = p
        .ecosystem
        .or_else(|| Ecosystem::from_purl(&p.identifier.purl))?;
    Some(Scheme::for_ecosystem(eco))
}

/// A package's entry in an inventory: its scheme, the versions installed
/// (a language package can be installed at several versions in one image)
/// and its name as the image spells it.
type Entry = (Option<Scheme>, BTreeSet<String>, String);

/// Every package of a report by key.
fn inventory(report: &Report) -> BTreeMap<PkgKey, Entry> {
    let mut m: BTreeMap<PkgKey, Entry> = BTreeMap::new();
    for r in &report.results {
        if !matches!(r.class, Class::OsPkgs | Class::LangPkgs) {
            continue;
        }
        for p in &r.packages {
            let scheme = scheme_of(p);
            let key = PkgKey {
                kind: r.kind.clone(),
                name: key_name(scheme, &p.name),
                arch: if r.class == Class::OsPkgs {
                    p.arch.clone()
                } else {
                    String::new()
                },
            };
            let e = m
                .entry(key)
                .or_insert_with(|| (scheme, BTreeSet::new(), p.name.clone()));
            e.1.insert(p.version.clone());
        }
    }
    m
}

fn change(
    k: &PkgKey,
    name: &str,
    before: Option<&String>,
    after: Option<&String>,
) -> PackageChange {
    PackageChange {
        ecosystem: k.kind.clone(),
        name: name.to_string(),
        arch: k.arch.clone(),
        before: before.cloned(),
        after: after.cloned(),
    }
}

/// The package delta from `before` to `after`.
pub fn package_delta(before: &Report, after: &Report) -> PackageDelta {
    let a = inventory(before);
    let b = inventory(after);
    let mut d = PackageDelta::default();
    let keys: BTreeSet<&PkgKey> = a.keys().chain(b.keys()).collect();
    let empty = BTreeSet::new();
    for k in keys {
        let (sa, va, na) = a.get(k).map_or((None, &empty, ""), |(s, v, n)| (*s, v, n));
        let (sb, vb, nb) = b.get(k).map_or((None, &empty, ""), |(s, v, n)| (*s, v, n));
        // Shown as the image spells it (B's spelling when both have it).
        let name = if nb.is_empty() { na } else { nb };
        d.unchanged += va.intersection(vb).count();
        let gone: Vec<&String> = va.difference(vb).collect();
        let new: Vec<&String> = vb.difference(va).collect();
        match (gone.as_slice(), new.as_slice()) {
            ([], []) => {}
            // One version replaced by another: order them in the package's scheme.
            ([old], [cur]) => {
                let ord = sa
                    .or(sb)
                    .and_then(|s| bulkhead_versions::compare(s, old, cur).ok());
                let c = change(k, name, Some(old), Some(cur));
                match ord {
                    Some(Ordering::Less) => d.upgraded.push(c),
                    Some(Ordering::Greater) => d.downgraded.push(c),
                    // Equal in the scheme but spelled differently, or not comparable.
                    Some(Ordering::Equal) | None => d.changed.push(c),
                }
            }
            _ => {
                d.removed
                    .extend(gone.iter().map(|v| change(k, na, Some(v), None)));
                d.added
                    .extend(new.iter().map(|v| change(k, nb, None, Some(v))));
            }
        }
    }
    d
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use bulkhead_types::{ArtifactType, ScanResult};

    fn report(pkgs: &[(Ecosystem, &str, &str, &str)]) -> Report {
        let mut r = Report::new("x", ArtifactType::ContainerImage);
        let mut os = ScanResult::new("x (debian 12)", Class::OsPkgs, "debian");
        let mut py = ScanResult::new("usr/lib/python3", Class::LangPkgs, "python-pkg");
        for (e, n, v, arch) in pkgs {
            let mut p = Package::new(*e, *n, *v);
            p.arch = arch.to_string();
            if e.is_os() {
                os.packages.push(p);
            } else {
                py.packages.push(p);
            }
        }
        r.results = vec![os, py];
        r
    }

    #[test]
    fn versions_are_ordered_in_their_scheme_not_as_strings() {
        let a = report(&[
            (Ecosystem::Dpkg, "zlib1g", "1:1.2.11.dfsg-2", "amd64"),
            (Ecosystem::Dpkg, "bash", "5.1-2", "amd64"),
            (Ecosystem::Python, "jinja2", "2.9", ""),
            (Ecosystem::Dpkg, "gone", "1.0", "amd64"),
        ]);
        let b = report(&[
            // As strings "1:1.2.9" > "1:1.2.11" (an upgrade); dpkg says 1.2.9 < 1.2.11.
            (Ecosystem::Dpkg, "zlib1g", "1:1.2.9", "amd64"),
            (Ecosystem::Dpkg, "bash", "5.1-2", "amd64"),
            // "2.10" < "2.9" as strings; PEP 440 says 2.10 > 2.9.
            (Ecosystem::Python, "jinja2", "2.10", ""),
            (Ecosystem::Dpkg, "new", "1.0", "amd64"),
        ]);
        let d = package_delta(&a, &b);
        assert_eq!(d.unchanged, 1);
        assert_eq!(d.upgraded.len(), 1);
        assert_eq!(d.upgraded[0].name, "jinja2");
        assert_eq!(d.downgraded.len(), 1);
        assert_eq!(d.downgraded[0].name, "zlib1g");
        assert_eq!(d.removed[0].name, "gone");
        assert_eq!(d.added[0].name, "new");
        assert_eq!(d.by_ecosystem()["debian"], [1, 1, 0, 1, 0]);
    }

    #[test]
    fn architectures_and_multiple_versions_are_kept_apart() {
        let a = report(&[
            (Ecosystem::Dpkg, "libc6", "2.36-9", "amd64"),
            (Ecosystem::Python, "six", "1.15.0", ""),
            (Ecosystem::Python, "six", "1.16.0", ""),
        ]);
        let b = report(&[
            (Ecosystem::Dpkg, "libc6", "2.36-9", "i386"),
            (Ecosystem::Python, "six", "1.16.0", ""),
        ]);
        let d = package_delta(&a, &b);
        assert_eq!(d.removed.len(), 2, "{d:?}");
        assert_eq!(d.added.len(), 1);
        assert_eq!(d.added[0].arch, "i386");
        assert_eq!(d.unchanged, 1);
    }

    #[test]
    fn python_names_are_compared_pep503_normalised() {
        let a = report(&[
            (Ecosystem::Python, "Jinja2", "2.9", ""),
            (Ecosystem::Python, "typing_extensions", "4.0.0", ""),
        ]);
        let b = report(&[
            (Ecosystem::Python, "jinja2", "3.1.4", ""),
            (Ecosystem::Python, "Typing.Extensions", "4.0.0", ""),
        ]);
        let d = package_delta(&a, &b);
        assert!(d.added.is_empty() && d.removed.is_empty(), "{d:?}");
        assert_eq!(d.upgraded.len(), 1, "{d:?}");
        assert_eq!(d.upgraded[0].name, "jinja2");
        assert_eq!(d.unchanged, 1);
        assert_eq!(pep503("Foo.Bar__baz"), "foo-bar-baz");
    }

    #[test]
    fn unparsable_versions_are_changed_not_ordered() {
        let a = report(&[(Ecosystem::Python, "x", "1.0", "")]);
        let b = report(&[(Ecosystem::Python, "x", "not a version!", "")]);
        let d = package_delta(&a, &b);
        assert_eq!(d.changed.len(), 1);
    }
}

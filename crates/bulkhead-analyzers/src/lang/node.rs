//! Node.js: installed packages (`node_modules/**/package.json`, scoped and
//! nested) and, for `fs` scans, `package-lock.json` (v1–v3),
//! `npm-shrinkwrap.json`, `yarn.lock` (v1 and berry) and `pnpm-lock.yaml`.

use super::{file_name, lang_pkg, result};
use crate::{AnalyzeError, Analyzer, FileAnalysis, text};
use bulkhead_types::{Ecosystem, Package};
use serde_json::Value;

const MAX_MANIFEST: u64 = 8 * 1024 * 1024;
/// Largest `package-lock.json` / `yarn.lock` read (streamed or line-based);
/// larger ones are a warning.
const MAX_LOCK: u64 = 128 * 1024 * 1024;
/// Largest `pnpm-lock.yaml` read: YAML is loaded as a tree, ~10 times its
/// size in memory.
const MAX_PNPM_LOCK: u64 = 16 * 1024 * 1024;

/// Installed packages under `node_modules`.
pub struct NodePkgAnalyzer;

/// `…/node_modules/NAME/package.json` or `…/node_modules/@SCOPE/NAME/package.json`.
fn is_installed_manifest(path: &str) -> bool {
    let Some(dir) = path.strip_suffix("/package.json") else {
        return false;
    };
    let mut parts = dir.rsplit('/');
    let (Some(name), Some(parent)) = (parts.next(), parts.next()) else {
        return false;
    };
    if name.starts_with('.') {
        return false; // node_modules/.bin, .cache, …
    }
    if parent == "node_modules" {
        return !name.starts_with('@');
    }
    parent.starts_with('@') && parts.next() == Some("node_modules")
}

fn license_of(doc: &Value) -> Vec<String> {
    match doc.get("license") {
        Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
        Some(Value::Object(o)) => o
            .get("type")
            .and_then(Value::as_str)
            .map(|s| vec![s.to_string()])
            .unwrap_or_default(),
        _ => doc
            .get("licenses")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|l| l.get("type").and_then(Value::as_str).or(l.as_str()))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// One installed `package.json`: `None` when it names no package (a nested
/// helper manifest without name or version).
pub fn parse_package_json(path: &str, content: &[u8]) -> Result<Option<Package>, AnalyzeError> {
    let doc: Value = serde_json::from_slice(content)
        .map_err(|e| AnalyzeError::malformed(path, format!("invalid JSON: {e}")))?;
    let name = doc.get("name").and_then(Value::as_str).unwrap_or_default();
    let version = doc
        .get("version")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if name.is_empty() || version.is_empty() {
        return Ok(None);
    }
    let mut p = lang_pkg(Ecosystem::Npm, name, version, path);
    p.licenses = license_of(&doc);
    Ok(Some(p))
}

impl Analyzer for NodePkgAnalyzer {
    fn name(&self) -> &'static str {
        "lang/node-pkg"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, path: &str, size: u64) -> bool {
        size <= MAX_MANIFEST && is_installed_manifest(path)
    }
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        Ok(parse_package_json(path, content)?.map(|p| result("node-pkg", Ecosystem::Npm, vec![p])))
    }
}

/// Node.js lockfiles (`fs` scans).
pub struct NodeLockAnalyzer;

fn lock_kind(path: &str) -> Option<&'static str> {
    match file_name(path) {
        "package-lock.json" | "npm-shrinkwrap.json" => Some("npm"),
        "yarn.lock" => Some("yarn"),
        "pnpm-lock.yaml" => Some("pnpm"),
        _ => None,
    }
}

/// The package name in a lockfile v2/v3 key `node_modules/a/node_modules/@s/b`.
fn name_from_key(key: &str) -> Option<&str> {
    let idx = key.rfind("node_modules/")?;
    key.get(idx + "node_modules/".len()..)
}

/// `package-lock.json` / `npm-shrinkwrap.json`, any lockfileVersion.
/// Development-only packages (`dev: true`) and workspace links are left out.
///
/// Read in one streaming pass: only one entry at a time is held as a JSON
/// value, and at most [`MAX_PACKAGES`](crate::MAX_PACKAGES) + 1 packages are
/// kept (the pipeline keeps the cap and warns), so a 100 MB lockfile of a
/// million entries costs its bytes plus the packages kept.
pub fn parse_package_lock(path: &str, content: &[u8]) -> Result<Vec<Package>, AnalyzeError> {
    use serde::Deserializer as _;
    let bad = |e: serde_json::Error| AnalyzeError::malformed(path, format!("invalid JSON: {e}"));
    let mut de = serde_json::Deserializer::from_slice(content);
    let scan = (&mut de).deserialize_map(lock::Top { path }).map_err(bad)?;
    de.end().map_err(bad)?;
    match scan.v2 {
        // lockfileVersion 2 and 3: the flat `packages` map, in key order.
        Some(mut v) => {
            v.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(v.into_iter().map(|(_, p)| p).collect())
        }
        // lockfileVersion 1: the nested `dependencies` tree.
        None => {
            let mut out = scan.v1;
            out.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
            Ok(out)
        }
    }
}

/// Streaming visitors of `package-lock.json` (see [`parse_package_lock`]).
mod lock {
    use super::{lang_pkg, license_of, name_from_key};
    use bulkhead_types::{Ecosystem, Package};
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use serde_json::Value;
    use std::fmt;

    /// Room for one more package (the cap plus one, see `MAX_PACKAGES`).
    fn room(n: usize) -> bool {
        n <= crate::MAX_PACKAGES
    }

    /// Values of the wrong JSON type are skipped, as the `Value` reader
    /// skipped them.
    macro_rules! tolerate_other_types {
        () => {
            fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Default::default())
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Default::default())
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Default::default())
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Default::default())
            }
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Default::default())
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(Default::default())
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
                Ok(Default::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Default::default())
            }
        };
    }

    /// What the pass collected: `packages` (v2/v3, with their keys) when
    /// the file has that map, else the v1 `dependencies` tree.
    #[derive(Default)]
    pub(super) struct Scan {
        pub(super) v2: Option<Vec<(String, Package)>>,
        pub(super) v1: Vec<Package>,
    }

    pub(super) struct Top<'p> {
        pub(super) path: &'p str,
    }

    impl<'de> Visitor<'de> for Top<'_> {
        type Value = Scan;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a package-lock.json object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scan, A::Error> {
            let mut scan = Scan::default();
            while let Some(key) = map.next_key::<String>()? {
                match key.as_str() {
                    "packages" => {
                        if let Some(v) = map.next_value_seed(Packages { path: self.path })? {
                            scan.v2 = Some(v);
                        }
                    }
                    // v2 files carry both; `packages` comes first and wins.
                    "dependencies" if scan.v2.is_none() => {
                        scan.v1.clear();
                        map.next_value_seed(Deps {
                            path: self.path,
                            out: &mut scan.v1,
                        })?;
                    }
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(scan)
        }
    }

    /// The v2/v3 `packages` map: one entry at a time.
    struct Packages<'p> {
        path: &'p str,
    }

    impl<'de> DeserializeSeed<'de> for Packages<'_> {
        type Value = Option<Vec<(String, Package)>>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Packages<'_> {
        type Value = Option<Vec<(String, Package)>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("the packages map")
        }
        tolerate_other_types!();
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                if !room(out.len()) {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                let p: Value = map.next_value()?;
                if key.is_empty() || p.get("link").and_then(Value::as_bool) == Some(true) {
                    continue;
                }
                if p.get("dev").and_then(Value::as_bool) == Some(true) {
                    continue;
                }
                let Some(name) = p
                    .get("name")
                    .and_then(Value::as_str)
                    .or_else(|| name_from_key(&key))
                else {
                    continue; // a workspace folder, not an installed package
                };
                let Some(version) = p.get("version").and_then(Value::as_str) else {
                    continue;
                };
                let mut pkg = lang_pkg(Ecosystem::Npm, name, version, self.path);
                pkg.licenses = license_of(&p);
                out.push((key, pkg));
            }
            Ok(Some(out))
        }
    }

    /// A v1 `dependencies` map; every package found at any depth goes to
    /// `out`. serde_json's recursion limit bounds the depth.
    struct Deps<'a> {
        path: &'a str,
        out: &'a mut Vec<Package>,
    }

    impl<'de> DeserializeSeed<'de> for Deps<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Deps<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a dependencies map")
        }
        tolerate_other_types!();
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(name) = map.next_key::<String>()? {
                if !room(self.out.len()) {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                map.next_value_seed(Dep {
                    name: &name,
                    path: self.path,
                    out: &mut *self.out,
                })?;
            }
            Ok(())
        }
    }

    /// One v1 dependency: `version`, `dev` and its nested `dependencies`.
    struct Dep<'a> {
        name: &'a str,
        path: &'a str,
        out: &'a mut Vec<Package>,
    }

    impl<'de> DeserializeSeed<'de> for Dep<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Dep<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a dependency object")
        }
        tolerate_other_types!();
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let (mut version, mut dev) = (None, false);
            while let Some(key) = map.next_key::<String>()? {
                match key.as_str() {
                    "version" => {
                        version = match map.next_value::<Value>()? {
                            Value::String(s) => Some(s),
                            _ => None,
                        };
                    }
                    "dev" => dev = map.next_value::<Value>()?.as_bool() == Some(true),
                    "dependencies" => map.next_value_seed(Deps {
                        path: self.path,
                        out: &mut *self.out,
                    })?,
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            if let Some(v) = version
                && !dev
                && !v.starts_with("file:")
                && room(self.out.len())
            {
                self.out
                    .push(lang_pkg(Ecosystem::Npm, self.name, &v, self.path));
            }
            Ok(())
        }
    }
}

/// The name in a yarn descriptor `name@range` / `@scope/name@npm:range`.
fn descriptor_name(d: &str) -> Option<&str> {
    let d = d.trim().trim_matches('"');
    let at = d.get(1..)?.find('@')? + 1;
    d.get(..at)
}

/// `yarn.lock`, classic (v1) and berry (v2+, YAML). Written by hand: both
/// share the same shape (unindented descriptor lines, indented fields) and
/// classic is not YAML, so one line parser reads both. Workspace and
/// `link:`/`portal:` entries (the project itself) are skipped.
pub fn parse_yarn_lock(path: &str, content: &str) -> Result<Vec<Package>, AnalyzeError> {
    let mut out = Vec::new();
    let mut saw_entry = false;
    let mut cur: Option<(String, String, String)> = None; // name, version, resolution
    let mut skip = false;
    let flush = |cur: &mut Option<(String, String, String)>, skip: bool, out: &mut Vec<Package>| {
        if let Some((name, version, resolution)) = cur.take() {
            let local = ["@workspace:", "@link:", "@portal:", "@file:", "@patch:"]
                .iter()
                .any(|m| resolution.contains(m));
            if !skip
                && !local
                && !name.is_empty()
                && !version.is_empty()
                && version != "0.0.0-use.local"
            {
                out.push(lang_pkg(Ecosystem::Npm, &name, &version, path));
            }
        }
    };
    for line in content.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            flush(&mut cur, skip, &mut out);
            skip = false;
            let header = line.trim_end().trim_end_matches(':');
            if header == "__metadata" {
                cur = None;
                skip = true;
                continue;
            }
            let first = header.split(", ").next().unwrap_or(header);
            let Some(name) = descriptor_name(first) else {
                continue;
            };
            saw_entry = true;
            cur = Some((name.to_string(), String::new(), String::new()));
            continue;
        }
        let Some(c) = cur.as_mut() else { continue };
        let field = line.trim();
        if line.starts_with("    ") {
            continue; // nested maps (dependencies)
        }
        let (k, v) = match field.split_once(": ") {
            Some((k, v)) => (k, v),
            None => match field.split_once(' ') {
                Some((k, v)) => (k, v),
                None => continue,
            },
        };
        let v = v.trim().trim_matches('"');
        match k.trim_matches('"') {
            "version" => c.1 = v.to_string(),
            "resolution" => c.2 = v.to_string(),
            "linkType" if v == "soft" => skip = true,
            _ => {}
        }
    }
    flush(&mut cur, skip, &mut out);
    if !saw_entry && !content.trim().is_empty() && !content.contains("__metadata") {
        return Err(AnalyzeError::malformed(path, "no entries: not a yarn.lock"));
    }
    Ok(out)
}

/// Split a pnpm `packages` key: `/name/1.0.0` (v5), `/name@1.0.0(peer)` (v6),
/// `name@1.0.0` (v9); scoped names keep their `@scope/`.
fn pnpm_key(key: &str) -> Option<(&str, &str)> {
    let k = key.trim_start_matches('/');
    let k = k.split('(').next().unwrap_or(k);
    let at = k.get(1..).and_then(|r| r.rfind('@')).map(|i| i + 1);
    let (name, version) = match at {
        Some(i) if !k[..i].contains(':') => (k.get(..i)?, k.get(i + 1..)?),
        _ => {
            let (n, v) = k.rsplit_once('/')?;
            (n, v.split('_').next().unwrap_or(v))
        }
    };
    if name.is_empty() || version.is_empty() || !version.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some((name, version))
}

/// `pnpm-lock.yaml` (lockfile versions 5, 6 and 9). Development-only
/// packages (`dev: true`, v5/v6) are left out.
pub fn parse_pnpm_lock(path: &str, content: &str) -> Result<Vec<Package>, AnalyzeError> {
    use yaml_rust2::{Yaml, YamlLoader};
    let docs = YamlLoader::load_from_str(content)
        .map_err(|e| AnalyzeError::malformed(path, format!("invalid YAML: {e}")))?;
    let mut out = Vec::new();
    let Some(doc) = docs.first() else {
        return Ok(out);
    };
    let Some(pkgs) = doc["packages"].as_hash() else {
        return Ok(out);
    };
    for (k, v) in pkgs {
        let Some(key) = k.as_str() else { continue };
        if v["dev"] == Yaml::Boolean(true) {
            continue;
        }
        let (name, version) = match (v["name"].as_str(), v["version"].as_str()) {
            (Some(n), Some(ver)) => (n, ver),
            _ => match pnpm_key(key) {
                Some(nv) => nv,
                None => continue,
            },
        };
        out.push(lang_pkg(Ecosystem::Npm, name, version, path));
    }
    Ok(out)
}

impl Analyzer for NodeLockAnalyzer {
    fn name(&self) -> &'static str {
        "lang/node-lock"
    }
    fn version(&self) -> u32 {
        // 2: bounded (package cap, size cap as a warning, hostile-input limits).
        2
    }
    fn required(&self, path: &str, _size: u64) -> bool {
        lock_kind(path).is_some() && !path.contains("node_modules/")
    }
    fn read_limit(&self) -> u64 {
        MAX_LOCK + 1
    }
    fn fs_only(&self) -> bool {
        true
    }
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        let cap = if lock_kind(path) == Some("pnpm") {
            MAX_PNPM_LOCK
        } else {
            MAX_LOCK
        };
        if content.len() as u64 > cap {
            return Err(crate::too_large(path, cap));
        }
        let Some(kind) = lock_kind(path) else {
            return Ok(None);
        };
        let pkgs = match kind {
            "npm" => parse_package_lock(path, content)?,
            "yarn" => parse_yarn_lock(path, &text(content))?,
            _ => parse_pnpm_lock(path, &text(content))?,
        };
        Ok(Some(result(kind, Ecosystem::Npm, pkgs)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(p: &[Package]) -> Vec<String> {
        p.iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect()
    }

    #[test]
    fn installed_paths() {
        assert!(is_installed_manifest(
            "app/node_modules/express/package.json"
        ));
        assert!(is_installed_manifest(
            "node_modules/@babel/core/package.json"
        ));
        assert!(is_installed_manifest(
            "a/node_modules/b/node_modules/c/package.json"
        ));
        assert!(!is_installed_manifest("app/package.json"));
        assert!(!is_installed_manifest(
            "node_modules/express/lib/package.json"
        ));
        assert!(!is_installed_manifest("node_modules/@babel/package.json"));
        assert!(!is_installed_manifest("node_modules/.bin/package.json"));
    }

    #[test]
    fn package_json() {
        let p = parse_package_json(
            "p",
            br#"{"name":"@types/node","version":"18.0.0","license":{"type":"MIT"}}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(p.identifier.purl, "pkg:npm/%40types/node@18.0.0");
        assert_eq!(p.licenses, vec!["MIT"]);
        assert!(
            parse_package_json("p", br#"{"private":true}"#)
                .unwrap()
                .is_none()
        );
        assert!(parse_package_json("p", b"{nope").is_err());
    }

    #[test]
    fn yarn_descriptors() {
        assert_eq!(
            descriptor_name("\"@babel/core@^7.0.0\""),
            Some("@babel/core")
        );
        assert_eq!(descriptor_name("lodash@npm:^4.17.0"), Some("lodash"));
        assert_eq!(descriptor_name("x"), None);
    }

    #[test]
    fn pnpm_keys() {
        assert_eq!(pnpm_key("/lodash/4.17.21"), Some(("lodash", "4.17.21")));
        assert_eq!(
            pnpm_key("/@babel/core/7.1.0_abc"),
            Some(("@babel/core", "7.1.0"))
        );
        assert_eq!(
            pnpm_key("/@babel/core@7.1.0(react@18.0.0)"),
            Some(("@babel/core", "7.1.0"))
        );
        assert_eq!(pnpm_key("ms@2.1.3"), Some(("ms", "2.1.3")));
    }

    #[test]
    fn lock_v1_nested() {
        let l = br#"{"lockfileVersion":1,"dependencies":{"a":{"version":"1.0.0","dependencies":{"b":{"version":"2.0.0"}}},"d":{"version":"3.0.0","dev":true}}}"#;
        assert_eq!(
            ids(&parse_package_lock("package-lock.json", l).unwrap()),
            vec!["a@1.0.0", "b@2.0.0"]
        );
    }

    #[test]
    fn hostile() {
        assert!(parse_package_lock("p", b"[1,").is_err());
        assert!(parse_pnpm_lock("p", "packages: [\n  - {").is_err());
        assert!(parse_yarn_lock("p", "\u{0}\u{1}garbage").is_err());
        let deep = format!(
            "{}{}",
            "{\"dependencies\":{\"a\":".repeat(200),
            "{}".to_string() + &"}}".repeat(200)
        );
        // serde_json's recursion limit turns this into an error, not a crash.
        let _ = parse_package_lock("p", deep.as_bytes());
        // wrong types are skipped, not errors
        assert!(
            parse_package_lock(
                "p",
                br#"{"packages":null,"dependencies":{"a":1,"b":{"version":2}}}"#
            )
            .unwrap()
            .is_empty()
        );
        assert!(parse_package_lock("p", br#"{"x":1} trailing"#).is_err());
    }

    #[test]
    fn lock_v2_order_links_dev_and_cap() {
        let l = br#"{"lockfileVersion":3,"packages":{"":{"name":"app","version":"1.0.0"},"node_modules/z":{"version":"1.0.0"},"node_modules/a":{"version":"2.0.0","license":"MIT"},"node_modules/d":{"version":"1.0.0","dev":true},"node_modules/l":{"link":true,"resolved":"x"},"node_modules/a/node_modules/@s/b":{"version":"3.0.0"}},"dependencies":{"ignored":{"version":"9.9.9"}}}"#;
        let got = parse_package_lock("package-lock.json", l).unwrap();
        assert_eq!(ids(&got), vec!["a@2.0.0", "@s/b@3.0.0", "z@1.0.0"]);
        assert_eq!(got[0].licenses, vec!["MIT"]);
        let mut big = String::from(r#"{"packages":{"#);
        for i in 0..crate::MAX_PACKAGES + 10 {
            if i > 0 {
                big.push(',');
            }
            big.push_str(&format!(r#""node_modules/p{i}":{{"version":"1.0.0"}}"#));
        }
        big.push_str("}}");
        let got = parse_package_lock("package-lock.json", big.as_bytes()).unwrap();
        assert_eq!(got.len(), crate::MAX_PACKAGES + 1);
    }
}

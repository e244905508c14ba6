//! Go: the module build info embedded in Go binaries (both the pointer-based
//! format of Go ≤ 1.17 and the inline format of Go ≥ 1.18), with the
//! toolchain reported as package `stdlib`; and `go.mod` in `fs` scans.
//!
//! The build info is read by hand because no maintained Rust crate parses
//! it: a 32-byte header (`\xff Go buildinf:`, pointer size, flags) followed
//! either by two varint-prefixed strings (inline) or by two pointers to Go
//! string headers (pointer-based), resolved here through the ELF sections.

use super::elf::{ELF_MAGIC, executable_candidate, readable_elf_quiet};
use super::{file_name, lang_pkg, result};
use crate::{AnalyzeError, Analyzer, FileAnalysis, text};
use bulkhead_types::{Ecosystem, Package};

const MAGIC: &[u8] = b"\xff Go buildinf:";
const MAX_GOMOD: u64 = 16 * 1024 * 1024;
/// Longest version or module-info string accepted.
const MAX_STR: usize = 4 * 1024 * 1024;

/// What a Go binary says about how it was built.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuildInfo {
    /// `go1.19.8`.
    pub go_version: String,
    /// Main package path.
    pub path: String,
    /// Main module (path, version).
    pub main: Option<(String, String)>,
    /// Dependencies after `=>` replacements (path, version).
    pub deps: Vec<(String, String)>,
}

fn read_uvarint(data: &[u8]) -> Option<(usize, usize)> {
    let mut x: u64 = 0;
    for (i, b) in data.iter().enumerate().take(10) {
        x |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((usize::try_from(x).ok()?, i + 1));
        }
    }
    None
}

fn read_ptr(data: &[u8], size: usize, big: bool) -> Option<u64> {
    let b = data.get(..size)?;
    Some(match (size, big) {
        (4, false) => u64::from(u32::from_le_bytes(b.try_into().ok()?)),
        (4, true) => u64::from(u32::from_be_bytes(b.try_into().ok()?)),
        (8, false) => u64::from_le_bytes(b.try_into().ok()?),
        (8, true) => u64::from_be_bytes(b.try_into().ok()?),
        _ => return None,
    })
}

/// Bytes at a virtual address, through the sections of the file.
fn read_at(file: &object::File<'_>, addr: u64, len: usize) -> Option<Vec<u8>> {
    use object::{Object, ObjectSection};
    if len > MAX_STR {
        return None;
    }
    for s in file.sections() {
        let start = s.address();
        if addr >= start && addr < start.saturating_add(s.size()) {
            let data = s.data().ok()?;
            let off = usize::try_from(addr - start).ok()?;
            return data.get(off..off.checked_add(len)?).map(<[u8]>::to_vec);
        }
    }
    None
}

fn read_go_string(file: &object::File<'_>, addr: u64, ptr: usize, big: bool) -> Option<String> {
    let hdr = read_at(file, addr, ptr * 2)?;
    let data = read_ptr(&hdr, ptr, big)?;
    let len = usize::try_from(read_ptr(hdr.get(ptr..)?, ptr, big)?).ok()?;
    if len == 0 {
        return Some(String::new());
    }
    let bytes = read_at(file, data, len)?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// Find and decode the build info blob: `Ok(None)` when the file is not a
/// Go binary.
pub fn read_build_info(path: &str, content: &[u8]) -> Result<Option<BuildInfo>, AnalyzeError> {
    use object::{Object, ObjectSection};
    let file = object::File::parse(content)
        .map_err(|e| AnalyzeError::malformed(path, format!("unreadable executable: {e}")))?;
    let blob: &[u8] = match file.section_by_name(".go.buildinfo") {
        Some(s) => s
            .data()
            .map_err(|e| AnalyzeError::malformed(path, format!("unreadable .go.buildinfo: {e}")))?,
        // Section headers but no `.go.buildinfo`: not a Go binary, even
        // when the marker appears in its data (Bulkhead's own binary holds
        // it as a constant).
        None if file.sections().next().is_some() => return Ok(None),
        None => {
            // Stripped section headers: the blob is 16-byte aligned data.
            match aligned_find(content, MAGIC) {
                Some(off) => content.get(off..).unwrap_or_default(),
                None => return Ok(None),
            }
        }
    };
    let Some(off) = memfind(blob, MAGIC) else {
        return Ok(None);
    };
    let blob = blob.get(off..).unwrap_or_default();
    let bad = |why: &str| AnalyzeError::malformed(path, format!("Go build info: {why}"));
    let (Some(&ptr_size), Some(&flags)) = (blob.get(14), blob.get(15)) else {
        return Err(bad("truncated header"));
    };
    let big = flags & 1 != 0;
    let (version, modinfo) = if flags & 2 != 0 {
        let mut rest = blob.get(32..).ok_or_else(|| bad("truncated header"))?;
        let mut strs = Vec::new();
        for _ in 0..2 {
            let (len, n) = read_uvarint(rest).ok_or_else(|| bad("bad length"))?;
            if len > MAX_STR {
                return Err(bad("string too long"));
            }
            let s = rest
                .get(n..n.saturating_add(len))
                .ok_or_else(|| bad("string runs past the end"))?;
            strs.push(String::from_utf8_lossy(s).into_owned());
            rest = rest.get(n + len..).unwrap_or_default();
        }
        let modinfo = strs.pop().unwrap_or_default();
        (strs.pop().unwrap_or_default(), modinfo)
    } else {
        let ptr = usize::from(ptr_size);
        if ptr != 4 && ptr != 8 {
            return Err(bad("unknown pointer size"));
        }
        let vaddr = blob.get(16..).and_then(|b| read_ptr(b, ptr, big));
        let maddr = blob.get(16 + ptr..).and_then(|b| read_ptr(b, ptr, big));
        let (Some(vaddr), Some(maddr)) = (vaddr, maddr) else {
            return Err(bad("truncated header"));
        };
        let version = read_go_string(&file, vaddr, ptr, big)
            .ok_or_else(|| bad("version string not found"))?;
        let modinfo = read_go_string(&file, maddr, ptr, big).unwrap_or_default();
        (version, modinfo)
    };
    let mut info = parse_modinfo(&modinfo);
    info.go_version = version;
    Ok(Some(info))
}

/// The first 16-byte aligned occurrence of `needle` (Go aligns its build
/// info blob so).
fn aligned_find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .enumerate()
        .step_by(16)
        .find(|(_, w)| *w == needle)
        .map(|(i, _)| i)
}

fn memfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// Parse the module info text (`path`, `mod`, `dep`, `=>` lines), with the
/// 16-byte sentinels around it removed when present.
pub fn parse_modinfo(modinfo: &str) -> BuildInfo {
    let b = modinfo.as_bytes();
    let text = if b.len() >= 33 && b.get(b.len() - 17) == Some(&b'\n') {
        modinfo.get(16..modinfo.len() - 16).unwrap_or(modinfo)
    } else {
        modinfo
    };
    let mut info = BuildInfo::default();
    let mut last_dep = false;
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            ["path", p, ..] => info.path = (*p).to_string(),
            ["mod", p, v, ..] => {
                info.main = Some(((*p).to_string(), (*v).to_string()));
                last_dep = false;
            }
            ["dep", p, v, ..] => {
                info.deps.push(((*p).to_string(), (*v).to_string()));
                last_dep = true;
            }
            ["=>", p, v, ..] if last_dep => {
                if let Some(d) = info.deps.last_mut() {
                    *d = ((*p).to_string(), (*v).to_string());
                }
            }
            ["=>", p, v, ..] => info.main = Some(((*p).to_string(), (*v).to_string())),
            _ => {}
        }
    }
    info
}

/// `go1.19.8` → `v1.19.8` (extra words like `X:boringcrypto` dropped).
pub fn stdlib_version(go: &str) -> Option<String> {
    let v = go.split_whitespace().next()?.strip_prefix("go")?;
    (!v.is_empty()).then(|| format!("v{v}"))
}

/// The packages of a binary's build info: dependencies, the main module when
/// it has a real version (not `(devel)`), and `stdlib`.
pub fn build_info_packages(path: &str, info: &BuildInfo) -> Vec<Package> {
    let mut out = Vec::new();
    if let Some((p, v)) = &info.main
        && !v.is_empty()
        && v != "(devel)"
    {
        out.push(lang_pkg(Ecosystem::Go, p, v, path));
    }
    for (p, v) in &info.deps {
        if !v.is_empty() && !v.starts_with("(") {
            out.push(lang_pkg(Ecosystem::Go, p, v, path));
        }
    }
    if let Some(v) = stdlib_version(&info.go_version) {
        out.push(lang_pkg(Ecosystem::Go, "stdlib", &v, path));
    }
    out
}

/// Go binaries, recognised by ELF magic, then by build info.
pub struct GoBinaryAnalyzer;

impl Analyzer for GoBinaryAnalyzer {
    fn name(&self) -> &'static str {
        "lang/gobinary"
    }
    fn version(&self) -> u32 {
        // 2: truncated ELF files give a warning (cached layer results of
        // version 1 had none and must be redone).
        // 3: the warning is lang/rustbinary's (it runs first on the same
        // files): cached results of version 2 gave it twice.
        // 4: a binary with section headers but no `.go.buildinfo` is not
        // Go (version 3 took a marker found in its data, e.g. in
        // Bulkhead's own binary, for Go build info).
        4
    }
    fn required(&self, _path: &str, _size: u64) -> bool {
        false
    }
    fn required_file(&self, _path: &str, size: u64, mode: u32) -> bool {
        executable_candidate(size, mode)
    }
    fn sniff_len(&self) -> usize {
        ELF_MAGIC.len()
    }
    fn accepts(&self, head: &[u8]) -> bool {
        head == ELF_MAGIC
    }
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        // A truncated ELF file: lang/rustbinary, which runs first on every
        // candidate executable, has warned about it.
        if !readable_elf_quiet(content) {
            return Ok(None);
        }
        Ok(read_build_info(path, content)?
            .map(|info| result("gobinary", Ecosystem::Go, build_info_packages(path, &info))))
    }
}

/// `go.mod` (`fs` scans).
pub struct GoModAnalyzer;

/// Parse `go.mod`: every `require` (direct and `// indirect`), after
/// `replace` directives; modules replaced by local folders are dropped.
pub fn parse_go_mod(path: &str, content: &str) -> Result<Vec<Package>, AnalyzeError> {
    let mut requires: Vec<(String, String)> = Vec::new();
    let mut replaces: Vec<(String, Option<String>, String, Option<String>)> = Vec::new();
    let mut block: Option<&str> = None;
    let mut saw_module = false;
    for raw in content.lines() {
        let line = raw.split("//").next().unwrap_or(raw).trim();
        if line.is_empty() {
            continue;
        }
        if line == ")" {
            block = None;
            continue;
        }
        let (verb, rest) = match block {
            Some(b) => (b, line),
            None => {
                let (verb, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
                let rest = rest.trim();
                if rest == "(" {
                    block = Some(match verb {
                        "require" => "require",
                        "replace" => "replace",
                        _ => "other",
                    });
                    continue;
                }
                (verb, rest)
            }
        };
        let unq = |s: &str| s.trim_matches('"').to_string();
        match verb {
            "module" => saw_module = true,
            "require" => {
                let mut w = rest.split_whitespace();
                if let (Some(p), Some(v)) = (w.next(), w.next()) {
                    requires.push((unq(p), unq(v)));
                }
            }
            "replace" => {
                let Some((from, to)) = rest.split_once("=>") else {
                    continue;
                };
                let mut f = from.split_whitespace();
                let mut t = to.split_whitespace();
                if let (Some(fp), Some(tp)) = (f.next(), t.next()) {
                    replaces.push((unq(fp), f.next().map(unq), unq(tp), t.next().map(unq)));
                }
            }
            _ => {}
        }
    }
    if !saw_module && requires.is_empty() {
        return Err(AnalyzeError::malformed(
            path,
            "no module directive: not a go.mod file",
        ));
    }
    let mut out = Vec::new();
    'req: for (p, v) in requires {
        for (fp, fv, tp, tv) in &replaces {
            if *fp == p && fv.as_ref().is_none_or(|fv| *fv == v) {
                // No version: a local folder, not a module.
                if let Some(tv) = tv {
                    out.push(lang_pkg(Ecosystem::Go, tp, tv, path));
                }
                continue 'req;
            }
        }
        out.push(lang_pkg(Ecosystem::Go, &p, &v, path));
    }
    Ok(out)
}

impl Analyzer for GoModAnalyzer {
    fn name(&self) -> &'static str {
        "lang/gomod"
    }
    fn version(&self) -> u32 {
        1
    }
    fn required(&self, path: &str, size: u64) -> bool {
        size <= MAX_GOMOD && file_name(path) == "go.mod" && !path.contains("/vendor/")
    }
    fn fs_only(&self) -> bool {
        true
    }
    fn analyze(&self, path: &str, content: &[u8]) -> Result<Option<FileAnalysis>, AnalyzeError> {
        Ok(Some(result(
            "gomod",
            Ecosystem::Go,
            parse_go_mod(path, &text(content))?,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modinfo() {
        let m = "0123456789abcdefpath\texample.com/app\nmod\texample.com/app\t(devel)\t\ndep\tgolang.org/x/text\tv0.3.0\th1:x=\ndep\tgithub.com/a/b\tv1.0.0\th1:y=\n=>\tgithub.com/c/b\tv1.1.0\th1:z=\n\n0123456789abcdef";
        let info = parse_modinfo(m);
        assert_eq!(info.path, "example.com/app");
        assert_eq!(
            info.deps,
            vec![
                ("golang.org/x/text".to_string(), "v0.3.0".to_string()),
                ("github.com/c/b".to_string(), "v1.1.0".to_string())
            ]
        );
        let pkgs = build_info_packages(
            "app",
            &BuildInfo {
                go_version: "go1.19.8".into(),
                ..info
            },
        );
        let ids: Vec<_> = pkgs.iter().map(|p| p.id.clone()).collect();
        assert_eq!(
            ids,
            vec![
                "golang.org/x/text@v0.3.0",
                "github.com/c/b@v1.1.0",
                "stdlib@v1.19.8"
            ]
        );
    }

    #[test]
    fn go_mod() {
        let m = "module example.com/app\n\ngo 1.19\n\nrequire (\n\tgolang.org/x/text v0.3.0 // indirect\n\tgithub.com/a/b v1.0.0\n\texample.com/local v0.0.0\n)\nrequire github.com/x/y v2.0.0+incompatible\nreplace github.com/a/b => github.com/c/b v1.1.0\nreplace example.com/local => ../local\n";
        let ids: Vec<_> = parse_go_mod("go.mod", m)
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(
            ids,
            vec![
                "golang.org/x/text@v0.3.0",
                "github.com/c/b@v1.1.0",
                "github.com/x/y@v2.0.0+incompatible"
            ]
        );
        assert!(parse_go_mod("go.mod", "hello world").is_err());
    }

    #[test]
    fn a_marker_in_the_data_of_another_binary_is_not_go_build_info() {
        // This test binary holds MAGIC as a constant, in its data, and has
        // section headers without `.go.buildinfo`.
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        assert!(memfind(&me, MAGIC).is_some());
        assert!(read_build_info("self", &me).unwrap().is_none());
        assert!(GoBinaryAnalyzer.analyze("self", &me).unwrap().is_none());
        // Without section headers only an aligned marker counts.
        let mut blob = vec![0u8; 48];
        blob[3..3 + MAGIC.len()].copy_from_slice(MAGIC);
        assert_eq!(aligned_find(&blob, MAGIC), None);
        blob[16..16 + MAGIC.len()].copy_from_slice(MAGIC);
        assert_eq!(aligned_find(&blob, MAGIC), Some(16));
    }

    #[test]
    fn varints() {
        assert_eq!(read_uvarint(&[0x05]), Some((5, 1)));
        assert_eq!(read_uvarint(&[0x80, 0x01]), Some((128, 2)));
        assert_eq!(read_uvarint(&[0xff; 12]), None);
    }

    #[test]
    fn truncated() {
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = 2;
        h[5] = 1;
        h[0x28] = 0x40; // one section header right after the file's end
        h[0x3C] = 1;
        h[0x3A] = 64;
        assert!(super::super::elf::elf_truncated(&h));
        // Skipped quietly: lang/rustbinary warns (see lang::elf).
        let a = GoBinaryAnalyzer;
        assert!(a.analyze("x", &h).unwrap().is_none());
        assert!(a.analyze("x", b"\x7fELF\x02\x01").unwrap().is_none());
    }
}

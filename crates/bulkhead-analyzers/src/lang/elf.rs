//! What the binary analyzers (Go build info, cargo-auditable) share: which
//! files are candidate executables, and refusing truncated ELF files with one
//! warning per file: both analyzers read every candidate ELF file, so only
//! the one that runs first ([`crate::all`] puts cargo-auditable before Go)
//! warns ([`readable_elf`]), the other skips it quietly
//! ([`readable_elf_quiet`]).

use crate::AnalyzeError;

pub(crate) const ELF_MAGIC: &[u8] = b"\x7fELF";
/// Executables considered for embedded metadata (Go build info, auditable).
const MIN_BINARY: u64 = 1024;
const MAX_BINARY: u64 = 1024 * 1024 * 1024;

/// Whether a file looks like a candidate executable: any execute bit and a
/// plausible size. Content is checked by magic ([`crate::Analyzer::accepts`]).
pub(crate) fn executable_candidate(size: u64, mode: u32) -> bool {
    mode & 0o111 != 0 && (MIN_BINARY..=MAX_BINARY).contains(&size)
}

/// Whether a binary analyzer should read `content`: `Ok(false)` when it is
/// not an ELF file, an error (which the pipeline shows as a warning) when it
/// is a truncated one, whose metadata cannot be trusted to be whole.
pub(crate) fn readable_elf(path: &str, content: &[u8]) -> Result<bool, AnalyzeError> {
    if !content.starts_with(ELF_MAGIC) {
        return Ok(false);
    }
    if elf_truncated(content) {
        return Err(AnalyzeError::malformed(
            path,
            "truncated ELF file (section headers or contents past the end); not read",
        ));
    }
    Ok(true)
}

/// [`readable_elf`] without the warning, for the binary analyzer that runs
/// second on the same file: `false` for a non-ELF or truncated ELF file.
pub(crate) fn readable_elf_quiet(content: &[u8]) -> bool {
    content.starts_with(ELF_MAGIC) && !elf_truncated(content)
}

/// Whether the ELF section header table lies past the end of the file
/// (a truncated copy). Header offsets per the ELF specification.
pub(crate) fn elf_truncated(content: &[u8]) -> bool {
    let field = |off: usize, len: usize| -> Option<u64> {
        let b = content.get(off..off + len)?;
        let mut v: u64 = 0;
        let big = content.get(5) == Some(&2);
        for i in 0..len {
            let byte = u64::from(*b.get(if big { i } else { len - 1 - i })?);
            v = (v << 8) | byte;
        }
        Some(v)
    };
    let end = match content.get(4) {
        Some(1) => field(0x20, 4).zip(field(0x2E, 2)).zip(field(0x30, 2)),
        Some(2) => field(0x28, 8).zip(field(0x3A, 2)).zip(field(0x3C, 2)),
        _ => return true,
    };
    let len = content.len() as u64;
    match end {
        Some(((off, size), num)) if off.saturating_add(size.saturating_mul(num)) <= len => {}
        _ => return true,
    }
    // Section contents past the end (Go puts the headers first).
    use object::{Object, ObjectSection};
    match object::File::parse(content) {
        Ok(f) => f
            .sections()
            .filter_map(|s| s.file_range())
            .any(|(off, size)| off.saturating_add(size) > len),
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Analyzer;
    use crate::lang::{golang::GoBinaryAnalyzer, rust::AuditableAnalyzer};

    #[test]
    fn candidates() {
        assert!(executable_candidate(10_000, 0o755));
        assert!(!executable_candidate(10_000, 0o644));
        assert!(!executable_candidate(10, 0o755));
    }

    /// A 64-bit little-endian ELF header whose one section header lies just
    /// past the end of the file.
    fn truncated_header() -> Vec<u8> {
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(ELF_MAGIC);
        h[4] = 2;
        h[5] = 1;
        h[0x28] = 0x40;
        h[0x3C] = 1;
        h[0x3A] = 64;
        h
    }

    /// One warning per truncated ELF file: the binary analyzer that runs
    /// first in the pipeline's order warns, the other skips it quietly.
    #[test]
    fn one_binary_analyzer_warns_on_a_truncated_elf_file() {
        let h = truncated_header();
        assert!(elf_truncated(&h));
        let names: Vec<&str> = crate::all().iter().map(|a| a.name()).collect();
        let pos = |n: &str| names.iter().position(|x| *x == n).unwrap();
        assert!(pos(AuditableAnalyzer.name()) < pos(GoBinaryAnalyzer.name()));
        for content in [&h[..], b"\x7fELF\x02\x01\x01"] {
            let warnings: Vec<String> = crate::all()
                .iter()
                .filter(|a| a.required_file("usr/bin/x", 10_000, 0o755) && a.accepts(ELF_MAGIC))
                .filter_map(|a| {
                    a.analyze("usr/bin/x", content)
                        .err()
                        .map(|e| format!("{}: {e}", a.name()))
                })
                .collect();
            assert_eq!(
                warnings,
                vec![
                    "lang/rustbinary: usr/bin/x: truncated ELF file (section headers or contents past the end); not read"
                ]
            );
            assert!(
                GoBinaryAnalyzer
                    .analyze("usr/bin/x", content)
                    .unwrap()
                    .is_none()
            );
        }
        let analyzers: [&dyn Analyzer; 2] = [&GoBinaryAnalyzer, &AuditableAnalyzer];
        for a in analyzers {
            assert!(a.analyze("usr/bin/x", b"#!/bin/sh\n").unwrap().is_none());
        }
    }
}

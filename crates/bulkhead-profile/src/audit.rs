//! Reading kernel audit records of seccomp decisions: `type=SECCOMP` lines
//! of auditd's log and `audit: type=1326` lines of the kernel log (dmesg,
//! journald, syslog), as written under a profile whose action is
//! `SCMP_ACT_LOG`. Other lines are skipped, so a whole syslog can be passed.

use crate::table::Arch;
use std::collections::{BTreeMap, BTreeSet};

/// Why audit input was rejected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuditError {
    #[error(
        "no seccomp audit records (`type=SECCOMP` or `type=1326`) found; run the workload with `bulkhead seccomp generate --log-all` as its profile and pass the kernel log (`dmesg`, `journalctl -k`) or /var/log/audit/audit.log"
    )]
    NoRecords,
    #[error("line {line}: seccomp audit record without a valid `{field}=` field")]
    MissingField { line: usize, field: &'static str },
    #[error(
        "line {line}: arch={arch} is not covered (x86_64, x86, x32, aarch64, arm are); record the workload on one of those"
    )]
    UnknownArch { line: usize, arch: String },
    #[error(
        "line {line}: syscall number {nr} is not in the {arch:?} table; add its name with --syscalls if it is needed"
    )]
    UnknownNumber { line: usize, nr: u64, arch: Arch },
}

/// What the records show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditSyscalls {
    /// Syscall names seen, per architecture.
    pub by_arch: BTreeMap<Arch, BTreeSet<String>>,
    /// The command names (`comm=`) that made them.
    pub comms: BTreeSet<String>,
    /// How many records were read.
    pub records: usize,
}

impl AuditSyscalls {
    /// All names, whatever the architecture.
    pub fn names(&self) -> BTreeSet<String> {
        self.by_arch.values().flatten().cloned().collect()
    }
}

fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split_whitespace().find_map(|tok| {
        tok.strip_prefix(key)
            .and_then(|v| v.strip_prefix('='))
            .map(|v| v.trim_matches('"'))
    })
}

fn is_seccomp_record(line: &str) -> bool {
    line.split_whitespace()
        .any(|tok| tok == "type=SECCOMP" || tok == "type=1326")
}

/// Parse audit/syslog text.
pub fn parse(text: &str) -> Result<AuditSyscalls, AuditError> {
    let mut out = AuditSyscalls::default();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if !is_seccomp_record(line) {
            continue;
        }
        let arch_hex = field(line, "arch").ok_or(AuditError::MissingField {
            line: n,
            field: "arch",
        })?;
        let nr = field(line, "syscall")
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or(AuditError::MissingField {
                line: n,
                field: "syscall",
            })?;
        let arch = Arch::from_audit(arch_hex, nr).ok_or_else(|| AuditError::UnknownArch {
            line: n,
            arch: arch_hex.to_string(),
        })?;
        let name = arch
            .name_of(nr)
            .ok_or(AuditError::UnknownNumber { line: n, nr, arch })?;
        out.by_arch
            .entry(arch)
            .or_default()
            .insert(name.to_string());
        if let Some(comm) = field(line, "comm") {
            out.comms.insert(comm.to_string());
        }
        out.records += 1;
    }
    if out.records == 0 {
        return Err(AuditError::NoRecords);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auditd_and_kernel_forms() {
        let text = "\
type=SECCOMP msg=audit(1700000000.123:42): auid=1000 uid=0 gid=0 ses=1 subj=unconfined pid=99 comm=\"busybox\" exe=\"/bin/busybox\" sig=0 arch=c000003e syscall=257 compat=0 ip=0x4 code=0x7ffc0000AUID=\"u\"
[  617.06] audit: type=1326 audit(1795861147.258:3): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=10575 comm=\"runc:[2:INIT]\" exe=\"/\" sig=0 arch=c00000b7 syscall=221 compat=0 ip=0x46e3e3 code=0x7ffc0000
Nov 28 10:00:00 host kernel: some other line
type=SECCOMP msg=audit(1.1:1): arch=40000003 syscall=11 comm=\"sh\"
";
        let got = parse(text).unwrap();
        assert_eq!(got.records, 3);
        assert_eq!(
            got.names().into_iter().collect::<Vec<_>>(),
            ["execve", "openat"]
        );
        assert!(got.by_arch.contains_key(&Arch::Aarch64));
        assert!(got.comms.contains("runc:[2:INIT]"));
    }

    #[test]
    fn errors() {
        assert_eq!(parse("hello\n"), Err(AuditError::NoRecords));
        assert_eq!(
            parse("type=SECCOMP arch=c000003e\n"),
            Err(AuditError::MissingField {
                line: 1,
                field: "syscall"
            })
        );
        assert!(matches!(
            parse("type=SECCOMP arch=c0000015 syscall=1\n"),
            Err(AuditError::UnknownArch { .. })
        ));
        assert!(matches!(
            parse("type=1326 arch=c000003e syscall=99999\n"),
            Err(AuditError::UnknownNumber { nr: 99999, .. })
        ));
    }
}

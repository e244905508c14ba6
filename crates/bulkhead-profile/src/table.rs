//! Syscall names and numbers per architecture, from the `syscalls` crate
//! (tables generated from the kernel's syscall tables). Nothing here is typed
//! by hand except the five `AUDIT_ARCH_*` constants of `<linux/audit.h>`,
//! which no maintained crate exports.

use std::collections::BTreeSet;

/// The architectures Bulkhead's profiles cover: x86_64 and aarch64 with their
/// 32-bit companions (the same `archMap` Docker's default uses for them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Arch {
    X86_64,
    X86,
    X32,
    Aarch64,
    Arm,
}

/// Set on x32 syscall numbers (`__X32_SYSCALL_BIT`).
const X32_SYSCALL_BIT: u64 = 0x4000_0000;

impl Arch {
    pub const ALL: [Arch; 5] = [Arch::X86_64, Arch::X86, Arch::X32, Arch::Aarch64, Arch::Arm];

    /// The libseccomp name (`SCMP_ARCH_*`).
    pub fn scmp_name(self) -> &'static str {
        match self {
            Arch::X86_64 => "SCMP_ARCH_X86_64",
            Arch::X86 => "SCMP_ARCH_X86",
            Arch::X32 => "SCMP_ARCH_X32",
            Arch::Aarch64 => "SCMP_ARCH_AARCH64",
            Arch::Arm => "SCMP_ARCH_ARM",
        }
    }

    /// The name Docker uses in `includes.arches` / `excludes.arches`.
    pub fn docker_name(self) -> &'static str {
        match self {
            Arch::X86_64 => "amd64",
            Arch::X86 => "x86",
            Arch::X32 => "x32",
            Arch::Aarch64 => "arm64",
            Arch::Arm => "arm",
        }
    }

    /// The architecture of an audit record's `arch=` field (hex
    /// `AUDIT_ARCH_*`) and syscall number. x32 shares x86_64's audit arch and
    /// is told apart by the x32 bit in the number.
    pub fn from_audit(arch_hex: &str, nr: u64) -> Option<Arch> {
        let arch = u32::from_str_radix(arch_hex.trim_start_matches("0x"), 16).ok()?;
        match arch {
            0xc000_003e if nr & X32_SYSCALL_BIT != 0 => Some(Arch::X32),
            0xc000_003e => Some(Arch::X86_64),
            0x4000_0003 => Some(Arch::X86),
            0xc000_00b7 => Some(Arch::Aarch64),
            0x4000_0028 => Some(Arch::Arm),
            _ => None,
        }
    }

    /// The syscall with number `nr` on this architecture.
    pub fn name_of(self, nr: u64) -> Option<&'static str> {
        let n = usize::try_from(nr).ok()?;
        match self {
            Arch::X86_64 => syscalls::x86_64::Sysno::new(n).map(|s| s.name()),
            Arch::X86 => syscalls::x86::Sysno::new(n).map(|s| s.name()),
            // x32 numbers are x86_64's with the x32 bit set; the x32-only
            // compat entries (512 and up) are not in the tables.
            Arch::X32 => {
                let base = usize::try_from(nr & !X32_SYSCALL_BIT).ok()?;
                if base >= 512 {
                    return None;
                }
                syscalls::x86_64::Sysno::new(base).map(|s| s.name())
            }
            Arch::Aarch64 => syscalls::aarch64::Sysno::new(n).map(|s| s.name()),
            Arch::Arm => syscalls::arm::Sysno::new(n).map(|s| s.name()),
        }
    }

    /// The number of syscall `name` on this architecture.
    pub fn number_of(self, name: &str) -> Option<u64> {
        let id = match self {
            Arch::X86_64 => name.parse::<syscalls::x86_64::Sysno>().ok()?.id(),
            Arch::X86 => name.parse::<syscalls::x86::Sysno>().ok()?.id(),
            Arch::X32 => {
                let id = name.parse::<syscalls::x86_64::Sysno>().ok()?.id();
                return u64::try_from(id).ok().map(|n| n | X32_SYSCALL_BIT);
            }
            Arch::Aarch64 => name.parse::<syscalls::aarch64::Sysno>().ok()?.id(),
            Arch::Arm => name.parse::<syscalls::arm::Sysno>().ok()?.id(),
        };
        u64::try_from(id).ok()
    }

    /// Every syscall name of this architecture.
    pub fn names(self) -> Vec<&'static str> {
        match self {
            Arch::X86_64 | Arch::X32 => syscalls::x86_64::Sysno::iter().map(|s| s.name()).collect(),
            Arch::X86 => syscalls::x86::Sysno::iter().map(|s| s.name()).collect(),
            Arch::Aarch64 => syscalls::aarch64::Sysno::iter().map(|s| s.name()).collect(),
            Arch::Arm => syscalls::arm::Sysno::iter().map(|s| s.name()).collect(),
        }
    }
}

/// True when `name` is a syscall on at least one covered architecture.
pub fn is_known(name: &str) -> bool {
    Arch::ALL.iter().any(|a| a.number_of(name).is_some())
}

/// Every syscall name of every covered architecture, sorted.
pub fn all_names() -> BTreeSet<&'static str> {
    Arch::ALL.iter().flat_map(|a| a.names()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        assert_eq!(Arch::X86_64.name_of(257), Some("openat"));
        assert_eq!(Arch::X86_64.number_of("execve"), Some(59));
        assert_eq!(Arch::Aarch64.name_of(56), Some("openat"));
        assert_eq!(Arch::Aarch64.number_of("open"), None);
        assert_eq!(Arch::X86.name_of(11), Some("execve"));
        assert_eq!(Arch::Arm.number_of("execve"), Some(11));
        assert_eq!(Arch::X32.name_of(0x4000_0000 | 257), Some("openat"));
        assert_eq!(Arch::X32.name_of(0x4000_0000 | 520), None);
    }

    #[test]
    fn audit_arches() {
        assert_eq!(Arch::from_audit("c000003e", 1), Some(Arch::X86_64));
        assert_eq!(Arch::from_audit("c000003e", 0x4000_0001), Some(Arch::X32));
        assert_eq!(Arch::from_audit("40000003", 1), Some(Arch::X86));
        assert_eq!(Arch::from_audit("c00000b7", 1), Some(Arch::Aarch64));
        assert_eq!(Arch::from_audit("40000028", 1), Some(Arch::Arm));
        assert_eq!(Arch::from_audit("c0000015", 1), None);
        assert_eq!(Arch::from_audit("zz", 1), None);
    }

    #[test]
    fn known_names() {
        assert!(is_known("openat"));
        assert!(is_known("mmap2"));
        assert!(!is_known("opnat"));
        assert!(all_names().len() > 400);
    }
}

//! Linux capability masks: decoding, names, Docker's default set.
//!
//! Names and bit numbers come from the `caps` crate's [`caps::Capability`]
//! enum (kernel bits 0–40), never from a hand-typed table. Bits the crate does
//! not know are shown as their number, as `capsh --decode` does.

use bulkhead_types::caps::{CapMask, ProcSets};
use caps::Capability;
use serde::Serialize;
use std::collections::BTreeSet;

/// Docker's default capability set (moby `oci/caps/defaults.go`), as enum
/// values: the bits come from the `caps` crate.
pub const DOCKER_DEFAULT: [Capability; 14] = [
    Capability::CAP_CHOWN,
    Capability::CAP_DAC_OVERRIDE,
    Capability::CAP_FSETID,
    Capability::CAP_FOWNER,
    Capability::CAP_MKNOD,
    Capability::CAP_NET_RAW,
    Capability::CAP_SETGID,
    Capability::CAP_SETUID,
    Capability::CAP_SETFCAP,
    Capability::CAP_SETPCAP,
    Capability::CAP_NET_BIND_SERVICE,
    Capability::CAP_SYS_CHROOT,
    Capability::CAP_KILL,
    Capability::CAP_AUDIT_WRITE,
];

/// Capabilities that amount to a container escape or host control when added
/// (capabilities.md "high" column, docker-bench community checks C.5.3.x).
pub const HIGH_RISK: [Capability; 8] = [
    Capability::CAP_DAC_READ_SEARCH,
    Capability::CAP_NET_ADMIN,
    Capability::CAP_SYS_MODULE,
    Capability::CAP_SYS_RAWIO,
    Capability::CAP_SYS_PTRACE,
    Capability::CAP_SYS_ADMIN,
    Capability::CAP_MAC_ADMIN,
    Capability::CAP_BPF,
];

/// Bitmask of [`DOCKER_DEFAULT`] (`0x00000000a80425fb`).
pub fn docker_default_mask() -> u64 {
    DOCKER_DEFAULT.iter().fold(0, |m, c| m | c.bitmask())
}

/// Bitmask of every capability the `caps` crate knows (bits 0–40).
pub fn all_known_mask() -> u64 {
    caps::all().iter().fold(0, |m, c| m | c.bitmask())
}

/// The capability with kernel bit `bit`, if the `caps` crate knows it.
pub fn by_bit(bit: u8) -> Option<Capability> {
    caps::all().into_iter().find(|c| c.index() == bit)
}

/// Parse a capability name as Docker accepts it: with or without `CAP_`,
/// any case (`sys_admin`, `CAP_SYS_ADMIN`). `ALL` is not a capability: see
/// [`CapName`].
pub fn parse_name(name: &str) -> Option<Capability> {
    let upper = name.trim().to_ascii_uppercase();
    let full = if upper.starts_with("CAP_") {
        upper
    } else {
        format!("CAP_{upper}")
    };
    full.parse().ok()
}

/// A `--cap-add`/`--cap-drop` entry after normalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CapName {
    /// `ALL`.
    All,
    /// One known capability.
    Cap(Capability),
}

impl CapName {
    fn rank(self) -> u16 {
        match self {
            CapName::All => 0,
            CapName::Cap(c) => 1 + u16::from(c.index()),
        }
    }
}

impl PartialOrd for CapName {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CapName {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

impl std::fmt::Display for CapName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CapName::All => f.write_str("ALL"),
            CapName::Cap(c) => write!(f, "{c}"),
        }
    }
}

impl Serialize for CapName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl CapName {
    /// Normalise a `HostConfig.CapAdd`/`CapDrop` entry; `None` for names
    /// neither Docker nor the kernel know.
    pub fn parse(raw: &str) -> Option<CapName> {
        let t = raw.trim();
        if t.eq_ignore_ascii_case("ALL") || t.eq_ignore_ascii_case("CAP_ALL") {
            return Some(CapName::All);
        }
        parse_name(t).map(CapName::Cap)
    }
}

/// Lower-case name as `capsh` prints it (`cap_sys_admin`), or the bit number
/// for bits the `caps` crate does not know.
pub fn capsh_name(bit: u8) -> String {
    match by_bit(bit) {
        Some(c) => c.to_string().to_ascii_lowercase(),
        None => bit.to_string(),
    }
}

/// Error parsing a hexadecimal capability mask.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "`{0}` is not a capability mask: give up to 16 hexadecimal digits, with or without 0x (e.g. 00000000a80425fb)"
)]
pub struct BadMask(pub String);

/// Parse a mask as written in `/proc/PID/status` or given to `capsh
/// --decode`: hexadecimal, with or without `0x`, at most 64 bits.
pub fn parse_mask(text: &str) -> Result<u64, BadMask> {
    let t = text.trim();
    let digits = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    if digits.is_empty() || digits.len() > 16 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(BadMask(text.to_string()));
    }
    u64::from_str_radix(digits, 16).map_err(|_| BadMask(text.to_string()))
}

pub use bulkhead_types::caps::CapBit;

/// The set bits of `mask`, lowest first.
pub fn decode(mask: u64) -> Vec<CapBit> {
    (0u8..64)
        .filter(|b| mask >> b & 1 == 1)
        .map(|bit| {
            let cap = by_bit(bit);
            CapBit {
                bit,
                name: cap.map_or_else(|| format!("CAP_{bit}"), |c| c.to_string()),
                docker_default: cap.is_some_and(|c| DOCKER_DEFAULT.contains(&c)),
                high_risk: cap.is_some_and(|c| HIGH_RISK.contains(&c)),
            }
        })
        .collect()
}

/// The line `capsh --decode=MASK` prints:
/// `0x00000000a80425fb=cap_chown,cap_dac_override,…`.
pub fn capsh_line(mask: u64) -> String {
    let names: Vec<String> = (0u8..64)
        .filter(|b| mask >> b & 1 == 1)
        .map(capsh_name)
        .collect();
    format!("0x{mask:016x}={}", names.join(","))
}

/// Mask of a set of capabilities.
pub fn mask_of<'a>(caps: impl IntoIterator<Item = &'a Capability>) -> u64 {
    caps.into_iter().fold(0, |m, c| m | c.bitmask())
}

/// Sorted `CAP_…` names of the bits in `mask`.
pub fn names(mask: u64) -> Vec<String> {
    decode(mask).into_iter().map(|b| b.name).collect()
}

/// `mask` decoded for display: its `capsh` line and its bits.
pub fn view(mask: u64) -> CapMask {
    CapMask {
        mask,
        capsh: capsh_line(mask),
        bits: decode(mask),
    }
}

/// A container's capabilities (from [`crate::engine::container_caps`])
/// decoded for display.
pub fn container_view(caps: &crate::engine::ContainerCaps) -> bulkhead_types::caps::ContainerCaps {
    bulkhead_types::caps::ContainerCaps {
        name: caps.name.clone(),
        id: caps.id.clone(),
        pid: caps.pid,
        privileged: caps.privileged,
        cap_add: caps.cap_add.clone(),
        cap_drop: caps.cap_drop.clone(),
        expected_bounding: view(caps.expected_bounding),
        process: caps.process.map(|p| p.view()),
        process_note: caps.process_note.clone(),
    }
}

/// The capability sets of one process, from `/proc/PID/status`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ProcCaps {
    pub inheritable: u64,
    pub permitted: u64,
    pub effective: u64,
    pub bounding: u64,
    pub ambient: u64,
}

impl ProcCaps {
    /// The five sets decoded for display.
    pub fn view(&self) -> ProcSets {
        ProcSets {
            effective: view(self.effective),
            permitted: view(self.permitted),
            bounding: view(self.bounding),
            inheritable: view(self.inheritable),
            ambient: view(self.ambient),
        }
    }

    /// Parse the `Cap*:` lines of `/proc/PID/status`. Missing lines read as 0
    /// (`CapAmb` is absent before Linux 4.3); a malformed value is an error.
    pub fn parse_status(text: &str) -> Result<ProcCaps, BadMask> {
        let mut out = ProcCaps::default();
        for line in text.lines() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let slot = match key.trim() {
                "CapInh" => &mut out.inheritable,
                "CapPrm" => &mut out.permitted,
                "CapEff" => &mut out.effective,
                "CapBnd" => &mut out.bounding,
                "CapAmb" => &mut out.ambient,
                _ => continue,
            };
            *slot = parse_mask(value)?;
        }
        Ok(out)
    }
}

/// Sorted, de-duplicated set of capabilities as a mask-friendly collection.
pub fn to_set(mask: u64) -> BTreeSet<u8> {
    (0u8..64).filter(|b| mask >> b & 1 == 1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_mask_matches_reference() {
        assert_eq!(docker_default_mask(), 0x0000_0000_a804_25fb);
    }

    #[test]
    fn capsh_line_matches_capsh() {
        // Output of `capsh --decode=a80425fb` (libcap 2.66).
        assert_eq!(
            capsh_line(0xa80425fb),
            "0x00000000a80425fb=cap_chown,cap_dac_override,cap_fowner,cap_fsetid,cap_kill,cap_setgid,cap_setuid,cap_setpcap,cap_net_bind_service,cap_net_raw,cap_sys_chroot,cap_mknod,cap_audit_write,cap_setfcap"
        );
        assert_eq!(capsh_line(0), "0x0000000000000000=");
        assert_eq!(capsh_line(1 << 44), "0x0000100000000000=44");
    }

    #[test]
    fn all_caps_mask() {
        assert_eq!(all_known_mask(), 0x0000_01ff_ffff_ffff);
        let line = capsh_line(0x1ff_ffff_ffff);
        assert!(line.ends_with("cap_perfmon,cap_bpf,cap_checkpoint_restore"));
    }

    #[test]
    fn parse_mask_forms() {
        assert_eq!(parse_mask("0xa80425fb"), Ok(0xa80425fb));
        assert_eq!(parse_mask("00000000a80425fb"), Ok(0xa80425fb));
        assert_eq!(parse_mask(" 0XFF "), Ok(0xff));
        assert!(parse_mask("").is_err());
        assert!(parse_mask("0x").is_err());
        assert!(parse_mask("xyz").is_err());
        assert!(parse_mask("+ff").is_err());
        assert!(parse_mask("1ffffffffffffffff").is_err());
    }

    #[test]
    fn decode_flags_default_and_risk() {
        let bits = decode((1 << 21) | 1);
        assert_eq!(bits.len(), 2);
        assert_eq!(bits[0].name, "CAP_CHOWN");
        assert!(bits[0].docker_default);
        assert_eq!(bits[1].name, "CAP_SYS_ADMIN");
        assert!(!bits[1].docker_default && bits[1].high_risk);
        assert_eq!(decode(1 << 63)[0].name, "CAP_63");
    }

    #[test]
    fn names_as_docker_accepts_them() {
        assert_eq!(parse_name("sys_admin"), Some(Capability::CAP_SYS_ADMIN));
        assert_eq!(parse_name("CAP_NET_RAW"), Some(Capability::CAP_NET_RAW));
        assert_eq!(parse_name("Cap_Kill"), Some(Capability::CAP_KILL));
        assert_eq!(parse_name("nonsense"), None);
        assert_eq!(CapName::parse("all"), Some(CapName::All));
    }

    #[test]
    fn proc_status() {
        let text = "Name:\tsh\nCapInh:\t0000000000000000\nCapPrm:\t00000000a80425fb\nCapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\nCapAmb:\t0000000000000000\n";
        let c = ProcCaps::parse_status(text).unwrap();
        assert_eq!(c.effective, 0xa80425fb);
        assert_eq!(c.ambient, 0);
        assert!(ProcCaps::parse_status("CapEff:\tzz\n").is_err());
    }
}

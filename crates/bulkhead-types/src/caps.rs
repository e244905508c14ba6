//! Decoded Linux capability masks, as plain data: what `bulkhead caps`
//! renders. The decoding itself (names and bits from the `caps` crate,
//! Docker's default set) lives in `bulkhead_audit::capabilities`.

use serde::Serialize;

/// One bit of a decoded mask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CapBit {
    /// Kernel bit number.
    pub bit: u8,
    /// `CAP_…` name, or `CAP_<bit>` when unknown.
    pub name: String,
    /// In Docker's default set.
    pub docker_default: bool,
    /// In the high-risk set (`bulkhead_audit::capabilities::HIGH_RISK`).
    pub high_risk: bool,
}

/// A mask with its set bits decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapMask {
    /// The mask.
    pub mask: u64,
    /// The line `capsh --decode=MASK` prints.
    pub capsh: String,
    /// The set bits, lowest first.
    pub bits: Vec<CapBit>,
}

impl CapMask {
    /// `CAP_…` names of the set bits, lowest first.
    pub fn names(&self) -> Vec<String> {
        self.bits.iter().map(|b| b.name.clone()).collect()
    }

    /// Names of the set bits beyond Docker's default set.
    pub fn beyond_default(&self) -> Vec<String> {
        self.bits
            .iter()
            .filter(|b| !b.docker_default)
            .map(|b| b.name.clone())
            .collect()
    }
}

/// The capability sets of one process (`/proc/PID/status`), decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcSets {
    pub effective: CapMask,
    pub permitted: CapMask,
    pub bounding: CapMask,
    pub inheritable: CapMask,
    pub ambient: CapMask,
}

/// A running container's capabilities, decoded for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerCaps {
    pub name: String,
    pub id: String,
    pub pid: i64,
    pub privileged: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    /// Bounding set Docker should have applied, from the settings alone.
    pub expected_bounding: CapMask,
    /// The init process's sets, when readable.
    pub process: Option<ProcSets>,
    /// Why `process` is missing.
    pub process_note: Option<String>,
}

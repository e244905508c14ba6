//! No memory limit (CIS 5.11, BH-CO-017). 0 means unlimited.
use crate::{Control, Finding, Hit, Observations, Proposed};
use bulkhead_types::ContainerSpec;

/// `268435456` → `256m` (the spelling every command shares).
pub use bulkhead_types::human_bytes;

pub static CONTROL: Control = Control {
    name: "memory-limit",
    title: "No memory limit",
    lint: &["BH-CO-017"],
    cis: &["5.11"],
};

pub fn check(s: &ContainerSpec) -> Option<Finding> {
    if s.memory_limited().is_some() {
        return None;
    }
    Finding::one(
        &CONTROL,
        Hit {
            value: "unlimited".into(),
            key: "mem_limit",
            line: s.line,
            index: 0,
        },
    )
}

const MIB: u64 = 1024 * 1024;

/// The limit to set: the one in force, else twice the memory in use now
/// (at least `default`, rounded up to 64 MiB), else `default`. `source` is
/// how the reason names the input (`the container`).
pub fn propose(s: &ContainerSpec, obs: &Observations, default: u64, source: &str) -> Proposed<u64> {
    propose_from(s.memory, obs, default, source)
}

/// [`propose`] from the configured value alone (as given: values ≤ 0 are
/// unlimited).
pub fn propose_from(
    current: Option<u64>,
    obs: &Observations,
    default: u64,
    source: &str,
) -> Proposed<u64> {
    match (current.filter(|n| *n > 0), obs.memory_usage) {
        (Some(m), _) => Proposed {
            value: m,
            why: format!("set already in {source}; kept"),
        },
        (None, Some(used)) => {
            let step = 64 * MIB;
            let want = used
                .saturating_mul(2)
                .div_ceil(step)
                .saturating_mul(step)
                .max(default);
            Proposed {
                value: want,
                why: format!(
                    "no limit set; {} in use now: twice that, at least {}, rounded to 64m; check `docker stats` under real load",
                    human_bytes(used),
                    human_bytes(default)
                ),
            }
        }
        (None, None) => Proposed {
            value: default,
            why: "no limit set; a starting point that keeps one container from exhausting the host: check `docker stats` under real load and adjust".into(),
        },
    }
}

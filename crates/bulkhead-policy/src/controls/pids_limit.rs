//! No PIDs limit (CIS 5.29, BH-CO-019). Docker reads 0 and -1 (any value
//! ≤ 0) as unlimited, as does an unset limit.
use crate::{Control, Finding, Hit, Observations, Proposed};
use bulkhead_types::ContainerSpec;

pub static CONTROL: Control = Control {
    name: "pids-limit",
    title: "No PIDs limit",
    lint: &["BH-CO-019"],
    cis: &["5.29"],
};

pub fn check(s: &ContainerSpec) -> Option<Finding> {
    if s.pids_limited().is_some() {
        return None;
    }
    Finding::one(
        &CONTROL,
        Hit {
            // Unset, 0 and -1 are the same fact: unlimited.
            value: "unlimited".into(),
            key: "pids_limit",
            line: s.line,
            index: 0,
        },
    )
}

/// The limit to set: the one in force, else four times the processes now
/// (at least `default`, rounded up to 32), else `default`.
pub fn propose(s: &ContainerSpec, obs: &Observations, default: i64, source: &str) -> Proposed<i64> {
    propose_from(s.pids_limit, obs, default, source)
}

/// [`propose`] from the configured value alone (as given: values ≤ 0 are
/// unlimited).
pub fn propose_from(
    current: Option<i64>,
    obs: &Observations,
    default: i64,
    source: &str,
) -> Proposed<i64> {
    match (current.filter(|n| *n > 0), obs.pids) {
        (Some(n), _) => Proposed {
            value: n,
            why: format!("set already in {source}; kept"),
        },
        (None, Some(now)) => {
            let want = i64::try_from(now.saturating_mul(4).div_ceil(32).saturating_mul(32))
                .unwrap_or(i64::MAX)
                .max(default);
            Proposed {
                value: want,
                why: format!(
                    "no limit set; {now} processes/threads now: four times that, at least {default}, stops fork bombs"
                ),
            }
        }
        (None, None) => Proposed {
            value: default,
            why: "no limit set; a bound on processes stops fork bombs (raise it for programs with many threads)".into(),
        },
    }
}

//! Section 5, resources: memory (5.11), CPU (5.12), devices (5.18), ulimits
//! (5.19), cgroup parent (5.25), PIDs limit (5.29).

use super::{Check, Run, Verdict, settings, spec};
use crate::snapshot::{ContainerFacts, Snapshot};
use bulkhead_policy::controls;
use bulkhead_types::Severity;

fn memory(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let m = settings(c).limits.memory;
    Verdict::warn_if(
        controls::memory_limit::check(&spec(c)).is_some(),
        format!("HostConfig.Memory={}", m.unwrap_or(0)),
    )
}

fn cpu(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let l = &settings(c).limits;
    Verdict::warn_if(
        controls::cpu_limit::check(&spec(c)).is_some(),
        format!(
            "HostConfig.CpuShares={} NanoCpus={} CpuQuota={} CpusetCpus={:?}",
            l.cpu_shares.unwrap_or(0),
            l.nano_cpus.unwrap_or(0),
            l.cpu_quota.unwrap_or(0),
            l.cpuset_cpus.clone().unwrap_or_default()
        ),
    )
}

/// Devices passed in, and device cgroup rules broad enough to reach any
/// device of a kind (Compose rules BH-CO-016 and BH-CO-029).
fn devices(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let d = &settings(c).devices;
    let spec = spec(c);
    let rules: Vec<String> = controls::device_cgroup_rules::check(&spec)
        .into_iter()
        .flat_map(|f| f.hits)
        .map(|h| h.value)
        .collect();
    if controls::devices::check(&spec).is_none() && rules.is_empty() {
        return Verdict::pass("HostConfig.Devices=[]");
    }
    let mut evidence = format!("HostConfig.Devices={d:?}");
    if !rules.is_empty() {
        evidence.push_str(&format!(" DeviceCgroupRules={rules:?}"));
    }
    Verdict::info(evidence).with_message("host devices exposed: confirm each is needed")
}

fn ulimits(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let u = &settings(c).limits.ulimits;
    if u.is_empty() {
        Verdict::pass("HostConfig.Ulimits=[] (daemon defaults apply)")
    } else {
        let list: Vec<String> = u
            .iter()
            .map(|u| format!("{}={}:{}", u.name, u.soft, u.hard))
            .collect();
        Verdict::info(format!("HostConfig.Ulimits={list:?}"))
            .with_message("ulimits overridden: confirm each override is needed")
    }
}

fn cgroup_parent(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let p = &settings(c).cgroup_parent;
    Verdict::warn_if(!p.is_empty(), format!("HostConfig.CgroupParent={p:?}"))
}

fn pids(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let p = settings(c).limits.pids;
    Verdict::warn_if(
        controls::pids_limit::check(&spec(c)).is_some(),
        format!(
            "HostConfig.PidsLimit={}",
            p.map_or("unlimited".to_string(), |n| n.to_string())
        ),
    )
}

pub(super) static CHECKS: &[Check] = &[
    Check {
        id: "AUDIT-5.11",
        cis: "5.11",
        title: "Memory usage limited",
        description: "HostConfig.Memory=0 (unlimited) is flagged.",
        resolution: "Run with --memory (e.g. --memory 256m).",
        severity: Severity::Medium,
        run: Run::Container(memory),
    },
    Check {
        id: "AUDIT-5.12",
        cis: "5.12",
        title: "CPU priority set appropriately",
        description: "Flagged when no CPU control is set. docker-bench looks only at CpuShares and NanoCpus; we also accept CpuQuota (--cpu-quota) and CpusetCpus (--cpuset-cpus).",
        resolution: "Run with --cpus, --cpu-shares, --cpu-quota or --cpuset-cpus.",
        severity: Severity::Low,
        run: Run::Container(cpu),
    },
    Check {
        id: "AUDIT-5.18",
        cis: "5.18",
        title: "Host devices not directly exposed",
        description: "Manual: HostConfig.Devices entries, and DeviceCgroupRules that allow every device of a kind (type a or major *; Compose rule BH-CO-029), are listed as INFO.",
        resolution: "Pass only the devices needed, with the narrowest permissions (e.g. --device /dev/x:/dev/x:r).",
        severity: Severity::Medium,
        run: Run::Container(devices),
    },
    Check {
        id: "AUDIT-5.19",
        cis: "5.19",
        title: "Default ulimit overwritten only if needed",
        description: "Manual: containers that override ulimits are listed as INFO. docker-bench's test is inverted: it lists containers that do NOT override them.",
        resolution: "Rely on the daemon's default ulimits; override per container only when required.",
        severity: Severity::Low,
        run: Run::Container(ulimits),
    },
    Check {
        id: "AUDIT-5.25",
        cis: "5.25",
        title: "Container cgroup usage confirmed",
        description: "A custom HostConfig.CgroupParent is flagged.",
        resolution: "Do not use --cgroup-parent unless required; keep the default cgroup.",
        severity: Severity::Low,
        run: Run::Container(cgroup_parent),
    },
    Check {
        id: "AUDIT-5.29",
        cis: "5.29",
        title: "PIDs cgroup limit used",
        description: "HostConfig.PidsLimit null, 0 or -1 (unlimited) is flagged.",
        resolution: "Run with --pids-limit (e.g. --pids-limit 100).",
        severity: Severity::Medium,
        run: Run::Container(pids),
    },
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::runtime::RuntimeSettings;
    use bulkhead_types::MisconfStatus;

    fn facts(devices: &[&str], rules: &[&str]) -> ContainerFacts {
        ContainerFacts {
            settings: RuntimeSettings {
                devices: devices.iter().map(|d| d.to_string()).collect(),
                device_cgroup_rules: rules.iter().map(|r| r.to_string()).collect(),
                ..RuntimeSettings::default()
            },
            processes: None,
        }
    }

    /// 5.18 reads devices like Compose rule BH-CO-016 and device cgroup
    /// rules like BH-CO-029.
    #[test]
    fn devices_and_broad_cgroup_rules() {
        let snap = Snapshot::default();
        let v = |d: &[&str], r: &[&str]| {
            let v = devices(&facts(d, r), &snap);
            (v.status, v.evidence)
        };
        let pass = (MisconfStatus::Pass, "HostConfig.Devices=[]".to_string());
        assert_eq!(v(&[], &[]), pass);
        assert_eq!(v(&[], &["c 1:3 rwm"]), pass);
        assert_eq!(
            v(&["/dev/fuse"], &[]),
            (
                MisconfStatus::Info,
                "HostConfig.Devices=[\"/dev/fuse\"]".to_string()
            )
        );
        assert_eq!(
            v(&[], &["c 1:3 rwm", "a *:* rwm"]),
            (
                MisconfStatus::Info,
                "HostConfig.Devices=[] DeviceCgroupRules=[\"a *:* rwm\"]".to_string()
            )
        );
    }
}

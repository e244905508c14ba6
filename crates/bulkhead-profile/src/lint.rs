//! Checks on a seccomp profile. Each finding is a `Misconfiguration` with a
//! stable id:
//!
//! | id | check |
//! |---|---|
//! | `BHSC001` | no seccomp filter at all (`unconfined`) |
//! | `BHSC002` | `defaultAction` allows everything not listed (`SCMP_ACT_ALLOW`) |
//! | `BHSC003` | `defaultAction` logs but allows everything not listed (`SCMP_ACT_LOG`) |
//! | `BHSC004` | a dangerous syscall is allowed without an argument filter or capability condition |
//! | `BHSC005` | a rule names a syscall unknown on x86_64, x86, aarch64 and arm (typo?) |

use crate::model::{Profile, Rule, action_allows};
use crate::table;
use bulkhead_types::{CauseMetadata, Mappings, MisconfStatus, Misconfiguration, Severity};

/// Syscalls that give a container a way to the kernel or the host, with the
/// severity of allowing them unfiltered and why. Policy, so written here.
pub const DANGEROUS: &[(&str, Severity, &str)] = &[
    (
        "add_key",
        Severity::Medium,
        "kernel keyrings are not namespaced",
    ),
    ("bpf", Severity::High, "loads eBPF programs into the kernel"),
    (
        "clock_settime",
        Severity::Medium,
        "changes the host's clock",
    ),
    ("create_module", Severity::Critical, "kernel module loading"),
    (
        "delete_module",
        Severity::Critical,
        "unloads host kernel modules",
    ),
    (
        "finit_module",
        Severity::Critical,
        "loads kernel modules into the host kernel",
    ),
    (
        "init_module",
        Severity::Critical,
        "loads kernel modules into the host kernel",
    ),
    ("ioperm", Severity::High, "raw I/O port access"),
    ("iopl", Severity::High, "raw I/O port access"),
    (
        "kexec_file_load",
        Severity::Critical,
        "replaces the running kernel",
    ),
    (
        "kexec_load",
        Severity::Critical,
        "replaces the running kernel",
    ),
    (
        "keyctl",
        Severity::Medium,
        "kernel keyrings are not namespaced",
    ),
    (
        "lookup_dcookie",
        Severity::Medium,
        "kernel profiling interface",
    ),
    (
        "mount",
        Severity::High,
        "mounts filesystems; a classic escape path",
    ),
    ("move_mount", Severity::High, "new mount API; escape path"),
    (
        "name_to_handle_at",
        Severity::Low,
        "file handles; pair of open_by_handle_at",
    ),
    (
        "open_by_handle_at",
        Severity::Critical,
        "opens host files by handle (the \"shocker\" escape)",
    ),
    ("open_tree", Severity::High, "new mount API; escape path"),
    (
        "perf_event_open",
        Severity::High,
        "kernel performance events leak host data and widen the attack surface",
    ),
    (
        "personality",
        Severity::Medium,
        "can turn off ASLR and enable legacy behaviour",
    ),
    ("pivot_root", Severity::High, "changes the root mount"),
    (
        "process_vm_readv",
        Severity::Medium,
        "reads other processes' memory",
    ),
    (
        "process_vm_writev",
        Severity::Medium,
        "writes other processes' memory",
    ),
    (
        "ptrace",
        Severity::Medium,
        "inspects and controls other processes; seccomp bypass on kernels before 4.8",
    ),
    ("quotactl", Severity::Medium, "filesystem quota control"),
    (
        "reboot",
        Severity::High,
        "reboots the host or loads a kernel",
    ),
    (
        "request_key",
        Severity::Medium,
        "kernel keyrings are not namespaced",
    ),
    ("setns", Severity::High, "joins other namespaces"),
    ("settimeofday", Severity::Medium, "changes the host's clock"),
    ("swapoff", Severity::Medium, "host swap control"),
    ("swapon", Severity::Medium, "host swap control"),
    (
        "syslog",
        Severity::Medium,
        "reads the kernel log (kernel addresses)",
    ),
    ("umount", Severity::High, "unmounts filesystems"),
    (
        "umount2",
        Severity::High,
        "unmounts filesystems; exposes what mounts hide",
    ),
    (
        "unshare",
        Severity::High,
        "creates namespaces (user namespaces expose kernel attack surface)",
    ),
    ("uselib", Severity::Medium, "obsolete library loading"),
    (
        "userfaultfd",
        Severity::Medium,
        "used to win kernel race conditions in exploits",
    ),
];

fn finding(
    id: &str,
    severity: Severity,
    title: &str,
    message: String,
    resolution: &str,
    evidence: String,
) -> Misconfiguration {
    Misconfiguration {
        id: id.into(),
        mappings: Mappings::default(),
        title: title.into(),
        description: String::new(),
        message,
        resolution: resolution.into(),
        severity,
        status: MisconfStatus::Fail,
        cause_metadata: CauseMetadata {
            start_line: None,
            end_line: None,
            evidence,
        },
    }
}

/// The finding for a container or profile with no filter.
pub fn unconfined() -> Misconfiguration {
    finding(
        "BHSC001",
        Severity::Critical,
        "No seccomp filter (unconfined)",
        "seccomp is disabled: every syscall of the kernel is reachable".into(),
        "Drop `seccomp=unconfined`; use Docker's default or a generated profile (`bulkhead seccomp generate`)",
        "unconfined".into(),
    )
}

/// Lint a parsed profile.
pub fn lint(profile: &Profile) -> Vec<Misconfiguration> {
    let mut out = Vec::new();
    let default_allows = action_allows(&profile.default_action);
    match profile.default_action.as_str() {
        "SCMP_ACT_ALLOW" => out.push(finding(
            "BHSC002",
            Severity::High,
            "Default action allows every unlisted syscall",
            "defaultAction is SCMP_ACT_ALLOW: the profile is a deny-list and any syscall it forgets, including new ones, is allowed".into(),
            "Use defaultAction SCMP_ACT_ERRNO with defaultErrnoRet 1 and list what is allowed",
            "defaultAction: SCMP_ACT_ALLOW".into(),
        )),
        "SCMP_ACT_LOG" => out.push(finding(
            "BHSC003",
            Severity::High,
            "Default action logs but allows every unlisted syscall",
            "defaultAction is SCMP_ACT_LOG: fine for a recording run, but it filters nothing".into(),
            "Generate an allow-list from the log (`bulkhead seccomp generate --audit LOG`) and run with that",
            "defaultAction: SCMP_ACT_LOG".into(),
        )),
        _ => {}
    }
    for (name, severity, why) in DANGEROUS {
        let rules: Vec<(usize, &Rule)> = profile
            .syscalls
            .iter()
            .enumerate()
            .filter(|(_, r)| r.all_names().any(|n| n == *name))
            .collect();
        let unfiltered_allow = rules.iter().find(|(_, r)| {
            action_allows(&r.action) && r.args.is_empty() && r.includes.caps.is_empty()
        });
        let evidence = match unfiltered_allow {
            Some((i, r)) => {
                let mut e = format!("syscalls[{i}] {} {name}", r.action);
                if let Some(k) = &r.includes.min_kernel {
                    e.push_str(&format!(" (minKernel {k})"));
                }
                if !r.includes.arches.is_empty() {
                    e.push_str(&format!(" (arches {})", r.includes.arches.join(",")));
                }
                e
            }
            None if default_allows && rules.is_empty() => {
                format!("defaultAction {} covers {name}", profile.default_action)
            }
            None => continue,
        };
        out.push(finding(
            "BHSC004",
            *severity,
            "Dangerous syscall allowed without a filter",
            format!("`{name}` is allowed without an argument filter or capability condition: {why}"),
            "Remove it from the allow-list, or gate it like Docker's default does (`includes.caps`, argument filters)",
            evidence,
        ));
    }
    for (i, rule) in profile.syscalls.iter().enumerate() {
        if !rule.includes.arches.is_empty() {
            continue; // arch-specific names (s390, ppc, arm private calls)
        }
        for name in rule.all_names() {
            if !table::is_known(name) {
                out.push(finding(
                    "BHSC005",
                    Severity::Low,
                    "Unknown syscall name",
                    format!("`{name}` is not a syscall on x86_64, x86, aarch64 or arm; the rule never matches it there"),
                    "Check the spelling; limit arch-specific names with `includes.arches`",
                    format!("syscalls[{i}] {name}"),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangerous_list_names_are_known_and_sorted() {
        for (n, _, _) in DANGEROUS {
            assert!(table::is_known(n), "{n}");
        }
        assert!(DANGEROUS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn gated_rules_are_not_flagged() {
        let p = Profile::from_json(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
              {"names":["mount"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}},
              {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"}]},
              {"names":["unshare"],"action":"SCMP_ACT_ERRNO"},
              {"names":["setns","read"],"action":"SCMP_ACT_ALLOW"}]}"#,
        )
        .unwrap();
        let f = lint(&p);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("`setns`"));
    }

    #[test]
    fn allow_default_flags_everything_unlisted() {
        let p = Profile::from_json(r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mount"],"action":"SCMP_ACT_ERRNO"}]}"#).unwrap();
        let f = lint(&p);
        assert_eq!(f[0].id, "BHSC002");
        assert!(!f.iter().any(|m| m.message.contains("`mount`")));
        assert!(f.iter().any(|m| m.message.contains("`kexec_load`")));
    }
}

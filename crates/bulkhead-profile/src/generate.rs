//! Building a seccomp profile from the syscalls a workload uses.
//!
//! The result is an allow-list: `defaultAction` `SCMP_ACT_ERRNO` with
//! `defaultErrnoRet` 1 (EPERM), Docker's `archMap` entries for x86_64 (+x86,
//! x32) and aarch64 (+arm), and rules in a fixed order with sorted names:
//!
//! 1. one `SCMP_ACT_ALLOW` rule with the observed syscalls that Docker's
//!    default profile allows unconditionally, plus [`RUNTIME_SYSCALLS`];
//! 2. for observed syscalls the default only allows with conditions
//!    (argument filters for `socket`, `personality`, `clone`; capability,
//!    architecture or kernel conditions for `mount`, `ptrace`, …), the
//!    default's own rules restricted to those names, so the generated profile
//!    is never looser than the default for them; `clone3` keeps the default's
//!    ENOSYS answer so libc falls back to the filterable `clone`;
//! 3. one `SCMP_ACT_ALLOW` rule for observed syscalls the default does not
//!    allow at all (reported as warnings: `seccomp lint` will flag the
//!    dangerous ones).

use crate::docker_default;
use crate::model::{ArchMapEntry, Profile, ProfileError, Rule, action_allows};
use crate::table::{self, Arch};
use std::collections::BTreeSet;

/// Syscalls the container runtime makes after it installed the filter and
/// before (and for) `execve` of the container's process, with why.
///
/// runc (1.1, Docker 20.10+) installs the filter early when
/// `no-new-privileges` is off (the default) and then still switches user,
/// drops capabilities, closes inherited descriptors and signals the exec FIFO
/// under it. Found empirically on runc 1.1.5 / Docker 20.10.24 / x86_64 by
/// removing each candidate from a working profile (see the crate README);
/// the Go-runtime group is needed by runc's Go code whenever the scheduler,
/// garbage collector or preemption signals run, which is not deterministic,
/// so those are kept even though a single run may pass without them.
pub const RUNTIME_SYSCALLS: &[(&str, &str)] = &[
    (
        "capget",
        "runc reads the capability sets before applying them",
    ),
    ("capset", "runc applies the container's capability sets"),
    ("chdir", "runc changes to the configured working directory"),
    (
        "close",
        "runc closes its sync pipe and inherited descriptors",
    ),
    ("execve", "runc finally executes the container's process"),
    ("exit", "Go runtime threads exit"),
    ("exit_group", "the process exits"),
    ("faccessat2", "runc looks the executable up on PATH"),
    ("fcntl", "runc marks inherited descriptors close-on-exec"),
    (
        "fstat",
        "runc checks stdio descriptors (`fstat /dev/stdin`)",
    ),
    ("fstatfs", "runc checks that /proc/self/fd is on procfs"),
    ("futex", "Go runtime locks and thread parking"),
    ("getcwd", "runc verifies the working directory is safe"),
    (
        "getdents64",
        "runc lists /proc/self/fd to close inherited descriptors",
    ),
    ("getppid", "runc checks that its parent is still alive"),
    ("gettid", "Go runtime signal handling"),
    ("madvise", "Go runtime memory management"),
    ("mmap", "Go runtime memory management"),
    ("munmap", "Go runtime memory management"),
    ("nanosleep", "Go runtime scheduler"),
    ("newfstatat", "runc stats /dev/null and the executable"),
    (
        "openat",
        "runc opens /proc/self/fd, /proc/self/status and the exec FIFO",
    ),
    ("prctl", "runc sets keep-caps and drops the bounding set"),
    ("read", "runc reads /proc/self/status"),
    ("rt_sigprocmask", "Go runtime signal masks"),
    (
        "rt_sigreturn",
        "return from Go runtime signal handlers (preemption)",
    ),
    ("sched_yield", "Go runtime scheduler"),
    ("setgid", "runc switches to the container's group"),
    ("setgroups", "runc sets the supplementary groups"),
    ("setuid", "runc switches to the container's user"),
    ("sigaltstack", "Go runtime signal stacks"),
    ("tgkill", "Go runtime preemption signals"),
    ("write", "runc writes to the exec FIFO to start the process"),
];

/// Settings for [`generate`].
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Errno for denied syscalls (1 = EPERM).
    pub errno_ret: u32,
    /// Add [`RUNTIME_SYSCALLS`] (turn off only for runtimes that install the
    /// filter right before `execve`).
    pub runtime_syscalls: bool,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            errno_ret: 1,
            runtime_syscalls: true,
        }
    }
}

/// A generated profile and what the caller should know about it.
#[derive(Debug, Clone)]
pub struct Generated {
    pub profile: Profile,
    /// Observed syscalls Docker's default profile does not allow.
    pub beyond_default: Vec<String>,
}

/// Why a profile could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("unknown syscall name(s): {0}; names must exist for x86_64, x86, aarch64 or arm")]
    Unknown(String),
    #[error("no syscalls given")]
    Empty,
    #[error("embedded Docker default profile: {0}")]
    Default(#[from] ProfileError),
}

/// The architecture map of generated profiles.
pub fn arch_map() -> Vec<ArchMapEntry> {
    vec![
        ArchMapEntry {
            architecture: Arch::X86_64.scmp_name().into(),
            sub_architectures: vec![Arch::X86.scmp_name().into(), Arch::X32.scmp_name().into()],
        },
        ArchMapEntry {
            architecture: Arch::Aarch64.scmp_name().into(),
            sub_architectures: vec![Arch::Arm.scmp_name().into()],
        },
    ]
}

/// Parse a comma/whitespace separated list of syscall names, checking each.
pub fn parse_names(list: &str) -> Result<BTreeSet<String>, GenerateError> {
    let names: BTreeSet<String> = list
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    check_names(&names)?;
    Ok(names)
}

fn check_names(names: &BTreeSet<String>) -> Result<(), GenerateError> {
    let unknown: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| !table::is_known(n))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(GenerateError::Unknown(unknown.join(", ")))
    }
}

/// Whether a default-profile rule can apply on one of our architectures.
fn rule_applies_to_our_arches(rule: &Rule) -> bool {
    let ours: Vec<&str> = Arch::ALL.iter().map(|a| a.docker_name()).collect();
    rule.includes.arches.is_empty()
        || rule
            .includes
            .arches
            .iter()
            .any(|a| ours.contains(&a.as_str()))
}

/// Build an allow-list profile from observed syscall names.
pub fn generate(
    observed: &BTreeSet<String>,
    opts: &GenerateOptions,
) -> Result<Generated, GenerateError> {
    if observed.is_empty() {
        return Err(GenerateError::Empty);
    }
    check_names(observed)?;
    let default = docker_default::profile()?;
    let unconditional: BTreeSet<&str> = default
        .syscalls
        .iter()
        .filter(|r| action_allows(&r.action) && r.is_unconditional())
        .flat_map(Rule::all_names)
        .collect();
    let conditional: BTreeSet<&str> = default
        .syscalls
        .iter()
        .filter(|r| !r.is_unconditional())
        .flat_map(Rule::all_names)
        .filter(|n| !unconditional.contains(n))
        .collect();

    let mut plain: BTreeSet<String> = BTreeSet::new();
    let mut gated: BTreeSet<&str> = BTreeSet::new();
    let mut beyond: BTreeSet<String> = BTreeSet::new();
    for name in observed {
        if unconditional.contains(name.as_str()) {
            plain.insert(name.clone());
        } else if let Some(n) = conditional.get(name.as_str()) {
            gated.insert(n);
        } else {
            beyond.insert(name.clone());
        }
    }
    // A workload that forks needs clone3's ENOSYS answer from the default.
    if gated.contains("clone") || observed.contains("fork") || observed.contains("vfork") {
        gated.insert("clone3");
    }
    if opts.runtime_syscalls {
        for (name, _) in RUNTIME_SYSCALLS {
            plain.insert((*name).to_string());
        }
    }

    let mut rules = vec![Rule {
        names: plain.into_iter().collect(),
        action: "SCMP_ACT_ALLOW".into(),
        comment: if opts.runtime_syscalls {
            "observed syscalls and those the container runtime needs to start the process".into()
        } else {
            "observed syscalls".into()
        },
        ..Rule::default()
    }];
    for rule in default.syscalls.iter().filter(|r| !r.is_unconditional()) {
        if !rule_applies_to_our_arches(rule) {
            continue;
        }
        let names: Vec<String> = rule
            .all_names()
            .filter(|n| gated.contains(n))
            .map(str::to_string)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if names.is_empty() {
            continue;
        }
        rules.push(Rule {
            names,
            name: None,
            comment: "condition copied from Docker's default profile".into(),
            ..rule.clone()
        });
    }
    if !beyond.is_empty() {
        rules.push(Rule {
            names: beyond.iter().cloned().collect(),
            action: "SCMP_ACT_ALLOW".into(),
            comment: "observed, but not allowed by Docker's default profile".into(),
            ..Rule::default()
        });
    }
    Ok(Generated {
        profile: Profile {
            default_action: "SCMP_ACT_ERRNO".into(),
            default_errno_ret: Some(opts.errno_ret),
            architectures: Vec::new(),
            arch_map: arch_map(),
            flags: Vec::new(),
            listener_path: None,
            listener_metadata: None,
            syscalls: rules,
        },
        beyond_default: beyond.into_iter().collect(),
    })
}

/// The profile for a recording run: every syscall is allowed and logged to
/// the kernel audit log (`type=SECCOMP`), ready for `generate --audit`.
pub fn log_all_profile() -> Profile {
    Profile {
        default_action: "SCMP_ACT_LOG".into(),
        default_errno_ret: None,
        architectures: Vec::new(),
        arch_map: arch_map(),
        flags: Vec::new(),
        listener_path: None,
        listener_metadata: None,
        syscalls: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn runtime_names_are_known_and_sorted() {
        for (n, _) in RUNTIME_SYSCALLS {
            assert!(table::is_known(n), "{n}");
        }
        assert!(RUNTIME_SYSCALLS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn gated_syscalls_keep_default_conditions() {
        let g = generate(
            &set(&["read", "socket", "clone", "mount", "keyctl"]),
            &GenerateOptions::default(),
        )
        .unwrap();
        let rules = &g.profile.syscalls;
        assert!(rules[0].names.contains(&"read".to_string()));
        assert!(!rules[0].names.contains(&"socket".to_string()));
        assert!(
            rules
                .iter()
                .any(|r| r.names == ["socket"] && !r.args.is_empty())
        );
        assert!(
            rules
                .iter()
                .any(|r| r.names == ["clone3"] && r.errno_ret == Some(38))
        );
        assert!(rules.iter().any(
            |r| r.names.contains(&"mount".to_string()) && r.includes.caps == ["CAP_SYS_ADMIN"]
        ));
        assert_eq!(g.beyond_default, ["keyctl"]);
        // Deterministic.
        let again = generate(
            &set(&["keyctl", "mount", "clone", "socket", "read"]),
            &GenerateOptions::default(),
        )
        .unwrap();
        assert_eq!(g.profile.to_json(), again.profile.to_json());
    }

    #[test]
    fn bad_names() {
        assert!(matches!(parse_names("read,frob"), Err(GenerateError::Unknown(s)) if s == "frob"));
        assert_eq!(parse_names(" read , write\nexecve").unwrap().len(), 3);
        assert!(matches!(
            generate(&BTreeSet::new(), &GenerateOptions::default()),
            Err(GenerateError::Empty)
        ));
    }
}

//! Section 5, privileges: AppArmor (5.2), SELinux (5.3), capabilities (5.4),
//! privileged (5.5), seccomp (5.22), exec audit notes (5.23, 5.24),
//! no-new-privileges (5.26).

use super::{Check, Run, Verdict, daemon_no_new_privileges, manual, settings, spec};
use crate::runtime::Seccomp;
use crate::snapshot::{ContainerFacts, Snapshot};
use bulkhead_policy::controls;
use bulkhead_types::Severity;

fn apparmor(c: &ContainerFacts, snap: &Snapshot) -> Verdict {
    let s = settings(c);
    let profile = &s.apparmor_profile;
    if snap.daemon.security_option("apparmor").is_none() {
        return Verdict::info(format!(
            "AppArmorProfile={profile:?}; docker info SecurityOptions has no name=apparmor"
        ))
        .with_message("AppArmor is not enabled on this host: not applicable");
    }
    let unconfined = controls::mac::check(&spec(c))
        .is_some_and(|f| f.hits.iter().any(|h| h.value == controls::mac::APPARMOR));
    Verdict::warn_if(
        profile.is_empty() || unconfined,
        format!("AppArmorProfile={profile:?}"),
    )
}

fn selinux(c: &ContainerFacts, snap: &Snapshot) -> Verdict {
    let s = settings(c);
    if snap.daemon.security_option("selinux").is_none() {
        return Verdict::info(format!(
            "HostConfig.SecurityOpt={:?}; docker info SecurityOptions has no name=selinux",
            s.security_opt
        ))
        .with_message("SELinux is not enabled in the daemon: not applicable");
    }
    let disabled = controls::mac::check(&spec(c))
        .is_some_and(|f| f.hits.iter().any(|h| h.value == controls::mac::SELINUX));
    Verdict::warn_if(
        disabled || s.process_label.is_empty(),
        format!(
            "ProcessLabel={:?} label options={:?}",
            s.process_label, s.selinux_labels
        ),
    )
}

fn capabilities(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let s = settings(c);
    let beyond = s.caps_beyond_default();
    let mut extra = beyond.clone();
    extra.extend(s.unknown_caps.iter().cloned());
    let drops: Vec<String> = s
        .cap_drop
        .iter()
        .map(|c| match c {
            crate::capabilities::CapName::All => "ALL".to_string(),
            crate::capabilities::CapName::Cap(c) => c.to_string(),
        })
        .collect();
    Verdict::warn_if(
        !controls::cap_add::beyond_default(&spec(c)).is_empty(),
        format!("HostConfig.CapAdd beyond default={extra:?} CapDrop={drops:?}"),
    )
}

fn privileged(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let p = settings(c).privileged;
    Verdict::warn_if(
        controls::privileged::check(&spec(c)).is_some(),
        format!("HostConfig.Privileged={p}"),
    )
}

fn seccomp(c: &ContainerFacts, snap: &Snapshot) -> Verdict {
    let s = settings(c);
    if s.privileged {
        return Verdict::warn("HostConfig.Privileged=true (Docker applies no seccomp profile)");
    }
    if controls::seccomp::check(&spec(c)).is_some() {
        return Verdict::warn("HostConfig.SecurityOpt contains seccomp=unconfined");
    }
    match &s.seccomp {
        Seccomp::Unconfined => Verdict::warn("HostConfig.SecurityOpt contains seccomp=unconfined"),
        Seccomp::Custom(_) => Verdict::pass("HostConfig.SecurityOpt has a custom seccomp profile"),
        Seccomp::DaemonDefault => match snap.daemon.security_option("seccomp") {
            Some(opt) if opt.contains("profile=unconfined") => {
                Verdict::warn(format!("daemon default seccomp: {opt}"))
            }
            Some(opt) => Verdict::pass(format!("daemon default seccomp ({opt})")),
            None => Verdict::warn("docker info SecurityOptions has no name=seccomp"),
        },
    }
}

fn no_new_privileges(c: &ContainerFacts, snap: &Snapshot) -> Verdict {
    if daemon_no_new_privileges(snap) {
        return Verdict::pass("daemon no-new-privileges=true");
    }
    let s = settings(c);
    Verdict::warn_if(
        controls::no_new_privileges::check(&spec(c)).is_some(),
        format!(
            "HostConfig.SecurityOpt={:?} (no-new-privileges={})",
            s.security_opt, s.no_new_privileges
        ),
    )
}

pub(super) static CHECKS: &[Check] = &[
    Check {
        id: "AUDIT-5.2",
        cis: "5.2",
        title: "AppArmor profile applied",
        description: "AppArmorProfile must not be empty or unconfined. Unlike docker-bench, hosts whose daemon reports no AppArmor support get INFO (not applicable) rather than a false WARN.",
        resolution: "Run with the default docker-default profile or --security-opt apparmor=<profile>; do not use apparmor=unconfined.",
        severity: Severity::Medium,
        run: Run::Container(apparmor),
    },
    Check {
        id: "AUDIT-5.3",
        cis: "5.3",
        title: "SELinux security options set",
        description: "On SELinux daemons the container must have a process label and no label=disable. docker-bench WARNs whenever SecurityOpt is empty (any option satisfies it); we look at the label itself and report INFO when the daemon has no SELinux.",
        resolution: "Start dockerd with --selinux-enabled and do not pass --security-opt label=disable.",
        severity: Severity::Medium,
        run: Run::Container(selinux),
    },
    Check {
        id: "AUDIT-5.4",
        cis: "5.4",
        title: "Linux kernel capabilities restricted",
        description: "HostConfig.CapAdd normalised (with or without CAP_, any case) must add nothing beyond Docker's default set.",
        resolution: "Remove --cap-add entries that are not needed; prefer --cap-drop ALL and add back only what the process needs.",
        severity: Severity::High,
        run: Run::Container(capabilities),
    },
    Check {
        id: "AUDIT-5.5",
        cis: "5.5",
        title: "Privileged containers not used",
        description: "HostConfig.Privileged must be false: a privileged container has every capability, every device, no seccomp and no AppArmor.",
        resolution: "Do not run with --privileged; grant the specific capabilities or devices needed instead.",
        severity: Severity::Critical,
        run: Run::Container(privileged),
    },
    Check {
        id: "AUDIT-5.22",
        cis: "5.22",
        title: "Default seccomp profile not disabled",
        description: "seccomp=unconfined in SecurityOpt, or a daemon running without seccomp, is flagged. Unlike docker-bench, privileged containers are flagged too (Docker applies no seccomp profile to them).",
        resolution: "Remove --security-opt seccomp=unconfined (and --privileged); use the default or a custom profile.",
        severity: Severity::High,
        run: Run::Container(seccomp),
    },
    Check {
        id: "AUDIT-5.23",
        cis: "5.23",
        title: "docker exec --privileged not used",
        description: "Manual: exec sessions leave no trace in container inspect; review the daemon's audit log or events.",
        resolution: "Do not use docker exec --privileged.",
        severity: Severity::Low,
        run: Run::Global(manual),
    },
    Check {
        id: "AUDIT-5.24",
        cis: "5.24",
        title: "docker exec --user=root not used",
        description: "Manual: review the daemon's audit log or events.",
        resolution: "Do not use docker exec --user=root.",
        severity: Severity::Low,
        run: Run::Global(manual),
    },
    Check {
        id: "AUDIT-5.26",
        cis: "5.26",
        title: "Container restricted from acquiring new privileges",
        description: "PASS when the daemon default no-new-privileges is on (flag, daemon.json or docker info), else SecurityOpt must contain no-new-privileges (bare, =true or :true).",
        resolution: "Run with --security-opt no-new-privileges, or set \"no-new-privileges\": true in daemon.json.",
        severity: Severity::Medium,
        run: Run::Container(no_new_privileges),
    },
];

//! Section 5, namespaces shared with the host: network (5.10), PID (5.16),
//! IPC (5.17), UTS (5.21), user (5.31).

use super::{Check, Run, Verdict, settings, spec};
use crate::snapshot::{ContainerFacts, Snapshot};
use bulkhead_policy::controls;
use bulkhead_types::Severity;

fn net(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let m = &settings(c).namespaces.network;
    Verdict::warn_if(
        controls::host_network::check(&spec(c)).is_some(),
        format!("HostConfig.NetworkMode={m:?}"),
    )
}
fn pid(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let m = &settings(c).namespaces.pid;
    Verdict::warn_if(
        controls::host_pid::check(&spec(c)).is_some(),
        format!("HostConfig.PidMode={m:?}"),
    )
}
fn ipc(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let m = &settings(c).namespaces.ipc;
    Verdict::warn_if(
        controls::host_ipc::check(&spec(c)).is_some(),
        format!("HostConfig.IpcMode={m:?}"),
    )
}
fn uts(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let m = &settings(c).namespaces.uts;
    let shared = controls::host_other_ns::check(&spec(c))
        .is_some_and(|f| f.hits.iter().any(|h| h.value == "uts"));
    Verdict::warn_if(shared, format!("HostConfig.UTSMode={m:?}"))
}
fn userns(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let m = &settings(c).namespaces.userns;
    let shared = controls::host_other_ns::check(&spec(c))
        .is_some_and(|f| f.hits.iter().any(|h| h.value == "userns"));
    Verdict::warn_if(shared, format!("HostConfig.UsernsMode={m:?}"))
}

pub(super) static CHECKS: &[Check] = &[
    Check {
        id: "AUDIT-5.10",
        cis: "5.10",
        title: "Host network namespace not shared",
        description: "HostConfig.NetworkMode=host is flagged.",
        resolution: "Do not use --network host; publish the needed ports instead.",
        severity: Severity::High,
        run: Run::Container(net),
    },
    Check {
        id: "AUDIT-5.16",
        cis: "5.16",
        title: "Host process namespace not shared",
        description: "HostConfig.PidMode=host is flagged.",
        resolution: "Do not use --pid host.",
        severity: Severity::High,
        run: Run::Container(pid),
    },
    Check {
        id: "AUDIT-5.17",
        cis: "5.17",
        title: "Host IPC namespace not shared",
        description: "HostConfig.IpcMode=host is flagged.",
        resolution: "Do not use --ipc host.",
        severity: Severity::High,
        run: Run::Container(ipc),
    },
    Check {
        id: "AUDIT-5.21",
        cis: "5.21",
        title: "Host UTS namespace not shared",
        description: "HostConfig.UTSMode=host is flagged.",
        resolution: "Do not use --uts host.",
        severity: Severity::Medium,
        run: Run::Container(uts),
    },
    Check {
        id: "AUDIT-5.31",
        cis: "5.31",
        title: "Host user namespace not shared",
        description: "HostConfig.UsernsMode=host is flagged (it opts the container out of daemon userns-remap).",
        resolution: "Do not use --userns host.",
        severity: Severity::Medium,
        run: Run::Container(userns),
    },
];

//! Section 5, network exposure: privileged host ports (5.8), published ports
//! (5.9), bind address (5.14), default bridge (5.30).

use super::{Check, Run, Verdict, settings, spec};
use crate::snapshot::{ContainerFacts, Snapshot};
use bulkhead_policy::controls::port_all_interfaces;
use bulkhead_types::Severity;

fn privileged_ports(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let bad: Vec<String> = settings(c)
        .ports
        .iter()
        .filter(|p| p.host_port > 0 && p.host_port < 1024)
        .map(|p| format!("{}->{}:{}", p.container_port, p.host_ip, p.host_port))
        .collect();
    if bad.is_empty() {
        Verdict::pass("no host port below 1024")
    } else {
        Verdict::warn(format!("NetworkSettings.Ports: {}", bad.join(", ")))
    }
}

fn published(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let s = settings(c);
    let list: Vec<String> = s
        .ports
        .iter()
        .map(|p| format!("{}->{}:{}", p.container_port, p.host_ip, p.host_port))
        .collect();
    if list.is_empty() && !s.publish_all {
        Verdict::pass("no published port")
    } else {
        Verdict::info(format!(
            "NetworkSettings.Ports: {} PublishAllPorts={}",
            list.join(", "),
            s.publish_all
        ))
        .with_message("published ports: confirm each is needed")
    }
}

fn bind_address(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    // The spec's ports are the settings' ports, in the same order.
    let s = settings(c);
    let bad: Vec<String> = port_all_interfaces::check(&spec(c))
        .into_iter()
        .flat_map(|f| f.hits)
        .filter_map(|h| s.ports.get(h.index))
        .map(|p| format!("{}->{}:{}", p.container_port, p.host_ip, p.host_port))
        .collect();
    if bad.is_empty() {
        Verdict::pass("every published port is bound to a specific address")
    } else {
        Verdict::warn(format!("NetworkSettings.Ports: {}", bad.join(", ")))
    }
}

fn default_bridge(c: &ContainerFacts, snap: &Snapshot) -> Verdict {
    let s = settings(c);
    // The network whose bridge is docker0 (the default `bridge` network).
    let docker0: Vec<&str> = snap
        .networks
        .iter()
        .filter(|n| {
            n.options
                .get("com.docker.network.bridge.name")
                .is_some_and(|b| b == "docker0")
        })
        .map(|n| n.name.as_str())
        .collect();
    let on_default = s
        .networks
        .iter()
        .any(|n| n == "bridge" || docker0.contains(&n.as_str()));
    if on_default {
        Verdict::info(format!("NetworkSettings.Networks={:?}", s.networks))
            .with_message("attached to the default bridge (docker0): prefer a user-defined network")
    } else {
        Verdict::pass(format!("NetworkSettings.Networks={:?}", s.networks))
    }
}

pub(super) static CHECKS: &[Check] = &[
    Check {
        id: "AUDIT-5.8",
        cis: "5.8",
        title: "Privileged ports not mapped within containers",
        description: "A published host port below 1024 is flagged. docker-bench tests < 1025 and so also flags port 1024, which is not privileged.",
        resolution: "Publish the service on a host port of 1024 or above.",
        severity: Severity::Low,
        run: Run::Container(privileged_ports),
    },
    Check {
        id: "AUDIT-5.9",
        cis: "5.9",
        title: "Only needed ports are open on the container",
        description: "Manual in CIS: published ports are listed as INFO for review (docker-bench WARNs for any published port).",
        resolution: "Publish only the ports the service needs; avoid -P.",
        severity: Severity::Low,
        run: Run::Container(published),
    },
    Check {
        id: "AUDIT-5.14",
        cis: "5.14",
        title: "Incoming traffic bound to a specific host interface",
        description: "Port bindings on 0.0.0.0, :: or an empty HostIp are flagged (docker-bench misses the IPv6 wildcard).",
        resolution: "Publish with an address: -p 127.0.0.1:8080:80.",
        severity: Severity::Medium,
        run: Run::Container(bind_address),
    },
    Check {
        id: "AUDIT-5.30",
        cis: "5.30",
        title: "Default bridge docker0 not used",
        description: "Manual: containers attached to the default bridge network are listed as INFO.",
        resolution: "Attach containers to a user-defined network (docker network create).",
        severity: Severity::Low,
        run: Run::Container(default_bridge),
    },
];

//! Sections 6 (security operations) and 7 (swarm).

use super::{Check, Outcome, Run, Verdict, daemon};
use crate::snapshot::Snapshot;
use bulkhead_types::Severity;

fn swarm_active(snap: &Snapshot) -> bool {
    snap.daemon
        .info
        .swarm
        .as_ref()
        .and_then(|s| s.local_node_state)
        .is_some_and(|s| s.to_string() == "active")
}

fn image_sprawl(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    let total = snap.images.len();
    let used = snap
        .images
        .iter()
        .filter(|i| snap.images_in_use.contains(&i.id))
        .count();
    let ev = format!("{total} images, {used} used by a container");
    daemon(if total > 0 && used * 2 < total {
        Verdict::info(ev).with_message("fewer than half the images are in use: prune the rest")
    } else {
        Verdict::pass(ev)
    })
}

fn container_sprawl(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    let total = snap.containers_total;
    let running = snap.containers.len();
    let ev = format!("{total} containers, {running} running");
    daemon(if total.saturating_sub(running) > 25 {
        Verdict::info(ev)
            .with_message("more than 25 stopped containers: remove the ones not needed")
    } else {
        Verdict::pass(ev)
    })
}

fn swarm_only(snap: &Snapshot, check: &Check) -> Vec<Outcome> {
    if !swarm_active(snap) {
        return daemon(Verdict::pass("Swarm mode not enabled"));
    }
    daemon(Verdict::note("swarm active: review manually").with_message(check.title))
}

fn overlay_encrypted(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    let bad: Vec<&str> = snap
        .networks
        .iter()
        .filter(|n| n.driver == "overlay" && !n.options.contains_key("encrypted"))
        .map(|n| n.name.as_str())
        .collect();
    daemon(Verdict::warn_if(
        !bad.is_empty(),
        format!("unencrypted overlay networks: {bad:?}"),
    ))
}

macro_rules! s {
    ($id:literal, $cis:literal, $f:expr, $title:literal, $desc:literal, $res:literal) => {
        Check {
            id: $id,
            cis: $cis,
            title: $title,
            description: $desc,
            resolution: $res,
            severity: Severity::Low,
            run: Run::Global($f),
        }
    };
}

pub(super) static CHECKS: &[Check] = &[
    s!(
        "AUDIT-6.1",
        "6.1",
        image_sprawl,
        "Image sprawl avoided",
        "Images not used by any container (running or stopped); INFO when fewer than half are in use.",
        "Remove unused images (docker image prune -a)."
    ),
    s!(
        "AUDIT-6.2",
        "6.2",
        container_sprawl,
        "Container sprawl avoided",
        "INFO when more than 25 containers are stopped.",
        "Remove stopped containers (docker container prune)."
    ),
    s!(
        "AUDIT-7.1",
        "7.1",
        swarm_only,
        "Minimum number of manager nodes created in a swarm",
        "PASS when swarm is off; otherwise review manually.",
        "Keep an odd, small number of managers."
    ),
    s!(
        "AUDIT-7.2",
        "7.2",
        swarm_only,
        "Swarm services bound to a specific host interface",
        "PASS when swarm is off; otherwise review the 2377 listener manually.",
        "docker swarm init --listen-addr <ip>."
    ),
    s!(
        "AUDIT-7.3",
        "7.3",
        overlay_encrypted,
        "Data exchanged between containers encrypted on different nodes on the overlay network",
        "Overlay networks without the encrypted option are flagged.",
        "Create overlay networks with --opt encrypted."
    ),
    s!(
        "AUDIT-7.4",
        "7.4",
        swarm_only,
        "Docker's secret management commands used for managing secrets in a swarm cluster",
        "PASS when swarm is off.",
        "Use docker secret."
    ),
    s!(
        "AUDIT-7.5",
        "7.5",
        swarm_only,
        "Swarm manager run in auto-lock mode",
        "PASS when swarm is off.",
        "docker swarm update --autolock."
    ),
    s!(
        "AUDIT-7.6",
        "7.6",
        swarm_only,
        "Swarm manager auto-lock key rotated periodically",
        "PASS when swarm is off.",
        "docker swarm unlock-key --rotate."
    ),
    s!(
        "AUDIT-7.7",
        "7.7",
        swarm_only,
        "Node certificates rotated as appropriate",
        "PASS when swarm is off.",
        "docker swarm update --cert-expiry."
    ),
    s!(
        "AUDIT-7.8",
        "7.8",
        swarm_only,
        "CA certificates rotated as appropriate",
        "PASS when swarm is off.",
        "docker swarm ca --rotate."
    ),
    s!(
        "AUDIT-7.9",
        "7.9",
        swarm_only,
        "Management plane traffic separated from data plane traffic",
        "PASS when swarm is off.",
        "docker swarm init --data-path-addr."
    ),
];

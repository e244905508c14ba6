//! Compose rules decide through the shared container controls
//! (`bulkhead-policy`): the cases where that changed what a rule reports,
//! because the lint, the audit and harden now agree.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bulkhead_lint::{LintOptions, lint_compose};
use std::collections::BTreeMap;
use std::path::Path;

fn ids(text: &str) -> Vec<(&'static str, usize)> {
    let opts = LintOptions {
        env: Some(BTreeMap::new()),
        ..LintOptions::default()
    };
    lint_compose(text, Path::new("compose.yaml"), &opts)
        .into_iter()
        .map(|f| (f.rule.id, f.line))
        .collect()
}

fn has(text: &str, id: &str) -> bool {
    ids(text).iter().any(|(i, _)| *i == id)
}

#[test]
fn docker_socket_by_container_path_too() {
    // The audit (5.32) always looked at both ends of a mount.
    let t = "services:\n  a:\n    image: x:1\n    volumes:\n      - /run/user/1000/podman/podman.sock:/var/run/docker.sock\n";
    assert!(ids(t).contains(&("BH-CO-014", 5)));
    let t = "services:\n  a:\n    image: x:1\n    volumes:\n      - sock:/var/run/docker.sock\n";
    assert!(has(t, "BH-CO-014"));
}

#[test]
fn any_cpu_control_counts() {
    // The audit (5.12) accepts shares, quota and cpuset as well as --cpus.
    for key in [
        "cpus: \"0.5\"",
        "cpu_shares: 512",
        "cpu_quota: 50000",
        "cpuset: \"0\"",
    ] {
        let t = format!("services:\n  a:\n    image: x:1\n    {key}\n");
        assert!(!has(&t, "BH-CO-018"), "{key}");
    }
    assert!(has("services:\n  a:\n    image: x:1\n", "BH-CO-018"));
}

#[test]
fn no_new_privileges_read_like_docker() {
    let t = |v: &str| format!("services:\n  a:\n    image: x:1\n    security_opt: [{v}]\n");
    assert!(!has(&t("\"no-new-privileges:true\""), "BH-CO-007"));
    assert!(!has(&t("\"no-new-privileges=TRUE\""), "BH-CO-007"));
    assert!(!has(&t("\"no-new-privileges\""), "BH-CO-007"));
    assert!(has(&t("\"no-new-privileges:false\""), "BH-CO-007"));
    // The last entry wins, as in Docker.
    assert!(has(
        &t("\"no-new-privileges:true\", \"no-new-privileges:false\""),
        "BH-CO-007"
    ));
}

#[test]
fn unlimited_sentinels() {
    for v in ["0", "-1"] {
        let t = format!("services:\n  a:\n    image: x:1\n    pids_limit: {v}\n");
        assert!(has(&t, "BH-CO-019"), "pids_limit {v}");
    }
    let t = "services:\n  a:\n    image: x:1\n    mem_limit: \"0\"\n";
    assert!(has(t, "BH-CO-017"));
}

#[test]
fn empty_user_is_the_image_default() {
    let t = "services:\n  a:\n    image: x:1\n    user: \"\"\n";
    assert!(has(t, "BH-CO-002"));
    assert!(!has(t, "BH-CO-001"));
}

#[test]
fn propagation_on_any_mount() {
    let t = "services:\n  a:\n    image: x:1\n    volumes:\n      - data:/data:rshared\n";
    assert!(has(t, "BH-CO-028"));
}

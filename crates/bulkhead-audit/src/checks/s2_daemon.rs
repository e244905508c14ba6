//! Section 2, the daemon's configuration, from `docker info` (what is in
//! effect), the default bridge's options, daemon.json and the dockerd
//! command line.

use super::{Check, Outcome, Run, Verdict, daemon, daemon_no_new_privileges};
use crate::snapshot::Snapshot;
use bulkhead_types::Severity;

/// For checks that can only read daemon.json / the command line: INFO when
/// neither was visible (remote daemon, other pid namespace).
fn config_visible(snap: &Snapshot) -> Option<Vec<Outcome>> {
    if snap.daemon.has_local_config() {
        None
    } else {
        Some(daemon(Verdict::info(
            "neither daemon.json nor the dockerd command line is visible from here",
        )))
    }
}

fn rootless(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    match snap.daemon.security_option("rootless") {
        Some(o) => daemon(Verdict::pass(format!("docker info SecurityOptions: {o}"))),
        None => daemon(
            Verdict::note("docker info SecurityOptions has no name=rootless")
                .with_message("the daemon runs as root: consider rootless mode where possible"),
        ),
    }
}

fn icc(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    let d = &snap.daemon;
    if let Some(v) = d.bridge_options.get("com.docker.network.bridge.enable_icc") {
        return daemon(Verdict::warn_if(
            v != "false",
            format!("bridge network option com.docker.network.bridge.enable_icc={v}"),
        ));
    }
    let off = d.flag_bool("--icc") == Some(false) || d.json_bool("icc") == Some(false);
    daemon(Verdict::warn_if(
        !off,
        format!(
            "--icc={:?} daemon.json icc={:?}",
            d.flag("--icc"),
            d.json_bool("icc")
        ),
    ))
}

fn log_level(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    let d = &snap.daemon;
    if d.info.debug == Some(true) {
        return daemon(Verdict::warn("docker info Debug=true"));
    }
    let level = d.json_str("log-level").or_else(|| d.flag("-l"));
    match level {
        Some(l) => daemon(Verdict::warn_if(l != "info", format!("log-level={l}"))),
        None => daemon(Verdict::pass("log-level not set (default info)")),
    }
}

fn iptables(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    if let Some(o) = config_visible(snap) {
        return o;
    }
    let d = &snap.daemon;
    let off = d.flag_bool("--iptables") == Some(false) || d.json_bool("iptables") == Some(false);
    daemon(Verdict::warn_if(
        off,
        format!(
            "--iptables={:?} daemon.json iptables={:?}",
            d.flag("--iptables"),
            d.json_bool("iptables")
        ),
    ))
}

fn insecure_registries(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    let d = &snap.daemon;
    let mut list: Vec<String> = Vec::new();
    if let Some(reg) = &d.info.registry_config {
        // Docker always marks loopback insecure; that default is not a finding.
        for cidr in reg.insecure_registry_cidrs.iter().flatten() {
            if cidr != "127.0.0.0/8" && cidr != "::1/128" {
                list.push(cidr.clone());
            }
        }
        for (name, idx) in reg.index_configs.iter().flatten() {
            if idx.secure == Some(false) {
                list.push(name.clone());
            }
        }
    }
    list.extend(d.flag_values("--insecure-registry"));
    if let Some(serde_json::Value::Array(a)) = d.json_key("insecure-registries") {
        list.extend(a.iter().filter_map(|v| v.as_str()).map(str::to_string));
    }
    list.sort();
    list.dedup();
    daemon(Verdict::warn_if(
        !list.is_empty(),
        format!("insecure registries (besides the 127.0.0.0/8 default): {list:?}"),
    ))
}

fn aufs(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    let drv = snap.daemon.info.driver.clone().unwrap_or_default();
    daemon(Verdict::warn_if(
        drv == "aufs",
        format!("docker info Driver={drv:?}"),
    ))
}

fn tls(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    let d = &snap.daemon;
    let client = crate::engine::daemon_address();
    let tcp: Vec<String> = d
        .hosts()
        .into_iter()
        .filter(|h| !(h.starts_with("unix://") || h.starts_with("fd://") || h.is_empty()))
        .collect();
    if tcp.is_empty() {
        if !d.local && client.starts_with("tcp://") {
            let verify = std::env::var("DOCKER_TLS_VERIFY").is_ok_and(|v| !v.is_empty());
            return daemon(Verdict::warn_if(
                !verify,
                format!(
                    "connected to {client} with DOCKER_TLS_VERIFY {}",
                    if verify { "set" } else { "unset" }
                ),
            ));
        }
        if !d.has_local_config() {
            return daemon(Verdict::info(
                "daemon sockets not visible (no daemon.json or command line)",
            ));
        }
        return daemon(
            Verdict::info("daemon listens on no TCP socket")
                .with_message("not listening on TCP: TLS not needed"),
        );
    }
    let verify = d.flag_bool("--tlsverify") == Some(true) || d.json_bool("tlsverify") == Some(true);
    let tls_on = d.flag_bool("--tls") == Some(true) || d.json_bool("tls") == Some(true);
    if verify {
        daemon(Verdict::pass(format!("TCP {tcp:?} with tlsverify=true")))
    } else if tls_on {
        daemon(Verdict::warn(format!(
            "TCP {tcp:?} with tls but no tlsverify (clients are not authenticated)"
        )))
    } else {
        daemon(Verdict::warn(format!("TCP {tcp:?} without TLS")))
    }
}

fn default_ulimit(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    if let Some(o) = config_visible(snap) {
        return o;
    }
    let d = &snap.daemon;
    let set = d.json_nonempty("default-ulimits") || !d.flag_values("--default-ulimit").is_empty();
    daemon(if set {
        Verdict::pass("default-ulimits set")
    } else {
        Verdict::info("no default-ulimits in daemon.json nor --default-ulimit")
    })
}

fn userns(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    let d = &snap.daemon;
    if let Some(o) = d.security_option("userns") {
        return daemon(Verdict::pass(format!("docker info SecurityOptions: {o}")));
    }
    let set = d
        .json_str("userns-remap")
        .or_else(|| d.flag("--userns-remap").filter(|s| !s.is_empty()));
    daemon(match set {
        Some(v) => Verdict::pass(format!("userns-remap={v}")),
        None => Verdict::warn(
            "docker info SecurityOptions has no name=userns; no userns-remap configured",
        ),
    })
}

fn cgroup_parent(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    if let Some(o) = config_visible(snap) {
        return o;
    }
    let d = &snap.daemon;
    let v = d
        .json_str("cgroup-parent")
        .or_else(|| d.flag("--cgroup-parent").filter(|s| !s.is_empty()));
    daemon(Verdict::warn_if(
        v.is_some(),
        format!("cgroup-parent={:?}", v.unwrap_or_default()),
    ))
}

fn base_device_size(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    if let Some(o) = config_visible(snap) {
        return o;
    }
    let d = &snap.daemon;
    let mut opts = d.flag_values("--storage-opt");
    if let Some(serde_json::Value::Array(a)) = d.json_key("storage-opts") {
        opts.extend(a.iter().filter_map(|v| v.as_str()).map(str::to_string));
    }
    let bad: Vec<&String> = opts.iter().filter(|o| o.contains("dm.basesize")).collect();
    daemon(Verdict::warn_if(
        !bad.is_empty(),
        format!("storage-opts={opts:?}"),
    ))
}

fn authz(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    let d = &snap.daemon;
    let mut plugins: Vec<String> = d
        .info
        .plugins
        .as_ref()
        .and_then(|p| p.authorization.clone())
        .unwrap_or_default();
    plugins.extend(d.flag_values("--authorization-plugin"));
    if let Some(serde_json::Value::Array(a)) = d.json_key("authorization-plugins") {
        plugins.extend(a.iter().filter_map(|v| v.as_str()).map(str::to_string));
    }
    plugins.sort();
    plugins.dedup();
    daemon(Verdict::warn_if(
        plugins.is_empty(),
        format!("docker info Plugins.Authorization={plugins:?}"),
    ))
}

fn remote_logging(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    let drv = snap.daemon.info.logging_driver.clone().unwrap_or_default();
    daemon(Verdict::warn_if(
        matches!(drv.as_str(), "json-file" | "local" | "none" | ""),
        format!("docker info LoggingDriver={drv:?}"),
    ))
}

fn no_new_privs(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    let on = daemon_no_new_privileges(snap);
    daemon(Verdict::warn_if(
        !on,
        format!(
            "--no-new-privileges={:?} daemon.json no-new-privileges={:?}",
            snap.daemon.flag("--no-new-privileges"),
            snap.daemon.json_bool("no-new-privileges")
        ),
    ))
}

fn live_restore(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    let d = &snap.daemon;
    let on =
        d.info.live_restore_enabled == Some(true) || d.flag_bool("--live-restore") == Some(true);
    let swarm = d
        .info
        .swarm
        .as_ref()
        .and_then(|s| s.local_node_state)
        .map(|s| s.to_string())
        .unwrap_or_default();
    if !on && swarm == "active" {
        return daemon(Verdict::pass(
            "LiveRestoreEnabled=false; swarm active (live restore is incompatible)",
        ));
    }
    daemon(Verdict::warn_if(
        !on,
        format!("docker info LiveRestoreEnabled={on}"),
    ))
}

fn userland_proxy(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    if let Some(o) = config_visible(snap) {
        return o;
    }
    let d = &snap.daemon;
    let off = d.flag_bool("--userland-proxy") == Some(false)
        || d.json_bool("userland-proxy") == Some(false);
    daemon(Verdict::warn_if(
        !off,
        format!(
            "--userland-proxy={:?} daemon.json userland-proxy={:?}",
            d.flag("--userland-proxy"),
            d.json_bool("userland-proxy")
        ),
    ))
}

fn seccomp_profile(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    let d = &snap.daemon;
    let json = d
        .json_str("seccomp-profile")
        .or_else(|| d.flag("--seccomp-profile"));
    match d.security_option("seccomp") {
        None => daemon(Verdict::warn(
            "docker info SecurityOptions has no name=seccomp",
        )),
        Some(o) if o.contains("profile=unconfined") => {
            daemon(Verdict::warn(format!("docker info SecurityOptions: {o}")))
        }
        Some(o) => daemon(Verdict::pass(format!(
            "docker info SecurityOptions: {o}{}",
            json.map(|j| format!(" (seccomp-profile={j})"))
                .unwrap_or_default()
        ))),
    }
}

fn experimental(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    let e = snap.daemon.info.experimental_build == Some(true);
    daemon(Verdict::warn_if(
        e,
        format!("docker info ExperimentalBuild={e}"),
    ))
}

macro_rules! c {
    ($id:literal, $cis:literal, $sev:ident, $f:expr, $title:literal, $desc:literal, $res:literal) => {
        Check {
            id: $id,
            cis: $cis,
            title: $title,
            description: $desc,
            resolution: $res,
            severity: Severity::$sev,
            run: Run::Global($f),
        }
    };
}

pub(super) static CHECKS: &[Check] = &[
    c!(
        "AUDIT-2.1",
        "2.1",
        Low,
        rootless,
        "Run the Docker daemon as a non-root user, if possible",
        "docker info SecurityOptions name=rootless → PASS; otherwise NOTE (manual in CIS; docker-bench always prints NOTE).",
        "Consider rootless mode (dockerd-rootless-setuptool.sh)."
    ),
    c!(
        "AUDIT-2.2",
        "2.2",
        Medium,
        icc,
        "Network traffic restricted between containers on the default bridge",
        "Read from the default bridge's effective option com.docker.network.bridge.enable_icc, falling back to --icc / daemon.json icc (docker-bench reads only the latter two).",
        "Set \"icc\": false in daemon.json and use user-defined networks for containers that must talk."
    ),
    c!(
        "AUDIT-2.3",
        "2.3",
        Low,
        log_level,
        "Logging level set to info",
        "daemon.json log-level, else -l/--log-level; docker info Debug=true is flagged too.",
        "Set \"log-level\": \"info\" in daemon.json."
    ),
    c!(
        "AUDIT-2.4",
        "2.4",
        Medium,
        iptables,
        "Docker allowed to make changes to iptables",
        "--iptables=false or daemon.json iptables=false is flagged.",
        "Remove iptables=false."
    ),
    c!(
        "AUDIT-2.5",
        "2.5",
        High,
        insecure_registries,
        "Insecure registries not used",
        "docker info RegistryConfig (insecure CIDRs other than the built-in 127.0.0.0/8, index configs with Secure=false), plus --insecure-registry and daemon.json; docker-bench reads only the flags and daemon.json.",
        "Remove insecure-registries; serve registries over TLS."
    ),
    c!(
        "AUDIT-2.6",
        "2.6",
        Medium,
        aufs,
        "aufs storage driver not used",
        "docker info Driver=aufs is flagged.",
        "Use overlay2."
    ),
    c!(
        "AUDIT-2.7",
        "2.7",
        Critical,
        tls,
        "TLS authentication for the Docker daemon configured",
        "Only relevant when the daemon listens on TCP (daemon.json hosts or -H): tlsverify → PASS, tls alone → WARN (no client authentication), neither → WARN. For a remote daemon the client connection itself is judged.",
        "Use --tlsverify with --tlscacert, --tlscert and --tlskey, or listen on the unix socket only."
    ),
    c!(
        "AUDIT-2.8",
        "2.8",
        Low,
        default_ulimit,
        "Default ulimit configured appropriately",
        "daemon.json default-ulimits or --default-ulimit → PASS, else INFO (manual).",
        "Set \"default-ulimits\" (nofile, nproc) in daemon.json."
    ),
    c!(
        "AUDIT-2.9",
        "2.9",
        Medium,
        userns,
        "User namespace support enabled",
        "docker info SecurityOptions name=userns (what is in effect), else daemon.json userns-remap / --userns-remap.",
        "Set \"userns-remap\": \"default\" in daemon.json."
    ),
    c!(
        "AUDIT-2.10",
        "2.10",
        Low,
        cgroup_parent,
        "Default cgroup usage confirmed",
        "daemon.json cgroup-parent or --cgroup-parent is flagged (docker-bench's daemon.json branch never fires because of a grep bug).",
        "Remove cgroup-parent unless required."
    ),
    c!(
        "AUDIT-2.11",
        "2.11",
        Low,
        base_device_size,
        "Base device size not changed until needed",
        "dm.basesize in storage-opts or --storage-opt is flagged (devicemapper only).",
        "Remove dm.basesize."
    ),
    c!(
        "AUDIT-2.12",
        "2.12",
        Medium,
        authz,
        "Authorization for Docker client commands enabled",
        "docker info Plugins.Authorization (in effect), plus --authorization-plugin and daemon.json authorization-plugins.",
        "Install an authorization plugin and set \"authorization-plugins\" in daemon.json."
    ),
    c!(
        "AUDIT-2.13",
        "2.13",
        Low,
        remote_logging,
        "Centralized and remote logging configured",
        "docker info LoggingDriver json-file, local or none is flagged (docker-bench flags only json-file).",
        "Use a remote log driver (syslog, journald forwarded, fluentd, gelf, …)."
    ),
    c!(
        "AUDIT-2.14",
        "2.14",
        Medium,
        no_new_privs,
        "Containers restricted from acquiring new privileges (daemon default)",
        "--no-new-privileges, daemon.json no-new-privileges=true, or docker info SecurityOptions name=no-new-privileges.",
        "Set \"no-new-privileges\": true in daemon.json."
    ),
    c!(
        "AUDIT-2.15",
        "2.15",
        Low,
        live_restore,
        "Live restore enabled",
        "docker info LiveRestoreEnabled or --live-restore; PASS when swarm is active (incompatible).",
        "Set \"live-restore\": true in daemon.json."
    ),
    c!(
        "AUDIT-2.16",
        "2.16",
        Low,
        userland_proxy,
        "Userland proxy disabled",
        "daemon.json userland-proxy=false or --userland-proxy=false → PASS.",
        "Set \"userland-proxy\": false in daemon.json."
    ),
    c!(
        "AUDIT-2.17",
        "2.17",
        Medium,
        seccomp_profile,
        "Daemon-wide custom seccomp profile applied, if appropriate",
        "docker info SecurityOptions name=seccomp with any profile other than unconfined → PASS. docker-bench looks for the string profile=default only, which engines 23+ report as profile=builtin.",
        "Keep seccomp on; set \"seccomp-profile\" to a custom profile if the default does not fit."
    ),
    c!(
        "AUDIT-2.18",
        "2.18",
        Low,
        experimental,
        "Experimental features not used in production",
        "docker info ExperimentalBuild=true is flagged on every engine version (docker-bench only checks engines up to 19.03).",
        "Remove \"experimental\": true."
    ),
];

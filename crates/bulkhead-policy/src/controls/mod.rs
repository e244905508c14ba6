//! One file per control. Each exposes `CONTROL` (its identity and the ids
//! the commands report it under) and `check(&ContainerSpec) ->
//! Option<Finding>`; controls `harden` proposes a value for also expose
//! `propose(&ContainerSpec, …)`.
//!
//! To add a control: create the file here, add it to the `controls!` list
//! below, and call its `check` from the Compose rule
//! (`bulkhead-lint/src/rules/compose/coNNN_*.rs`) and the audit check
//! (`bulkhead-audit/src/checks/s5_*.rs`) that report it.

macro_rules! controls {
    ($($m:ident),* $(,)?) => {
        $(pub mod $m;)*
        /// Every control.
        pub static ALL: &[&crate::Control] = &[$(&$m::CONTROL),*];
        /// Run every control's check.
        pub fn check_all(s: &bulkhead_types::ContainerSpec) -> Vec<crate::Finding> {
            let mut out = Vec::new();
            $(out.extend($m::check(s));)*
            out
        }
    };
}

controls! {
    user,
    read_only,
    read_only_tmp,
    cap_drop_all,
    cap_add,
    privileged,
    no_new_privileges,
    seccomp,
    mac,
    host_network,
    host_pid,
    host_ipc,
    host_other_ns,
    docker_socket,
    sensitive_mount,
    devices,
    device_cgroup_rules,
    memory_limit,
    cpu_limit,
    pids_limit,
    healthcheck,
    tmpfs_options,
    port_all_interfaces,
    propagation,
    env_secrets,
    image_pinning,
    restart_policy,
}

#[cfg(test)]
mod tests;

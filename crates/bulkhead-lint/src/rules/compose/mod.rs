//! Compose rules, one file per rule. To add one: create the file with a
//! `rule!{…}` block and a `check` function, and add its module name below.

macro_rules! register {
    ($($m:ident),* $(,)?) => {
        $(pub mod $m;)*
        /// Every Compose rule, in id order.
        pub static RULES: &[&crate::rules::Rule] = &[$(&$m::RULE),*];
    };
}

register! {
    co001_root_user,
    co002_no_user,
    co003_read_only,
    co004_cap_drop_all,
    co005_cap_add,
    co006_privileged,
    co007_no_new_privileges,
    co008_seccomp_unconfined,
    co009_apparmor_unconfined,
    co010_network_host,
    co011_pid_host,
    co012_ipc_host,
    co013_other_host_ns,
    co014_docker_socket,
    co015_sensitive_mount,
    co016_devices,
    co017_memory_limit,
    co018_cpu_limit,
    co019_pids_limit,
    co020_env_secrets,
    co021_healthcheck,
    co022_image_unpinned,
    co023_image_digest,
    co024_tmpfs_options,
    co025_read_only_no_tmpfs,
    co026_invalid_file,
    co027_port_all_interfaces,
    co028_shared_propagation,
    co029_device_cgroup_rule,
}

//! Dockerfile rules, one file per rule. To add one: create the file with a
//! `rule!{…}` block and a `check` function, and add its module name below.

pub mod common;
mod pm;

macro_rules! register {
    ($($m:ident),* $(,)?) => {
        $(pub mod $m;)*
        /// Every Dockerfile rule, in id order.
        pub static RULES: &[&crate::rules::Rule] = &[$(&$m::RULE),*];
    };
}

register! {
    df001_root_user,
    df002_numeric_user,
    df003_chown_in_run,
    df004_secret_name,
    df005_secret_value,
    df006_secret_file_copied,
    df007_context_secrets,
    df008_no_healthcheck,
    df009_unpinned_base,
    df010_no_digest,
    df011_add_url,
    df012_add_local,
    df013_curl_pipe_shell,
    df014_sudo,
    df015_no_install_recommends,
    df016_apt_lists,
    df017_apk_no_cache,
    df018_apt_no_yes,
    df019_update_alone,
    df020_world_writable,
    df021_expose_ssh,
    df022_dist_upgrade,
    df023_rpm_cache,
    df024_pip_cache,
    df025_relative_workdir,
    df026_system_workdir,
    df027_port_range,
    df028_multiple_cmd,
    df029_maintainer,
    df030_run_cd,
    df031_copy_dest_slash,
    df032_copy_from_self,
    df033_duplicate_stage,
    df034_shell_form_cmd,
    df035_pipefail,
    df036_copy_whole_fs,
    df037_syntax_error,
    df038_wget_and_curl,
    df039_apt,
    df040_sensitive_volume,
    df041_credentials_in_run,
    df042_apt_pin,
    df043_pip_pin,
    df044_npm_pin,
    df045_apk_pin,
    df046_gem_pin,
    df047_yum_pin,
    df048_dnf_pin,
    df049_zypper_pin,
    df050_rpm_no_yes,
}

//! Kubernetes manifest rules, one file per rule. To add one: create the file
//! with a `rule!{…}` block and a `check` function reading
//! [`KubernetesCx`](crate::rules::KubernetesCx), and add its module name
//! below. Findings sit on the line of the key that is wrong, or on the
//! container's (or pod spec's) line when the key is missing, so an inline
//! `# bulkhead:ignore` above that line suppresses them.

macro_rules! register {
    ($($m:ident),* $(,)?) => {
        $(pub mod $m;)*
        /// Every Kubernetes rule, in id order.
        pub static RULES: &[&crate::rules::Rule] = &[$(&$m::RULE),*];
    };
}

register! {
    k8001_privileged,
    k8002_privilege_escalation,
    k8003_run_as_root,
    k8004_read_only_root,
    k8005_cap_drop_all,
    k8006_cap_add,
    k8007_seccomp,
    k8008_host_namespaces,
    k8009_host_path,
    k8010_memory_limit,
    k8011_cpu_limit,
    k8012_invalid_file,
}

use crate::kubernetes::{At, Container, Object};

/// `Deployment web, container app`: where a finding is.
pub(crate) fn at(o: &Object, c: &Container) -> String {
    format!("{}, {}", o.label(), c.label())
}

/// The line of a key that is set, else `fallback` (the container's line).
pub(crate) fn line_or<T>(v: Option<&At<T>>, fallback: usize) -> usize {
    v.map_or(fallback, |a| a.line)
}

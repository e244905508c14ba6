//! AppArmor profiles for containers from a small declarative policy (TOML).
//!
//! The output follows the structure of Docker's `docker-default` template
//! (preamble, profile flags, network/capability/file rules, signal rules for
//! the runtime, the /proc and /sys deny rules, `deny mount`, ptrace within
//! the profile) but replaces its broad `network,`, `capability,` and `file,`
//! with exactly what the policy lists.
//!
//! Policy example:
//!
//! ```toml
//! name = "bulkhead-web"
//! read = ["/etc/**", "/usr/**"]
//! write = ["/tmp/**"]
//! exec = ["/bin/busybox"]
//! network = ["inet stream", "inet6 stream"]
//! capabilities = ["net_bind_service"]
//! deny = ["/etc/shadow"]
//! ```

use serde::Deserialize;
use std::fmt::Write as _;
use std::str::FromStr;

/// The policy file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Profile name (letters, digits, `-`, `_`, `.`).
    pub name: String,
    /// Paths (AppArmor globs) the container may read and map.
    #[serde(default)]
    pub read: Vec<String>,
    /// Paths it may read, write, lock and create.
    #[serde(default)]
    pub write: Vec<String>,
    /// Executables it may run (inheriting this profile).
    #[serde(default)]
    pub exec: Vec<String>,
    /// Network rules: `family [type|protocol]`, e.g. `inet stream`, `inet6 tcp`, `unix`.
    #[serde(default)]
    pub network: Vec<String>,
    /// Capabilities kept (with or without `CAP_`, any case).
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Paths denied whatever else allows them (read, write, link, exec).
    #[serde(default)]
    pub deny: Vec<String>,
    /// Paths denied for writing only.
    #[serde(default)]
    pub deny_write: Vec<String>,
    /// Profile of the Docker daemon, allowed to signal the container.
    #[serde(default = "default_daemon")]
    pub daemon_profile: String,
    /// Emit `#include` lines (tunables/global, abstractions/base) as
    /// docker-default does; turn off for hosts without /etc/apparmor.d.
    #[serde(default = "default_true")]
    pub includes: bool,
}

fn default_daemon() -> String {
    "unconfined".into()
}

fn default_true() -> bool {
    true
}

/// Why a policy was rejected.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("policy is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("policy: {0}")]
    Invalid(String),
}

/// Address families AppArmor's `network` rule knows (apparmor.d(5)); the
/// parser has no crate, so the list is here.
const FAMILIES: &[&str] = &[
    "unix",
    "inet",
    "inet6",
    "ax25",
    "ipx",
    "appletalk",
    "netrom",
    "bridge",
    "atmpvc",
    "x25",
    "rose",
    "netbeui",
    "security",
    "key",
    "netlink",
    "packet",
    "ash",
    "econet",
    "atmsvc",
    "rds",
    "sna",
    "irda",
    "pppox",
    "wanpipe",
    "llc",
    "ib",
    "mpls",
    "can",
    "tipc",
    "bluetooth",
    "iucv",
    "rxrpc",
    "isdn",
    "phonet",
    "ieee802154",
    "caif",
    "alg",
    "nfc",
    "vsock",
    "kcm",
    "qipcrtr",
    "smc",
    "xdp",
    "mctp",
];
const TYPES_PROTOCOLS: &[&str] = &[
    "stream",
    "dgram",
    "seqpacket",
    "rdm",
    "raw",
    "packet",
    "tcp",
    "udp",
    "icmp",
    "icmpv6",
];

fn check_name(name: &str) -> Result<(), PolicyError> {
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(PolicyError::Invalid(format!(
            "name `{name}` must be non-empty and use only letters, digits, `-`, `_`, `.`"
        )));
    }
    Ok(())
}

/// A path rule's path, quoted when it has spaces.
fn path(p: &str, field: &str) -> Result<String, PolicyError> {
    if !(p.starts_with('/') || p.starts_with("@{")) {
        return Err(PolicyError::Invalid(format!(
            "{field}: `{p}` must be an absolute path or start with an @{{variable}}"
        )));
    }
    if p.contains(['"', ',', '\n', '\r', '\0', '#']) {
        return Err(PolicyError::Invalid(format!(
            "{field}: `{p}` contains a character AppArmor paths cannot hold here (\", comma, #, newline)"
        )));
    }
    Ok(if p.contains(char::is_whitespace) {
        format!("\"{p}\"")
    } else {
        p.to_string()
    })
}

fn capability(c: &str) -> Result<String, PolicyError> {
    let upper = c.trim().to_ascii_uppercase();
    let full = if upper.starts_with("CAP_") {
        upper
    } else {
        format!("CAP_{upper}")
    };
    let cap = caps::Capability::from_str(&full).map_err(|_| {
        PolicyError::Invalid(format!(
            "capabilities: `{c}` is not a Linux capability (e.g. net_bind_service, chown)"
        ))
    })?;
    Ok(cap
        .to_string()
        .trim_start_matches("CAP_")
        .to_ascii_lowercase())
}

fn network(rule: &str) -> Result<String, PolicyError> {
    let words: Vec<&str> = rule.split_whitespace().collect();
    let ok = match words.as_slice() {
        [f] => FAMILIES.contains(f),
        [f, t] => FAMILIES.contains(f) && TYPES_PROTOCOLS.contains(t),
        _ => false,
    };
    if !ok {
        return Err(PolicyError::Invalid(format!(
            "network: `{rule}` must be `FAMILY [TYPE|PROTOCOL]` (e.g. `inet stream`, `inet6 tcp`, `unix`)"
        )));
    }
    Ok(words.join(" "))
}

impl Policy {
    /// Parse a TOML policy.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let p: Policy = toml::from_str(text)?;
        check_name(&p.name)?;
        check_name(&p.daemon_profile)?;
        Ok(p)
    }
}

/// Render the AppArmor profile text.
pub fn generate(policy: &Policy) -> Result<String, PolicyError> {
    check_name(&policy.name)?;
    check_name(&policy.daemon_profile)?;
    let mut caps: Vec<String> = policy
        .capabilities
        .iter()
        .map(|c| capability(c))
        .collect::<Result<_, _>>()?;
    caps.sort();
    caps.dedup();
    let mut nets: Vec<String> = policy
        .network
        .iter()
        .map(|n| network(n))
        .collect::<Result<_, _>>()?;
    nets.sort();
    nets.dedup();
    let paths = |list: &[String], field: &str| -> Result<Vec<String>, PolicyError> {
        let mut v: Vec<String> = list
            .iter()
            .map(|p| path(p, field))
            .collect::<Result<_, _>>()?;
        v.sort();
        v.dedup();
        Ok(v)
    };
    let read = paths(&policy.read, "read")?;
    let write = paths(&policy.write, "write")?;
    let exec = paths(&policy.exec, "exec")?;
    let deny = paths(&policy.deny, "deny")?;
    let deny_write = paths(&policy.deny_write, "deny_write")?;

    let name = &policy.name;
    let mut s = String::new();
    // Writing to a String cannot fail; the results are ignored below.
    let _ = writeln!(
        s,
        "# AppArmor profile generated by bulkhead (structure of docker-default)."
    );
    let _ = writeln!(
        s,
        "# Load with: apparmor_parser -r -W FILE; run with --security-opt apparmor={name}"
    );
    let _ = writeln!(s, "abi <abi/3.0>,");
    if policy.includes {
        let _ = writeln!(s, "#include <tunables/global>");
    } else {
        let _ = writeln!(s, "@{{PROC}}=/proc/");
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "profile \"{name}\" flags=(attach_disconnected,mediate_deleted) {{"
    );
    if policy.includes {
        let _ = writeln!(s, "  #include <abstractions/base>");
        let _ = writeln!(s);
    }
    let _ = writeln!(
        s,
        "  # Network: only the listed families; never the kernel crypto API."
    );
    for n in &nets {
        let _ = writeln!(s, "  network {n},");
    }
    let _ = writeln!(s, "  deny network alg,");
    let _ = writeln!(s);
    let _ = writeln!(s, "  # Capabilities the container keeps.");
    for c in &caps {
        let _ = writeln!(s, "  capability {c},");
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "  # Files.");
    for p in &read {
        let _ = writeln!(s, "  {p} r,");
    }
    for p in &write {
        let _ = writeln!(s, "  {p} rwk,");
    }
    for p in &exec {
        let _ = writeln!(s, "  {p} mrix,");
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "  # Signals from the host, the runtime and the daemon; within the container."
    );
    let _ = writeln!(s, "  signal (receive) peer=unconfined,");
    let _ = writeln!(s, "  signal (receive) peer=runc,");
    let _ = writeln!(s, "  signal (receive) peer=crun,");
    if policy.daemon_profile != "unconfined" {
        let _ = writeln!(s, "  signal (receive) peer=\"{}\",", policy.daemon_profile);
    }
    let _ = writeln!(s, "  signal (send,receive) peer=\"{name}\",");
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "  # /proc: no writes outside per-process entries and /proc/sys/kernel/shm*."
    );
    let _ = writeln!(s, "  deny @{{PROC}}/* w,");
    let _ = writeln!(
        s,
        "  deny @{{PROC}}/{{[^1-9/],[^1-9/][^0-9/],[^1-9s/][^0-9y/][^0-9s/],[^1-9/][^0-9/][^0-9/][^0-9/]*}}/** w,"
    );
    let _ = writeln!(s, "  deny @{{PROC}}/sys/[^k]** w,");
    let _ = writeln!(s, "  deny @{{PROC}}/sys/kernel/{{?,??,[^s][^h][^m]**}} w,");
    let _ = writeln!(s, "  deny @{{PROC}}/sysrq-trigger rwklx,");
    let _ = writeln!(s, "  deny @{{PROC}}/kcore rwklx,");
    let _ = writeln!(s);
    let _ = writeln!(s, "  deny mount,");
    let _ = writeln!(s, "  deny umount,");
    let _ = writeln!(s, "  deny pivot_root,");
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "  # /sys: read-only except the cgroup tree; firmware, powercap and LSM state hidden."
    );
    let _ = writeln!(s, "  deny /sys/[^f]*/** wklx,");
    let _ = writeln!(s, "  deny /sys/f[^s]*/** wklx,");
    let _ = writeln!(s, "  deny /sys/fs/[^c]*/** wklx,");
    let _ = writeln!(s, "  deny /sys/fs/c[^g]*/** wklx,");
    let _ = writeln!(s, "  deny /sys/fs/cg[^r]*/** wklx,");
    let _ = writeln!(s, "  deny /sys/firmware/** rwklx,");
    let _ = writeln!(s, "  deny /sys/devices/virtual/powercap/** rwklx,");
    let _ = writeln!(s, "  deny /sys/kernel/security/** rwklx,");
    if !deny.is_empty() || !deny_write.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "  # Denied by the policy.");
        for p in &deny {
            let _ = writeln!(s, "  deny {p} rwklx,");
        }
        for p in &deny_write {
            let _ = writeln!(s, "  deny {p} wkl,");
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "  ptrace (trace,tracedby,read,readby) peer=\"{name}\",");
    let _ = writeln!(s, "}}");
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_input() {
        let e = Policy::from_toml("name = \"x y\"").unwrap_err().to_string();
        assert!(e.contains("name `x y`"), "{e}");
        let e = Policy::from_toml("nam = \"x\"").unwrap_err().to_string();
        assert!(e.contains("not valid TOML"), "{e}");
        let p = Policy::from_toml("name = \"x\"\ncapabilities = [\"flying\"]").unwrap();
        assert!(generate(&p).unwrap_err().to_string().contains("`flying`"));
        let p = Policy::from_toml("name = \"x\"\nread = [\"etc\"]").unwrap();
        assert!(generate(&p).unwrap_err().to_string().contains("absolute"));
        let p = Policy::from_toml("name = \"x\"\nnetwork = [\"inet bogus\"]").unwrap();
        assert!(generate(&p).unwrap_err().to_string().contains("FAMILY"));
    }

    #[test]
    fn capability_forms() {
        assert_eq!(
            capability("CAP_NET_BIND_SERVICE").unwrap(),
            "net_bind_service"
        );
        assert_eq!(capability("chown").unwrap(), "chown");
    }
}

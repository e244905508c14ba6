//! A `docker run …` command line → [`ContainerSpec`]. The text is split
//! like a POSIX shell would (the `shlex` crate) and its flags are read;
//! nothing is ever executed.
//!
//! Accepted: an optional leading `docker run` / `docker container run`,
//! then `docker run`'s own flags (long `--flag value` / `--flag=value`,
//! short `-u 0` / `-u0` / `-it`), then the image and its command, which end
//! the flags. A flag `docker run` does not have is an error rather than a
//! guess: whether it takes a value decides where the image is.

use crate::util::parse_bytes;
use bulkhead_types::{
    ContainerSpec, MountKind, SecurityOpt, SpecEnv, SpecHealthcheck, SpecMount, SpecPort,
    SpecRestart, SpecSource, SpecTmpfs, cap_name, parse_go_bool,
};

/// Why a command line could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("docker run flags: {message}")]
pub struct RunFlagsError {
    pub message: String,
}

fn err(message: impl Into<String>) -> RunFlagsError {
    RunFlagsError {
        message: message.into(),
    }
}

/// Longest command line accepted (a real one is a few KiB).
pub const MAX_COMMAND_LINE: usize = 1 << 20;

/// `docker run` flags that take a value (long names; aliases resolved by
/// [`canonical`]).
const VALUE_FLAGS: &[&str] = &[
    "add-host",
    "annotation",
    "attach",
    "blkio-weight",
    "blkio-weight-device",
    "cap-add",
    "cap-drop",
    "cgroup-parent",
    "cgroupns",
    "cidfile",
    "cpu-count",
    "cpu-percent",
    "cpu-period",
    "cpu-quota",
    "cpu-rt-period",
    "cpu-rt-runtime",
    "cpu-shares",
    "cpus",
    "cpuset-cpus",
    "cpuset-mems",
    "detach-keys",
    "device",
    "device-cgroup-rule",
    "device-read-bps",
    "device-read-iops",
    "device-write-bps",
    "device-write-iops",
    "dns",
    "dns-opt",
    "dns-option",
    "dns-search",
    "domainname",
    "entrypoint",
    "env",
    "env-file",
    "expose",
    "gpus",
    "group-add",
    "health-cmd",
    "health-interval",
    "health-retries",
    "health-start-interval",
    "health-start-period",
    "health-timeout",
    "hostname",
    "io-maxbandwidth",
    "io-maxiops",
    "ip",
    "ip6",
    "ipc",
    "isolation",
    "kernel-memory",
    "label",
    "label-file",
    "link",
    "link-local-ip",
    "log-driver",
    "log-opt",
    "mac-address",
    "memory",
    "memory-reservation",
    "memory-swap",
    "memory-swappiness",
    "mount",
    "name",
    "network",
    "network-alias",
    "oom-score-adj",
    "pid",
    "pids-limit",
    "platform",
    "publish",
    "pull",
    "restart",
    "runtime",
    "security-opt",
    "shm-size",
    "stop-signal",
    "stop-timeout",
    "storage-opt",
    "sysctl",
    "tmpfs",
    "ulimit",
    "user",
    "userns",
    "uts",
    "volume",
    "volume-driver",
    "volumes-from",
    "workdir",
];

/// Boolean flags (`--flag`, `--flag=true|false`).
const BOOL_FLAGS: &[&str] = &[
    "detach",
    "disable-content-trust",
    "help",
    "init",
    "interactive",
    "no-healthcheck",
    "oom-kill-disable",
    "privileged",
    "publish-all",
    "quiet",
    "read-only",
    "rm",
    "sig-proxy",
    "tty",
    "use-api-socket",
];

/// Long name of a flag given by its short letter or an alias.
fn canonical(name: &str) -> &str {
    match name {
        "a" => "attach",
        "c" => "cpu-shares",
        "d" => "detach",
        "e" => "env",
        "h" => "hostname",
        "i" => "interactive",
        "l" => "label",
        "m" => "memory",
        "p" => "publish",
        "P" => "publish-all",
        "q" => "quiet",
        "t" => "tty",
        "u" => "user",
        "v" => "volume",
        "w" => "workdir",
        "net" => "network",
        "net-alias" => "network-alias",
        "dns-opt" => "dns-option",
        other => other,
    }
}

enum Arity {
    Value,
    Bool,
}

fn arity(name: &str) -> Option<Arity> {
    if VALUE_FLAGS.contains(&name) {
        Some(Arity::Value)
    } else if BOOL_FLAGS.contains(&name) {
        Some(Arity::Bool)
    } else {
        None
    }
}

/// What was read from a command line besides the spec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunCommand {
    pub spec: ContainerSpec,
    /// The command after the image, as given.
    pub command: Vec<String>,
    /// Flags read but not modelled (`--name x`), for the caller to show.
    pub ignored: Vec<String>,
}

/// Parse `docker run` flags (with or without the leading `docker run`).
pub fn parse(line: &str) -> Result<RunCommand, RunFlagsError> {
    if line.len() > MAX_COMMAND_LINE {
        return Err(err(format!(
            "the command line is {} bytes, more than the {} KiB accepted",
            line.len(),
            MAX_COMMAND_LINE >> 10
        )));
    }
    let words = shlex::split(line).ok_or_else(|| {
        err("unbalanced quotes or a trailing backslash: the line cannot be split into words")
    })?;
    parse_words(&words)
}

/// Parse already-split words.
pub fn parse_words(words: &[String]) -> Result<RunCommand, RunFlagsError> {
    let mut rest: &[String] = words;
    if rest
        .first()
        .is_some_and(|w| w == "docker" || w.ends_with("/docker"))
    {
        rest = rest.get(1..).unwrap_or(&[]);
        if rest.first().is_some_and(|w| w == "container") {
            rest = rest.get(1..).unwrap_or(&[]);
        }
        match rest.first().map(String::as_str) {
            Some("run" | "create") => rest = rest.get(1..).unwrap_or(&[]),
            Some(other) => {
                return Err(err(format!(
                    "`docker {other}` is not `docker run`: only run (or create) flags are read"
                )));
            }
            None => return Err(err("`docker` without a subcommand")),
        }
    } else if rest.first().is_some_and(|w| w == "run") {
        rest = rest.get(1..).unwrap_or(&[]);
    }
    let mut out = RunCommand {
        spec: ContainerSpec {
            source: SpecSource::RunFlags,
            ..ContainerSpec::default()
        },
        ..RunCommand::default()
    };
    let mut i = 0;
    while let Some(word) = rest.get(i) {
        i += 1;
        if word == "--" {
            break;
        }
        if let Some(long) = word.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let name = canonical(name);
            match arity(name) {
                None => return Err(err(format!("unknown flag --{name} (word {i})"))),
                Some(Arity::Bool) => {
                    let on = match inline {
                        None => true,
                        Some(v) => parse_go_bool(&v).ok_or_else(|| {
                            err(format!("--{name}={v}: a boolean flag takes true or false"))
                        })?,
                    };
                    apply_bool(&mut out, name, on);
                }
                Some(Arity::Value) => {
                    let value = match inline {
                        Some(v) => v,
                        None => {
                            let v = rest
                                .get(i)
                                .ok_or_else(|| err(format!("--{name} needs a value")))?;
                            i += 1;
                            v.clone()
                        }
                    };
                    apply_value(&mut out, name, &value)?;
                }
            }
        } else if let Some(short) = word.strip_prefix('-').filter(|s| !s.is_empty()) {
            // `-it`, `-u0`, `-p8080:80`, `-v=/a:/b`, `-P=false`.
            let chars: Vec<(usize, char)> = short.char_indices().collect();
            let mut k = 0;
            while let Some(&(at, c)) = chars.get(k) {
                k += 1;
                let letter = c.to_string();
                let name = canonical(&letter);
                let tail = short.get(at + c.len_utf8()..).unwrap_or("");
                match arity(name) {
                    None => return Err(err(format!("unknown flag -{c} (word {i})"))),
                    Some(Arity::Bool) => {
                        if let Some(v) = tail.strip_prefix('=') {
                            let on = parse_go_bool(v).ok_or_else(|| {
                                err(format!("-{c}={v}: a boolean flag takes true or false"))
                            })?;
                            apply_bool(&mut out, name, on);
                            break;
                        }
                        apply_bool(&mut out, name, true);
                    }
                    Some(Arity::Value) => {
                        let value = if tail.is_empty() {
                            let v = rest
                                .get(i)
                                .ok_or_else(|| err(format!("-{c} needs a value")))?;
                            i += 1;
                            v.clone()
                        } else {
                            tail.strip_prefix('=').unwrap_or(tail).to_string()
                        };
                        apply_value(&mut out, name, &value)?;
                        break;
                    }
                }
            }
        } else {
            out.spec.image = Some(word.clone());
            out.command = rest.get(i..).unwrap_or(&[]).to_vec();
            return Ok(out);
        }
    }
    // `--` ends the flags: the image follows.
    if let Some(image) = rest.get(i) {
        out.spec.image = Some(image.clone());
        out.command = rest.get(i + 1..).unwrap_or(&[]).to_vec();
    }
    Ok(out)
}

fn apply_bool(out: &mut RunCommand, name: &str, on: bool) {
    let s = &mut out.spec;
    match name {
        "privileged" => s.privileged = on,
        "read-only" => s.read_only = on,
        "publish-all" => s.publish_all = on,
        "use-api-socket" => s.use_api_socket = on,
        "no-healthcheck" if on => {
            s.healthcheck = Some(SpecHealthcheck {
                test: vec!["NONE".to_string()],
                disabled: true,
            })
        }
        _ => out.ignored.push(format!("--{name}={on}")),
    }
}

fn int(name: &str, v: &str) -> Result<i64, RunFlagsError> {
    v.trim()
        .parse()
        .map_err(|_| err(format!("--{name} {v:?}: not an integer")))
}

fn bytes(name: &str, v: &str) -> Result<u64, RunFlagsError> {
    parse_bytes(v).ok_or_else(|| err(format!("--{name} {v:?}: not a size (512m, 1g, …)")))
}

fn apply_value(out: &mut RunCommand, name: &str, v: &str) -> Result<(), RunFlagsError> {
    let s = &mut out.spec;
    match name {
        "user" => s.user = Some(v.to_string()),
        "cap-add" => s.cap_add.push(cap_name(v)),
        "cap-drop" => s.cap_drop.push(cap_name(v)),
        "security-opt" => s.security_opt.push(SecurityOpt::parse(v)),
        "network" => s.namespaces.network = Some(v.to_string()),
        "pid" => s.namespaces.pid = Some(v.to_string()),
        "ipc" => s.namespaces.ipc = Some(v.to_string()),
        "uts" => s.namespaces.uts = Some(v.to_string()),
        "userns" => s.namespaces.userns = Some(v.to_string()),
        "cgroupns" => s.namespaces.cgroup = Some(v.to_string()),
        "cgroup-parent" => s.cgroup_parent = Some(v.to_string()),
        "memory" => s.memory = Some(bytes(name, v)?),
        "cpus" => {
            let c: f64 = v
                .trim()
                .parse()
                .ok()
                .filter(|c: &f64| c.is_finite() && *c >= 0.0 && *c < 1e9)
                .ok_or_else(|| err(format!("--cpus {v:?}: not a number of CPUs")))?;
            s.cpu.nano_cpus = Some((c * 1e9) as i64);
        }
        "cpu-shares" => s.cpu.shares = Some(int(name, v)?),
        "cpu-quota" => s.cpu.quota = Some(int(name, v)?),
        "cpuset-cpus" => s.cpu.cpuset = Some(v.to_string()),
        "pids-limit" => s.pids_limit = Some(int(name, v)?),
        "tmpfs" => s.tmpfs.push(tmpfs(v)),
        "volume" => s.mounts.push(volume(v)?),
        "mount" => match mount(v)? {
            Mounted::Tmpfs(t) => s.tmpfs.push(t),
            Mounted::Mount(m) => s.mounts.push(m),
        },
        "publish" => s.ports.push(port(v)?),
        "expose" => s.exposed_ports.push(v.to_string()),
        "device" => s.devices.push(v.split(':').next().unwrap_or(v).to_string()),
        "device-cgroup-rule" => s.device_cgroup_rules.push(v.to_string()),
        "env" => {
            let (n, val) = match v.split_once('=') {
                Some((n, val)) => (n, Some(val.to_string())),
                None => (v, None),
            };
            s.env.push(SpecEnv {
                name: n.to_string(),
                from_host: val.is_none(),
                value: val,
                line: 0,
            });
        }
        "health-cmd" => {
            s.healthcheck = Some(SpecHealthcheck {
                test: vec!["CMD-SHELL".to_string(), v.to_string()],
                disabled: false,
            })
        }
        "restart" => {
            let (n, max) = v.split_once(':').unwrap_or((v, "0"));
            s.restart = Some(SpecRestart {
                name: n.to_string(),
                max_retries: int(name, max)?,
            });
        }
        "name" => s.name = v.to_string(),
        _ => out.ignored.push(format!("--{name} {v}")),
    }
    Ok(())
}

/// `/tmp:rw,noexec,size=64m`.
pub fn tmpfs(v: &str) -> SpecTmpfs {
    let (target, opts) = v.split_once(':').unwrap_or((v, ""));
    SpecTmpfs {
        target: target.trim().to_string(),
        options: opts
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(str::to_string)
            .collect(),
    }
}

const PROPAGATION: &[&str] = &[
    "shared", "rshared", "slave", "rslave", "private", "rprivate",
];

/// `-v` forms: `/ctr` (anonymous volume), `name:/ctr`, `/host:/ctr`,
/// `/host:/ctr:ro,rshared,z`.
pub fn volume(v: &str) -> Result<SpecMount, RunFlagsError> {
    let parts: Vec<&str> = v.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [t] => ("", *t, ""),
        [s, t] => (*s, *t, ""),
        [s, t, m] => (*s, *t, *m),
        _ => {
            return Err(err(format!(
                "-v {v:?}: more than three `:`-separated parts"
            )));
        }
    };
    if target.is_empty() {
        return Err(err(format!("-v {v:?}: no container path")));
    }
    let modes: Vec<&str> = mode.split(',').map(str::trim).collect();
    Ok(SpecMount {
        kind: if source.starts_with('/') || source.starts_with('.') || source.starts_with('~') {
            MountKind::Bind
        } else {
            MountKind::Volume
        },
        source: source.to_string(),
        target: target.to_string(),
        read_only: modes.contains(&"ro"),
        propagation: modes
            .iter()
            .find(|m| PROPAGATION.contains(m))
            .map(|m| m.to_string()),
        line: 0,
    })
}

enum Mounted {
    Mount(SpecMount),
    Tmpfs(SpecTmpfs),
}

/// `--mount type=bind,source=/a,target=/b,readonly,bind-propagation=rshared`.
fn mount(v: &str) -> Result<Mounted, RunFlagsError> {
    let mut m = SpecMount::default();
    let mut kind = "volume";
    let mut tmpfs_opts = Vec::new();
    for field in v.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let (k, val) = field.split_once('=').unwrap_or((field, ""));
        match k.to_ascii_lowercase().as_str() {
            "type" => kind = val,
            "source" | "src" => m.source = val.to_string(),
            "target" | "destination" | "dst" => m.target = val.to_string(),
            "readonly" | "ro" => m.read_only = val.is_empty() || parse_go_bool(val) == Some(true),
            "bind-propagation" => m.propagation = Some(val.to_string()),
            "tmpfs-size" => tmpfs_opts.push(format!("size={val}")),
            "tmpfs-mode" => tmpfs_opts.push(format!("mode={val}")),
            _ => {}
        }
    }
    if m.target.is_empty() {
        return Err(err(format!("--mount {v:?}: no target")));
    }
    m.kind = match kind {
        "bind" => MountKind::Bind,
        "volume" => MountKind::Volume,
        "tmpfs" => {
            return Ok(Mounted::Tmpfs(SpecTmpfs {
                target: m.target,
                options: tmpfs_opts,
            }));
        }
        _ => MountKind::Other,
    };
    Ok(Mounted::Mount(m))
}

/// `-p` forms: `80`, `8080:80`, `127.0.0.1:8080:80/tcp`, `127.0.0.1::80`,
/// `[::1]:8080:80`.
pub fn port(v: &str) -> Result<SpecPort, RunFlagsError> {
    let (spec, proto) = v.rsplit_once('/').unwrap_or((v, "tcp"));
    let (host_ip, rest) = if let Some(r) = spec.strip_prefix('[') {
        let (ip, after) = r
            .split_once(']')
            .ok_or_else(|| err(format!("-p {v:?}: unclosed `[`")))?;
        (ip, after.strip_prefix(':').unwrap_or(after))
    } else {
        ("", spec)
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let (ip, published, target) = match parts.as_slice() {
        [c] => (host_ip, "", *c),
        [h, c] if !host_ip.is_empty() => (host_ip, *h, *c),
        [h, c] => ("", *h, *c),
        [ip, h, c] if host_ip.is_empty() => (*ip, *h, *c),
        _ => return Err(err(format!("-p {v:?}: not [ip:][host:]container[/proto]"))),
    };
    if target.is_empty() {
        return Err(err(format!("-p {v:?}: no container port")));
    }
    Ok(SpecPort {
        host_ip: ip.to_string(),
        published: published.to_string(),
        target: target.to_string(),
        protocol: proto.to_ascii_lowercase(),
        line: 0,
    })
}

#[cfg(test)]
#[path = "run_flags_tests.rs"]
mod tests;

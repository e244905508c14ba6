//! The daemon's configuration as three sources show it: the Engine API
//! `/info` (authoritative for what is in effect), `daemon.json`, and the
//! `dockerd` command line from `/proc/<pid>/cmdline`.
//!
//! docker-bench reads only the last two for most section-2 checks; where
//! `/info` (or the default bridge's options) shows the effective value we
//! prefer it and say so in the check.

use bollard::models::SystemInfo;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Everything known about the daemon's configuration.
#[derive(Debug, Clone, Default)]
pub struct DaemonConfig {
    /// `GET /info`.
    pub info: SystemInfo,
    /// Server version (`/version` `.Version`, or `/info` `.ServerVersion`).
    pub server_version: String,
    /// `daemon.json` parsed, when found and readable.
    pub json: Option<Value>,
    /// Where `daemon.json` was looked for.
    pub json_path: Option<PathBuf>,
    /// Arguments of the dockerd process (without argv\[0\]), when found.
    pub cmdline: Option<Vec<String>>,
    /// Options of the default bridge network (`com.docker.network.bridge.*`).
    pub bridge_options: HashMap<String, String>,
    /// The daemon runs on this machine (unix socket or tcp to localhost), so
    /// local files and processes describe it.
    pub local: bool,
}

/// Long dockerd flags docker-bench normalises to their short form.
const ALIASES: [(&str, &str); 3] = [("--debug", "-D"), ("--host", "-H"), ("--log-level", "-l")];

fn canonical(flag: &str) -> &str {
    ALIASES
        .iter()
        .find(|(long, _)| *long == flag)
        .map_or(flag, |(_, short)| short)
}

/// Whether a boolean flag value means true (`--flag`, `--flag=true`, `=1`).
fn truthy(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "" | "true" | "1")
}

impl DaemonConfig {
    /// Every value given for a dockerd flag, in order. Handles `--flag=v`,
    /// `--flag v` (when the next argument is not a flag) and bare `--flag`
    /// (value `""`). Long aliases (`--host`) match their short form (`-H`).
    pub fn flag_values(&self, flag: &str) -> Vec<String> {
        let want = canonical(flag);
        let Some(args) = &self.cmdline else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(arg) = args.get(i) {
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (arg.as_str(), None),
            };
            if canonical(name) == want {
                match inline {
                    Some(v) => out.push(v.to_string()),
                    None => match args.get(i + 1) {
                        Some(next) if !next.starts_with('-') && takes_value(want) => {
                            out.push(next.clone());
                            i += 1;
                        }
                        _ => out.push(String::new()),
                    },
                }
            }
            i += 1;
        }
        out
    }

    /// The effective (last) value of a flag.
    pub fn flag(&self, flag: &str) -> Option<String> {
        self.flag_values(flag).pop()
    }

    /// A boolean flag: `Some(true)` for `--flag`/`--flag=true`, `Some(false)`
    /// for `--flag=false`, `None` when absent.
    pub fn flag_bool(&self, flag: &str) -> Option<bool> {
        self.flag(flag).map(|v| truthy(&v))
    }

    /// A key of `daemon.json`.
    pub fn json_key(&self, key: &str) -> Option<&Value> {
        self.json.as_ref().and_then(|j| j.get(key))
    }

    /// A boolean key of `daemon.json`.
    pub fn json_bool(&self, key: &str) -> Option<bool> {
        self.json_key(key).and_then(Value::as_bool)
    }

    /// A string key of `daemon.json` (non-empty).
    pub fn json_str(&self, key: &str) -> Option<String> {
        self.json_key(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }

    /// A key that is a list (or an object) and non-empty.
    pub fn json_nonempty(&self, key: &str) -> bool {
        match self.json_key(key) {
            Some(Value::Array(a)) => !a.is_empty(),
            Some(Value::Object(o)) => !o.is_empty(),
            Some(Value::String(s)) => !s.is_empty(),
            _ => false,
        }
    }

    /// `docker info .SecurityOptions` contains an entry `name=<name>…`.
    pub fn security_option(&self, name: &str) -> Option<String> {
        self.info
            .security_options
            .iter()
            .flatten()
            .find(|o| {
                o.split(',')
                    .next()
                    .and_then(|kv| kv.strip_prefix("name="))
                    .is_some_and(|n| n == name)
            })
            .cloned()
    }

    /// Sockets the daemon listens on: json `hosts` and every `-H`.
    pub fn hosts(&self) -> Vec<String> {
        let mut out: Vec<String> = match self.json_key("hosts") {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        };
        out.extend(self.flag_values("-H"));
        out
    }

    /// Whether we could see the daemon's local configuration at all.
    pub fn has_local_config(&self) -> bool {
        self.local && (self.cmdline.is_some() || self.json.is_some())
    }
}

/// Flags that take a value (so `--flag value` consumes the next argument).
/// Boolean flags (`--icc`, `--live-restore`, …) never consume it.
fn takes_value(flag: &str) -> bool {
    !matches!(
        flag,
        "-D" | "--icc"
            | "--iptables"
            | "--live-restore"
            | "--no-new-privileges"
            | "--tls"
            | "--tlsverify"
            | "--userland-proxy"
            | "--experimental"
            | "--selinux-enabled"
            | "--ip-forward"
            | "--ip-masq"
            | "--ipv6"
            | "--rootless"
    )
}

/// Find the newest `dockerd` process in `proc_root` (normally `/proc`) and
/// return its arguments without argv\[0\]. `None` when no dockerd is visible
/// (remote daemon, other pid namespace, no permission).
pub fn find_dockerd_cmdline(proc_root: &Path) -> Option<Vec<String>> {
    let mut best: Option<(u64, Vec<String>)> = None;
    for entry in std::fs::read_dir(proc_root).ok()?.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(raw) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = raw
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let Some(argv0) = args.first() else {
            continue;
        };
        if Path::new(argv0).file_name().and_then(|f| f.to_str()) != Some("dockerd") {
            continue;
        }
        // Newest = largest start time (field 22 of /proc/PID/stat), as
        // `pgrep -n` picks; fall back to the pid.
        let start = std::fs::read_to_string(entry.path().join("stat"))
            .ok()
            .and_then(|s| {
                let after = s.rsplit_once(')')?.1.to_string();
                after.split_whitespace().nth(19)?.parse::<u64>().ok()
            })
            .or_else(|| pid.parse().ok())
            .unwrap_or(0);
        if best.as_ref().is_none_or(|(s, _)| start >= *s) {
            best = Some((start, args.into_iter().skip(1).collect()));
        }
    }
    best.map(|(_, a)| a)
}

/// The daemon.json path: `--config-file` on the command line, else
/// `/etc/docker/daemon.json`.
pub fn daemon_json_path(cmdline: Option<&[String]>) -> PathBuf {
    let probe = DaemonConfig {
        cmdline: cmdline.map(<[String]>::to_vec),
        ..Default::default()
    };
    probe
        .flag("--config-file")
        .filter(|p| !p.is_empty())
        .map_or_else(|| PathBuf::from("/etc/docker/daemon.json"), PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_cmd(args: &[&str]) -> DaemonConfig {
        DaemonConfig {
            cmdline: Some(args.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        }
    }

    #[test]
    fn flags_forms() {
        let d = with_cmd(&[
            "--host",
            "fd://",
            "-H=tcp://0.0.0.0:2376",
            "--icc=false",
            "--tlsverify",
            "--log-level",
            "debug",
        ]);
        assert_eq!(d.flag_values("-H"), vec!["fd://", "tcp://0.0.0.0:2376"]);
        assert_eq!(d.flag_bool("--icc"), Some(false));
        assert_eq!(d.flag_bool("--tlsverify"), Some(true));
        assert_eq!(d.flag("--log-level").as_deref(), Some("debug"));
        assert_eq!(d.flag("--userns-remap"), None);
    }

    #[test]
    fn config_file_path() {
        let args = vec!["--config-file=/srv/d.json".to_string()];
        assert_eq!(daemon_json_path(Some(&args)), PathBuf::from("/srv/d.json"));
        assert_eq!(
            daemon_json_path(None),
            PathBuf::from("/etc/docker/daemon.json")
        );
    }

    #[test]
    fn security_options() {
        let d = DaemonConfig {
            info: SystemInfo {
                security_options: Some(vec![
                    "name=seccomp,profile=default".into(),
                    "name=userns".into(),
                ]),
                ..Default::default()
            },
            ..Default::default()
        };
        assert!(d.security_option("userns").is_some());
        assert_eq!(
            d.security_option("seccomp").as_deref(),
            Some("name=seccomp,profile=default")
        );
        assert!(d.security_option("rootless").is_none());
    }

    #[test]
    fn finds_dockerd_in_fake_proc() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("42");
        std::fs::create_dir(&p).unwrap();
        std::fs::write(p.join("cmdline"), b"/usr/sbin/dockerd\0--icc=false\0").unwrap();
        let q = dir.path().join("43");
        std::fs::create_dir(&q).unwrap();
        std::fs::write(q.join("cmdline"), b"/bin/sh\0-c\0dockerd\0").unwrap();
        assert_eq!(
            find_dockerd_cmdline(dir.path()),
            Some(vec!["--icc=false".to_string()])
        );
    }
}

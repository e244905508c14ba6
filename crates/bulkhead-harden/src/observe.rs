//! Watching a running container: what it wrote since it started (the
//! Engine API's `GET /containers/{id}/changes`, i.e. `docker diff`), which
//! sockets it listens on (`/proc/<pid>/net/{tcp,tcp6,udp,udp6}` of its init
//! process, read from the host's /proc), which users its processes run as,
//! and how much memory and how many pids it uses now.
//!
//! The parsers are pure functions over text so they are tested on recorded
//! input; [`observe_container`] does the I/O.

use crate::workload::{ChangeKind, Observed, PortOrigin, PortUse, SourceKind, Workload, Written};
use bollard::Docker;
use bollard::models::ChangeType;
use bollard::query_parameters::{InspectContainerOptions, StatsOptionsBuilder};
use bulkhead_audit::RuntimeSettings;
use bulkhead_audit::engine::{EngineError, daemon_address, daemon_is_local};
use futures_util::StreamExt;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Most processes walked below the container's init (a fork bomb must not
/// make `harden` walk forever).
const MAX_PROCESSES: usize = 4096;

/// A socket found in a `/proc/net` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Socket {
    pub port: u16,
    pub protocol: &'static str,
}

/// Parse `/proc/<pid>/net/tcp` or `tcp6` (`protocol` = `tcp`) or `udp`/`udp6`
/// (`protocol` = `udp`): the local ports of listening TCP sockets (state
/// `0A`) and of bound UDP sockets (state `07`, unconnected). Lines that do
/// not parse are skipped (the header, or a format this build does not know).
pub fn parse_proc_net(text: &str, protocol: &'static str) -> Vec<Socket> {
    let want = if protocol == "tcp" { "0A" } else { "07" };
    let mut out: Vec<Socket> = Vec::new();
    for line in text.lines().skip(1) {
        let mut fields = line.split_whitespace();
        let (Some(_sl), Some(local), Some(_remote), Some(state)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        if !state.eq_ignore_ascii_case(want) {
            continue;
        }
        let Some((_, port_hex)) = local.rsplit_once(':') else {
            continue;
        };
        let Ok(port) = u16::from_str_radix(port_hex, 16) else {
            continue;
        };
        if port == 0 {
            continue;
        }
        let s = Socket { port, protocol };
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out.sort_by_key(|s| s.port);
    out
}

/// The real uid of a process from `/proc/<pid>/status` (`Uid:` line).
pub fn parse_status_uid(text: &str) -> Option<u32> {
    text.lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|u| u.parse().ok())
}

pub(crate) fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

fn is_under(path: &str, dir: &str) -> bool {
    dir == "/" || path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// Paths Docker itself manages in every container; never the workload's writes.
const DOCKER_MANAGED: &[&str] = &[
    "/etc/hostname",
    "/etc/hosts",
    "/etc/resolv.conf",
    "/etc/mtab",
    "/dev",
    "/proc",
    "/sys",
    "/.dockerenv",
];

/// The directories that need to be writable for the changes seen, smallest
/// set first: a file written or deleted needs its directory; a directory the
/// container created (kind Added) with files in it is itself the place to
/// mount, at its topmost created ancestor, so the mount point exists when
/// the container starts. Directories below another result are dropped.
/// Docker-managed paths (`/etc/hosts`, …) and paths under `covered` (mounts
/// that are writable already) are ignored.
pub fn writable_dirs(changes: &[Written], covered: &[String]) -> Vec<String> {
    let paths: BTreeSet<&str> = changes.iter().map(|c| c.path.as_str()).collect();
    let added: BTreeSet<&str> = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Added)
        .map(|c| c.path.as_str())
        .collect();
    let mut dirs: BTreeSet<String> = BTreeSet::new();
    for c in changes {
        let path = c.path.as_str();
        if !path.starts_with('/')
            || DOCKER_MANAGED.iter().any(|m| is_under(path, m))
            || covered.iter().any(|m| is_under(path, m))
        {
            continue;
        }
        // A directory with changes below it is a container of changes, not
        // a write of its own (its mtime changed because of them).
        let has_children = paths
            .range::<str, _>((std::ops::Bound::Excluded(path), std::ops::Bound::Unbounded))
            .take_while(|p| p.starts_with(path))
            .any(|p| is_under(p, path) && *p != path);
        if has_children && c.kind != ChangeKind::Deleted {
            continue;
        }
        // The topmost created ancestor (excluding the path itself), else the
        // parent directory.
        let mut dir = parent(path);
        let mut cur = dir;
        while cur != "/" {
            if added.contains(cur) {
                dir = cur;
            }
            cur = parent(cur);
        }
        dirs.insert(dir.to_string());
    }
    let all: Vec<String> = dirs.iter().cloned().collect();
    dirs.into_iter()
        .filter(|d| {
            !all.iter()
                .any(|o| o != d && o.as_str() != "/" && is_under(d, o))
        })
        .collect()
}

fn change_kind(k: ChangeType) -> ChangeKind {
    match k {
        ChangeType::_0 => ChangeKind::Modified,
        ChangeType::_1 => ChangeKind::Added,
        ChangeType::_2 => ChangeKind::Deleted,
    }
}

/// The pids of `root` and its descendants, via
/// `/proc/<pid>/task/<tid>/children` (bounded by [`MAX_PROCESSES`]).
fn process_tree(proc_root: &Path, root: i64) -> Vec<i64> {
    let mut seen = vec![root];
    let mut i = 0;
    while let Some(pid) = seen.get(i).copied() {
        i += 1;
        let tasks = proc_root.join(pid.to_string()).join("task");
        let Ok(entries) = std::fs::read_dir(&tasks) else {
            continue;
        };
        for task in entries.flatten() {
            let Ok(text) = std::fs::read_to_string(task.path().join("children")) else {
                continue;
            };
            for child in text
                .split_whitespace()
                .filter_map(|c| c.parse::<i64>().ok())
            {
                if !seen.contains(&child) && seen.len() < MAX_PROCESSES {
                    seen.push(child);
                }
            }
        }
    }
    seen
}

/// Read what /proc shows about a container whose init is `pid` on this host:
/// listening sockets, users of its processes, and its `/etc/passwd`.
/// Returns notes for what could not be read.
pub fn observe_proc(proc_root: &Path, pid: i64, w: &mut Workload, obs: &mut Observed) {
    let base: PathBuf = proc_root.join(pid.to_string());
    let mut any_net = false;
    for (file, proto) in [
        ("tcp", "tcp"),
        ("tcp6", "tcp"),
        ("udp", "udp"),
        ("udp6", "udp"),
    ] {
        let path = base.join("net").join(file);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                any_net = true;
                for s in parse_proc_net(&text, proto) {
                    w.ports.push(PortUse {
                        port: s.port,
                        protocol: s.protocol.to_string(),
                        origin: PortOrigin::Listening,
                    });
                }
            }
            // IPv6 may be disabled in the container: no tcp6 file.
            Err(_) if file.ends_with('6') => {}
            Err(e) => obs.notes.push(format!(
                "listening sockets: cannot read {} ({e}); only published and exposed ports were used",
                path.display()
            )),
        }
    }
    if any_net {
        w.ports.sort();
        w.ports.dedup();
    }
    for p in process_tree(proc_root, pid) {
        if let Some(uid) = std::fs::read_to_string(proc_root.join(p.to_string()).join("status"))
            .ok()
            .as_deref()
            .and_then(parse_status_uid)
        {
            obs.uids.insert(uid);
        }
    }
    if obs.uids.is_empty() {
        obs.notes.push(format!(
            "process users: cannot read {}/status",
            base.display()
        ));
    }
    let passwd = base.join("root/etc/passwd");
    match std::fs::read_to_string(&passwd) {
        Ok(text) => w.passwd = Some(bulkhead_analyzers::passwd::parse(&text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // No passwd file in the container: names cannot be resolved,
            // but there is nothing to resolve against either.
            w.passwd = Some(Vec::new());
        }
        Err(e) => obs.notes.push(format!(
            "user names: cannot read the container's /etc/passwd ({e})"
        )),
    }
}

fn api(what: String) -> impl FnOnce(bollard::errors::Error) -> EngineError {
    move |e| match e {
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        } => EngineError::NoSuchContainer(what),
        bollard::errors::Error::DockerResponseServerError {
            status_code,
            message,
        } => EngineError::Refused {
            what,
            status: status_code,
            message,
        },
        source => EngineError::Api { what, source },
    }
}

/// Inspect and watch a running container: its settings
/// ([`RuntimeSettings::from_inspect`]), its image's config, `docker diff`,
/// current memory and pids, and (daemon on this host) /proc.
pub async fn observe_container(docker: &Docker, name: &str) -> Result<Workload, EngineError> {
    let inspect = docker
        .inspect_container(name, None::<InspectContainerOptions>)
        .await
        .map_err(api(name.to_string()))?;
    let settings = RuntimeSettings::from_inspect(&inspect);
    if !settings.running {
        return Err(EngineError::NotRunning(name.to_string()));
    }
    let mut w = Workload::from_runtime(&settings);
    w.source = SourceKind::Container;
    // RuntimeSettings keeps the tmpfs targets only; their options matter
    // here because the proposal repeats them.
    if let Some(map) = inspect.host_config.as_ref().and_then(|h| h.tmpfs.as_ref()) {
        for t in &mut w.tmpfs {
            if let Some(o) = map.get(&t.target) {
                t.options = o
                    .split(',')
                    .filter(|x| !x.is_empty())
                    .map(String::from)
                    .collect();
            }
        }
    }
    let mut obs = Observed::default();

    // The container's Config already merges the image's USER, EXPOSE and
    // VOLUME; the image's own config is read for its USER (the container's
    // may have been overridden) and as a fallback.
    if let Some(cfg) = inspect.config.as_ref()
        && let Ok(v) = serde_json::to_value(cfg)
    {
        let user = w.user.take();
        w.apply_image_config(&v);
        w.image_user = None;
        w.user = user;
    }
    match docker.inspect_image(&settings.image_id).await {
        Ok(img) => {
            if let Some(v) = img
                .config
                .as_ref()
                .and_then(|c| serde_json::to_value(c).ok())
            {
                w.apply_image_config(&v);
            }
        }
        Err(e) => obs.notes.push(format!(
            "image config of {}: not read ({e})",
            settings.image
        )),
    }

    match docker.container_changes(&settings.id).await {
        Ok(changes) => {
            obs.written = changes
                .unwrap_or_default()
                .into_iter()
                .map(|c| Written {
                    path: c.path,
                    kind: change_kind(c.kind),
                })
                .collect();
        }
        Err(e) => obs.notes.push(format!(
            "written paths: `docker diff` failed ({e}); writes could not be observed"
        )),
    }

    let mut stats = docker.stats(
        &settings.id,
        Some(
            StatsOptionsBuilder::new()
                .stream(false)
                .one_shot(true)
                .build(),
        ),
    );
    match stats.next().await {
        Some(Ok(s)) => {
            obs.memory_usage = s.memory_stats.and_then(|m| m.usage).filter(|u| *u > 0);
            obs.pids = s.pids_stats.and_then(|p| p.current).filter(|p| *p > 0);
        }
        Some(Err(e)) => obs
            .notes
            .push(format!("memory and pids in use: stats failed ({e})")),
        None => obs
            .notes
            .push("memory and pids in use: the daemon sent no stats".to_string()),
    }

    if daemon_is_local(&daemon_address()) && settings.pid > 0 {
        observe_proc(Path::new("/proc"), settings.pid, &mut w, &mut obs);
    } else {
        obs.notes.push(
            "listening sockets, process users and /etc/passwd: the daemon is remote, its /proc is not visible here; only published and exposed ports were used"
                .to_string(),
        );
    }
    obs.notes.push(
        "capability use: only binding ports below 1024 and switching users are observed; other capability checks need kernel tracing (auditd/eBPF). If the hardened container fails with EPERM, add back the capability it needs"
            .to_string(),
    );
    w.observed = Some(obs);
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1 0000000000000000 100 0 0 10 0
   1: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1235 1 0000000000000000 100 0 0 10 0
   2: 0100007F:1F90 0100007F:A2B4 01 00000000:00000000 00:00000000 00000000     0        0 1236 1 0000000000000000 20 4 30 10 -1
   3: garbage
";
    const TCP6: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1 0000000000000000 100 0 0 10 0
";
    const UDP: &str = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  100: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 555 2 0000000000000000 0
";

    #[test]
    fn proc_net_listening_ports() {
        let ports: Vec<u16> = parse_proc_net(TCP, "tcp").iter().map(|s| s.port).collect();
        assert_eq!(ports, [80, 8080]);
        let v6: Vec<u16> = parse_proc_net(TCP6, "tcp").iter().map(|s| s.port).collect();
        assert_eq!(v6, [8080]);
        let udp = parse_proc_net(UDP, "udp");
        assert_eq!(
            udp,
            [Socket {
                port: 53,
                protocol: "udp"
            }]
        );
        assert!(parse_proc_net("", "tcp").is_empty());
        assert!(parse_proc_net("header\n0: x:ZZZZ y 0A", "tcp").is_empty());
    }

    #[test]
    fn status_uid() {
        let s = "Name:\thttpd\nUid:\t65532\t65532\t65532\t65532\nGid:\t0\t0\t0\t0\n";
        assert_eq!(parse_status_uid(s), Some(65532));
        assert_eq!(parse_status_uid("Name: x\n"), None);
    }

    fn w(path: &str, kind: ChangeKind) -> Written {
        Written {
            path: path.into(),
            kind,
        }
    }

    #[test]
    fn dirs_from_changes() {
        use ChangeKind::*;
        let changes = vec![
            w("/tmp", Modified),
            w("/tmp/started", Added),
            w("/var", Modified),
            w("/var/cache", Modified),
            w("/var/cache/app", Added),
            w("/var/cache/app/db", Added),
            w("/var/cache/app/db/x", Added),
            w("/etc", Modified),
            w("/etc/hosts", Modified),
            w("/run", Modified),
            w("/run/old.pid", Deleted),
            w("/data", Modified),
            w("/data/file", Added),
            w("/started", Added),
        ];
        assert_eq!(
            writable_dirs(&changes, &["/data".to_string()]),
            ["/", "/run", "/tmp", "/var/cache/app"].map(String::from)
        );
    }

    #[test]
    fn nested_dirs_collapse() {
        use ChangeKind::*;
        let changes = vec![
            w("/tmp", Modified),
            w("/tmp/a", Added),
            w("/tmp/sub", Modified),
            w("/tmp/sub/b", Added),
        ];
        assert_eq!(writable_dirs(&changes, &[]), ["/tmp".to_string()]);
        assert!(writable_dirs(&[], &[]).is_empty());
        // A bare modified directory is a write in its parent.
        assert_eq!(
            writable_dirs(&[w("/srv/www", Modified)], &[]),
            ["/srv".to_string()]
        );
    }

    #[test]
    fn proc_of_this_process() {
        // /proc of the test process itself: always readable.
        let mut wl = Workload::default();
        let mut obs = Observed::default();
        let pid = i64::from(std::process::id());
        observe_proc(Path::new("/proc"), pid, &mut wl, &mut obs);
        assert!(!obs.uids.is_empty(), "{:?}", obs.notes);
        assert!(wl.passwd.is_some());
    }
}

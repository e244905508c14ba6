//! A private PostgreSQL cluster for one test: Debian's `postgresql` server
//! binaries (`/usr/lib/postgresql/<major>/bin`, see
//! [`crate::require::postgres_bin`]) run `initdb` in a temp dir and `pg_ctl`
//! starts it on a free 127.0.0.1 port with its socket in the same dir; drop
//! stops it (`pg_ctl stop -m fast`) and removes the dir. Never a system
//! service, never another port than its own.
//!
//! ```no_run
//! let Some(pg) = bulkhead_testkit::postgres::Cluster::start() else { return };
//! let url = pg.create_db("t1");
//! # let _ = url;
//! ```
//!
//! `initdb` refuses to run as root, and tests run as root on CI: when the
//! uid is 0 every PostgreSQL command runs as `nobody` through `runuser -u
//! nobody --` (util-linux), with the temp dir handed over to it.

use crate::require;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The user PostgreSQL runs as when the tests run as root.
pub const UNPRIVILEGED_USER: &str = "nobody";

/// The superuser of a test cluster (`initdb -U`).
pub const SUPERUSER: &str = "postgres";

/// A running private cluster; stopped and removed on drop.
pub struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    as_root: bool,
}

fn free_port() -> Option<u16> {
    Some(
        TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port(),
    )
}

fn is_root() -> bool {
    // `id -u` rather than libc: this crate stays free of unsafe code.
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Cluster {
    /// Start a cluster, or [`require::skip_or_fail`] and `None` when
    /// PostgreSQL is not installed. Panics (the test fails) when it is
    /// installed but does not start, with its log.
    #[track_caller]
    #[allow(clippy::panic, reason = "a cluster that cannot start fails the test")]
    pub fn start() -> Option<Cluster> {
        if !require::postgres() {
            return None;
        }
        let bin = require::postgres_bin()?;
        let as_root = is_root();
        if as_root && !require::tool("runuser", "util-linux") {
            return None;
        }
        // Under root the unprivileged user must reach the dir: /tmp is
        // world-traversable where $TMPDIR may not be.
        let parent = if as_root && Path::new("/tmp").is_dir() {
            PathBuf::from("/tmp")
        } else {
            std::env::temp_dir()
        };
        let dir = tempfile::Builder::new()
            .prefix("bulkhead-pg-")
            .tempdir_in(parent)
            .unwrap_or_else(|e| panic!("cannot create a temp dir for PostgreSQL: {e}"));
        let mut cluster = Cluster {
            bin,
            dir,
            port: 0,
            as_root,
        };
        if as_root {
            cluster.hand_over(cluster.dir.path());
        }
        let data = cluster.data_dir();
        let out = cluster.run(
            "initdb",
            &[
                "-D",
                &data.display().to_string(),
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        );
        if !out.status.success() {
            panic!(
                "initdb failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        // A free port may be taken between the probe and the start by
        // another test: try a few.
        let mut last = String::new();
        for _ in 0..5 {
            let Some(port) = free_port() else { continue };
            cluster.port = port;
            if cluster.pg_ctl_start() {
                return Some(cluster);
            }
            last = std::fs::read_to_string(cluster.log_file()).unwrap_or_default();
        }
        panic!("PostgreSQL did not start on 127.0.0.1; its log:\n{last}");
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log_file(&self) -> PathBuf {
        self.dir.path().join("postgres.log")
    }

    /// Give `path` to the unprivileged user (root runs only).
    fn hand_over(&self, path: &Path) {
        let _ = Command::new("chown")
            .arg("-R")
            .arg(UNPRIVILEGED_USER)
            .arg(path)
            .status();
    }

    /// Run one of the cluster's binaries (as the unprivileged user under root).
    fn command(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        if self.as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", UNPRIVILEGED_USER, "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn run(&self, tool: &str, args: &[&str]) -> Output {
        self.command(tool)
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| Output {
                status: failed_status(),
                stdout: Vec::new(),
                stderr: format!("cannot run {tool}: {e}").into_bytes(),
            })
    }

    fn pg_ctl_start(&self) -> bool {
        let opts = format!(
            "-k {} -c listen_addresses=127.0.0.1 -p {} -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=100",
            self.dir.path().display(),
            self.port
        );
        let out = self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data_dir().display().to_string(),
                "-o",
                &opts,
                "-l",
                &self.log_file().display().to_string(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        out.status.success()
    }

    /// The port the cluster listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of database `db` (the superuser, trust authentication on
    /// 127.0.0.1 only).
    pub fn url(&self, db: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{db}", self.port)
    }

    /// Create database `name` and return its URL.
    #[allow(clippy::panic, reason = "test helper: a failure fails the test")]
    pub fn create_db(&self, name: &str) -> String {
        let port = self.port.to_string();
        let out = self.run(
            "createdb",
            &["-h", "127.0.0.1", "-p", &port, "-U", SUPERUSER, name],
        );
        if !out.status.success() {
            panic!(
                "createdb {name} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        self.url(name)
    }

    /// `pg_dump` of database `db` (plain SQL, data included).
    #[allow(clippy::panic, reason = "test helper: a failure fails the test")]
    pub fn dump(&self, db: &str) -> String {
        let port = self.port.to_string();
        let out = self.run(
            "pg_dump",
            &["-h", "127.0.0.1", "-p", &port, "-U", SUPERUSER, db],
        );
        if !out.status.success() {
            panic!(
                "pg_dump {db} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Run `sql` with `psql` in database `db`; its rows, unaligned
    /// (`|`-separated), one per line.
    #[allow(clippy::panic, reason = "test helper: a failure fails the test")]
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let port = self.port.to_string();
        let out = self.run(
            "psql",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                SUPERUSER,
                "-X",
                "-q",
                "-tA",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
                db,
            ],
        );
        if !out.status.success() {
            panic!(
                "psql {sql:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        String::from_utf8_lossy(&out.stdout).trim_end().to_string()
    }

    /// The server's log so far (statements that failed, connection errors).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_file()).unwrap_or_default()
    }

    /// Stop and start the server again (same port and data): what a
    /// database restart looks like to its clients.
    #[allow(clippy::panic, reason = "test helper: a failure fails the test")]
    pub fn restart(&self) {
        self.stop();
        if !self.pg_ctl_start() {
            panic!("PostgreSQL did not start again; its log:\n{}", self.log());
        }
    }

    /// Stop the server (fast shutdown); [`Cluster::restart`] starts it
    /// again. Stopping a stopped server does nothing.
    pub fn stop(&self) {
        let _ = self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data_dir().display().to_string(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.stop();
    }
}

fn failed_status() -> std::process::ExitStatus {
    use std::os::unix::process::ExitStatusExt;
    std::process::ExitStatus::from_raw(1 << 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_starts_serves_and_stops() {
        let Some(pg) = Cluster::start() else { return };
        let url = pg.create_db("probe");
        assert!(url.starts_with("postgres://postgres@127.0.0.1:"), "{url}");
        assert_eq!(pg.psql("probe", "SELECT 40 + 2"), "42");
        assert!(pg.dump("probe").contains("PostgreSQL database dump"));
        let data = pg.data_dir();
        drop(pg);
        assert!(!data.exists());
    }
}

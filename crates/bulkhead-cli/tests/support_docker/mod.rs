//! Helpers for the tests that run against the live Docker daemon
//! (`audit.rs`, `harden_live.rs`, `seccomp_live.rs`, `image_sources.rs`):
//! [`ready`] (the loud skip of `bulkhead_testkit::require`, a failure under
//! CI=true), unique names, a Drop guard that removes what a test created,
//! and a busybox image built FROM scratch.
//! Include it with
//! `#[path = "support_docker/mod.rs"] mod support_docker;`.
//!
//! Everything a test creates carries the label `org.bulkhead.test=1` and a
//! unique name; nothing else on the daemon is touched, and the daemon is
//! never restarted.
#![allow(dead_code)] // each test file uses a part of it

use bulkhead_testkit::require;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The label on every container and image the tests create.
pub const LABEL: &str = "org.bulkhead.test=1";

/// `/bin/busybox` and the Debian package that installs it.
pub const BUSYBOX: (&str, &str) = ("/bin/busybox", "busybox-static");

/// Whether the Docker daemon answers and every `(path, Debian package)` in
/// `tools` is installed (`require::daemon`, `require::tool`); otherwise
/// skips loudly (fails under CI=true) and returns false.
pub fn ready(tools: &[(&str, &str)]) -> bool {
    require::daemon()
        && tools
            .iter()
            .all(|(tool, package)| require::tool(tool, package))
}

static SEQ: AtomicUsize = AtomicUsize::new(0);

/// A name no other test or run uses: `{prefix}-{pid}-{seq}-{nanos}`
/// (valid as a container name and as an image repository).
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}-{}-{}-{nanos}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::SeqCst)
    )
}

/// Run `docker ARGS` and return its output (whatever the exit status).
pub fn docker(args: &[&str]) -> Output {
    Command::new("docker").args(args).output().unwrap()
}

/// The stdout of a command that must have succeeded.
pub fn must(out: Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Removes the test's containers and image when dropped, even when an
/// assertion failed.
#[derive(Debug, Default)]
pub struct Guard {
    /// Image tag to remove (none when empty).
    pub image: String,
    /// Container names to remove.
    pub containers: Vec<String>,
}

impl Guard {
    /// A guard for the image `image` (which need not exist yet).
    pub fn new(image: impl Into<String>) -> Self {
        Guard {
            image: image.into(),
            containers: Vec::new(),
        }
    }

    /// A unique container name starting with `prefix`, removed on drop.
    pub fn container(&mut self, prefix: &str) -> String {
        let name = unique(prefix);
        self.containers.push(name.clone());
        name
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        for c in &self.containers {
            let _ = Command::new("docker").args(["rm", "-f", c]).output();
        }
        if !self.image.is_empty() {
            let _ = Command::new("docker")
                .args(["rmi", "-f", &self.image])
                .output();
        }
    }
}

/// Build the image `tag` FROM scratch in the folder `ctx`: `/bin/busybox`
/// from the host, then `files` (a path ending in `/` is an empty folder,
/// others are files with that content) for the rest of the Dockerfile,
/// `dockerfile_rest`, to COPY.
pub fn build_busybox_image(tag: &str, ctx: &Path, files: &[(&str, &str)], dockerfile_rest: &str) {
    std::fs::create_dir_all(ctx).unwrap();
    std::fs::copy(BUSYBOX.0, ctx.join("busybox")).unwrap();
    for (path, content) in files {
        let p = ctx.join(path);
        if path.ends_with('/') {
            std::fs::create_dir_all(&p).unwrap();
        } else {
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).unwrap();
            }
            std::fs::write(&p, content).unwrap();
        }
    }
    std::fs::write(
        ctx.join("Dockerfile"),
        format!("FROM scratch\nCOPY busybox /bin/busybox\n{dockerfile_rest}"),
    )
    .unwrap();
    must(
        Command::new("docker")
            .args(["build", "-q", "--label", LABEL, "-t", tag])
            .arg(ctx)
            .output()
            .unwrap(),
        "docker build",
    );
}

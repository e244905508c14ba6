//! What a test needs from outside the repository, and the one loud skip.
//!
//! Every check returns whether the resource is there; when it is not, it
//! calls [`skip_or_fail`] first, so the test only has to `return`:
//!
//! ```no_run
//! use bulkhead_testkit::require;
//! let Some(shared) = require::shared("osv/ecosystems.txt") else { return };
//! if !require::tool("openssl", "openssl") { return; }
//! # let _ = shared;
//! ```
//!
//! [`skip_or_fail`] prints `!!!!! SKIPPED: <test> needs <what>: <how to get
//! it> !!!!!` to stderr and, under `CI=true`, panics with the same text: on
//! CI a skip is a failure.
//!
//! Overrides (environment):
//! - `BULKHEAD_SHARED_DIR=DIR`: the shared test data folder instead of
//!   `<repo>/../shared`. `BULKHEAD_SHARED_DIR=/nonexistent CI=true cargo
//!   test …` shows what a test does when the data is missing.
//! - `BULKHEAD_FIXTURES=DIR`: where `scripts/debian-image.sh` cached the
//!   Debian image (default `${XDG_CACHE_HOME:-$HOME/.cache}/bulkhead-fixtures`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Environment variable naming the shared test data folder (default
/// `<repo>/../shared`).
pub const SHARED_DIR_ENV: &str = "BULKHEAD_SHARED_DIR";

/// Environment variable naming the cache of `scripts/debian-image.sh`.
pub const FIXTURES_ENV: &str = "BULKHEAD_FIXTURES";

/// The Docker daemon's socket the live tests talk to.
pub const DOCKER_SOCK: &str = "/var/run/docker.sock";

/// Whether this is a CI run (`CI=true`), where a skip is a failure.
pub fn ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// The running test's name: libtest names each test's thread after it.
fn test_name() -> Option<String> {
    std::thread::current()
        .name()
        .filter(|n| *n != "main")
        .map(str::to_string)
}

/// The skip line for `need` (`<what>: <how to get it>`) in the test `test`.
pub fn skip_message(test: Option<&str>, need: &str) -> String {
    format!(
        "!!!!! SKIPPED: {} needs {need} !!!!!",
        test.unwrap_or("this test")
    )
}

/// The one loud skip. `what_is_missing` reads `<what>: <how to get it>`.
/// Prints the skip line to stderr; under `CI=true` panics with the same text,
/// since there a skip is a failure (reported at the caller's line: every
/// check here is `#[track_caller]`). The caller returns after it.
#[allow(clippy::panic, reason = "failing the test under CI=true is the point")]
#[track_caller]
pub fn skip_or_fail(what_is_missing: &str) {
    let msg = skip_message(test_name().as_deref(), what_is_missing);
    eprintln!("\n{msg}\n");
    if ci() {
        panic!("{msg} (CI=true: a skip is a failure)");
    }
}

/// The repository's root (the workspace folder).
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .map_or_else(|| manifest.join("../.."), Path::to_path_buf)
}

/// Where the shared test data should be: `$BULKHEAD_SHARED_DIR` when set,
/// else `<repo>/../shared`.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os(SHARED_DIR_ENV) {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => {
            let root = repo_root();
            root.parent()
                .map_or_else(|| root.join("../shared"), |parent| parent.join("shared"))
        }
    }
}

/// The shared test data folder (`<repo>/../shared`, see [`shared_dir`])
/// when `rel` exists in it; otherwise [`skip_or_fail`] and `None`.
#[track_caller]
pub fn shared(rel: &str) -> Option<PathBuf> {
    let root = shared_dir();
    if root.join(rel).exists() {
        return Some(root);
    }
    skip_or_fail(&format!(
        "the shared test data {}: the `shared` folder beside the repository \
         (or {SHARED_DIR_ENV}=DIR)",
        root.join(rel).display()
    ));
    None
}

/// Whether the Docker daemon answers on [`DOCKER_SOCK`]; otherwise
/// [`skip_or_fail`].
#[track_caller]
pub fn daemon() -> bool {
    static ANSWERS: OnceLock<bool> = OnceLock::new();
    let answers = *ANSWERS.get_or_init(|| {
        Path::new(DOCKER_SOCK).exists()
            && Command::new("docker")
                .args(["version", "--format", "{{.Server.Version}}"])
                .output()
                .is_ok_and(|o| o.status.success())
    });
    if !answers {
        skip_or_fail(&format!(
            "the Docker daemon answering on {DOCKER_SOCK}: install Debian's \
             docker.io (or Docker Engine) and start dockerd"
        ));
    }
    answers
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The executable `path_or_name`: that path when it holds a `/`, else the
/// first match in `$PATH` and the sbin folders (where Debian puts
/// `apparmor_parser`, even when they are not in a user's `$PATH`). Does not
/// skip.
pub fn which(path_or_name: &str) -> Option<PathBuf> {
    if path_or_name.contains('/') {
        let p = PathBuf::from(path_or_name);
        return is_executable(&p).then_some(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/local/sbin", "/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|d| d.join(path_or_name))
        .find(|p| is_executable(p))
}

/// Whether the tool `path_or_name` (a path, or a name looked up by
/// [`which`]) is installed; otherwise [`skip_or_fail`] naming the Debian
/// package that installs it.
#[track_caller]
pub fn tool(path_or_name: &str, debian_package: &str) -> bool {
    if which(path_or_name).is_some() {
        return true;
    }
    skip_or_fail(&format!(
        "{path_or_name}: apt-get install {debian_package} (scripts/test.sh \
         installs the packages the tests use)"
    ));
    false
}

/// Whether `cmd ARGS` runs and exits 0 (a probe such as `python3 -c 'import
/// nacl'`); otherwise [`skip_or_fail`] with `need` (`<what>: <how>`).
#[track_caller]
pub fn runs(cmd: &str, args: &[&str], need: &str) -> bool {
    let ok = Command::new(cmd)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        skip_or_fail(need);
    }
    ok
}

/// The newest `/usr/lib/postgresql/<version>/bin` holding `initdb` and
/// `pg_ctl` (Debian's postgresql). Does not skip.
pub fn postgres_bin() -> Option<PathBuf> {
    let mut bins: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_str()?.split('.').next()?.parse().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, bin)| is_executable(&bin.join("initdb")) && is_executable(&bin.join("pg_ctl")))
        .collect();
    bins.sort();
    bins.pop().map(|(_, bin)| bin)
}

/// Whether PostgreSQL's server binaries are installed (see
/// [`postgres_bin`]); otherwise [`skip_or_fail`].
#[track_caller]
pub fn postgres() -> bool {
    if postgres_bin().is_some() {
        return true;
    }
    skip_or_fail(
        "PostgreSQL's initdb and pg_ctl (/usr/lib/postgresql/*/bin): apt-get install postgresql",
    );
    false
}

/// The Chromium binary (`chromium`, or `chromium-browser`). Does not skip.
pub fn chromium_bin() -> Option<PathBuf> {
    which("chromium").or_else(|| which("chromium-browser"))
}

/// Whether Chromium is installed (see [`chromium_bin`]); otherwise
/// [`skip_or_fail`].
#[track_caller]
pub fn chromium() -> bool {
    if chromium_bin().is_some() {
        return true;
    }
    skip_or_fail("chromium: apt-get install chromium");
    false
}

/// The cache of `scripts/debian-image.sh`: `$BULKHEAD_FIXTURES`, else
/// `${XDG_CACHE_HOME:-$HOME/.cache}/bulkhead-fixtures`.
pub fn fixtures_dir() -> PathBuf {
    if let Some(d) = std::env::var_os(FIXTURES_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache")
        })
        .join("bulkhead-fixtures")
}

/// The cache of `scripts/debian-image.sh` (see [`fixtures_dir`]) when `rel`
/// (e.g. `debian-bookworm-rootfs`, `debian-bookworm.oci.tar`) exists in it;
/// otherwise [`skip_or_fail`] and `None`.
#[track_caller]
pub fn debian_image(rel: &str) -> Option<PathBuf> {
    let dir = fixtures_dir();
    if dir.join(rel).exists() {
        return Some(dir);
    }
    skip_or_fail(&format!(
        "the debootstrap'ed Debian bookworm image {}: run scripts/debian-image.sh \
         (needs root and debootstrap)",
        dir.join(rel).display()
    ));
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_the_test_and_the_need() {
        assert_eq!(
            skip_message(Some("t::x"), "openssl: apt-get install openssl"),
            "!!!!! SKIPPED: t::x needs openssl: apt-get install openssl !!!!!"
        );
        assert!(skip_message(None, "x: y").starts_with("!!!!! SKIPPED: this test needs x: y"));
    }

    #[test]
    fn which_finds_sh_and_not_nonsense() {
        assert!(which("sh").is_some());
        assert!(which("/bin/sh").is_some());
        assert!(which("bulkhead-no-such-tool-7f3a").is_none());
        assert!(which("/nonexistent/tool").is_none());
    }

    #[test]
    fn repo_root_holds_the_workspace() {
        assert!(repo_root().join("Cargo.toml").is_file());
        assert!(repo_root().join("crates/bulkhead-testkit").is_dir());
    }
}

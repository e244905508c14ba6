//! Image-config rules: checks on a built image's configuration JSON
//! (`User`, `Healthcheck`, `Env`, `history[].created_by`) and on its
//! squashed filesystem (setuid/setgid and world-writable entries).
//!
//! The input is plain data ([`ImageCx`]); `crate::image_config_results`
//! builds it from an image and its inventory. Findings have no line (line 0):
//! the message names the config field, path and layer.

use crate::rules::secrets::{is_placeholder, is_secret_name, is_secret_value};
use crate::rules::{ImageCx, Sink, rule};

/// The user part of `User` (`name`, `uid`, `name:group`).
fn user_part(u: &str) -> &str {
    u.split(':').next().unwrap_or(u).trim()
}

/// How the image's `User` resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserKind {
    /// Root: empty, `0`, `root`, or a name with UID 0 in /etc/passwd.
    Root { why: String },
    /// A non-zero numeric UID.
    Numeric(u32),
    /// A name: its UID from /etc/passwd when found.
    Name { name: String, uid: Option<u32> },
}

/// Resolve `User` through the image's /etc/passwd (when present).
pub fn resolve_user(cx: &ImageCx<'_>) -> UserKind {
    let u = user_part(cx.user);
    if u.is_empty() {
        return UserKind::Root {
            why: "no User is set, so the container runs as root (UID 0)".into(),
        };
    }
    if let Ok(n) = u.parse::<u32>() {
        return if n == 0 {
            UserKind::Root {
                why: format!("User is {:?} (UID 0)", cx.user),
            }
        } else {
            UserKind::Numeric(n)
        };
    }
    let uid = cx
        .users
        .and_then(|us| us.iter().find(|e| e.name == u).map(|e| e.uid));
    if u == "root" || uid == Some(0) {
        return UserKind::Root {
            why: if u == "root" {
                format!("User is {:?}", cx.user)
            } else {
                format!("User {u:?} has UID 0 in the image's /etc/passwd")
            },
        };
    }
    UserKind::Name {
        name: u.to_string(),
        uid,
    }
}

pub mod im001_root_user {
    use super::*;

    rule! {
        id: "BH-IM-001", title: "Image runs as root", severity: High, kind: Image,
        rationale: "A process running as UID 0 keeps root's file access inside the container and is one kernel or runtime bug away from root on the host; capabilities it keeps (CHOWN, DAC_OVERRIDE, SETUID…) make escalation easier.",
        fix: "Rebuild with a non-root `USER 10001:10001` in the final stage (create the user and `COPY --chown` the app files), or run with `--user 10001:10001`.",
        hadolint: ["DL3002"], trivy: ["DS-0002"], dockle: ["CIS-DI-0001"], cis: "4.1",
        check: check,
    }

    fn check(cx: &ImageCx<'_>, out: &mut Sink<'_>) {
        if let UserKind::Root { why } = resolve_user(cx) {
            out.line(0, why, format!("User={}", cx.user));
        }
    }
}

pub mod im002_user_name {
    use super::*;

    rule! {
        id: "BH-IM-002", title: "Image User is a name, not a numeric UID", severity: Low, kind: Image,
        rationale: "Kubernetes `runAsNonRoot` cannot verify a user name (the pod is refused), and a name is resolved through the image's /etc/passwd at start: a name missing there stops the container, one changed by a later layer silently changes the UID.",
        fix: "Use the numeric UID[:GID] in `USER` (e.g. `USER 10001:10001`).",
        hadolint: ["DL3066"], trivy: [], dockle: [], cis: "4.1",
        check: check,
    }

    fn check(cx: &ImageCx<'_>, out: &mut Sink<'_>) {
        if let UserKind::Name { name, uid } = resolve_user(cx) {
            let msg = match (uid, cx.users.is_some()) {
                (Some(uid), _) => format!(
                    "User {name:?} is a name (UID {uid} in /etc/passwd): use {uid} so runAsNonRoot can check it"
                ),
                (None, true) => format!(
                    "User {name:?} is not in the image's /etc/passwd: the container will fail to start"
                ),
                (None, false) => format!(
                    "User {name:?} is a name and the image has no /etc/passwd to resolve it: the container will fail to start"
                ),
            };
            out.line(0, msg, format!("User={}", cx.user));
        }
    }
}

pub mod im003_no_healthcheck {
    use super::*;

    rule! {
        id: "BH-IM-003", title: "Image has no HEALTHCHECK", severity: Low, kind: Image,
        rationale: "Without a health check the engine and orchestrators only know whether the process exists, not whether it serves; hung containers keep receiving traffic and are never restarted.",
        fix: "Add `HEALTHCHECK CMD [\"/app/healthcheck\"]` to the Dockerfile, or define a healthcheck where the container is run (Compose `healthcheck:`, Kubernetes probes).",
        hadolint: [], trivy: ["DS-0026"], dockle: ["CIS-DI-0006"], cis: "4.6",
        check: check,
    }

    fn check(cx: &ImageCx<'_>, out: &mut Sink<'_>) {
        let hc = &cx.config["config"]["Healthcheck"];
        let test: Vec<&str> = hc["Test"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        if test.is_empty() {
            out.line(0, "the image config has no Healthcheck", "Healthcheck=null");
        } else if test.first() == Some(&"NONE") {
            out.line(
                0,
                "the image disables its health check (HEALTHCHECK NONE)",
                "Healthcheck.Test=[\"NONE\"]",
            );
        }
    }
}

/// `KEY=<redacted>`: never echo a secret.
fn redacted(key: &str) -> String {
    format!("{key}=<redacted>")
}

pub mod im004_env_secret {
    use super::*;

    rule! {
        id: "BH-IM-004", title: "Secret in the image environment", severity: High, kind: Image,
        rationale: "`Env` is stored in the image config: anyone who can pull the image reads it with `docker inspect`, and every container and child process inherits it.",
        fix: "Remove the variable from the image (no `ENV` with secrets) and pass the secret at run time as a file: Docker/Compose `secrets:` or a mounted volume, with `*_FILE` variables pointing to it.",
        hadolint: ["DL3064"], trivy: ["DS-0031"], dockle: ["CIS-DI-0010"], cis: "4.10",
        check: check,
    }

    fn check(cx: &ImageCx<'_>, out: &mut Sink<'_>) {
        for e in cx.config["config"]["Env"].as_array().into_iter().flatten() {
            let Some((k, v)) = e.as_str().and_then(|e| e.split_once('=')) else {
                continue;
            };
            let by_name = is_secret_name(k) && !v.is_empty() && !is_placeholder(v);
            if by_name || is_secret_value(v) {
                let why = if by_name {
                    "its name"
                } else {
                    "its value's shape"
                };
                out.line(0, format!("Env {k} holds a secret (by {why})"), redacted(k));
            }
        }
    }
}

pub mod im005_history_token {
    use super::*;

    rule! {
        id: "BH-IM-005", title: "Secret in the image build history", severity: High, kind: Image,
        rationale: "Every build step's command line (`history[].created_by`: RUN, ARG and ENV values) is stored in the image config for anyone who can pull it, even when the step's files were deleted later.",
        fix: "Pass build secrets with `RUN --mount=type=secret,id=…` (BuildKit) instead of ARG/ENV or command-line arguments, rotate the exposed credential, and rebuild.",
        hadolint: [], trivy: ["DS-0031"], dockle: ["CIS-DI-0010"], cis: "4.10",
        check: check,
    }

    fn check(cx: &ImageCx<'_>, out: &mut Sink<'_>) {
        for (i, h) in cx.config["history"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let Some(cb) = h["created_by"].as_str() else {
                continue;
            };
            let mut hits: Vec<String> = Vec::new();
            for word in cb.split(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|') {
                let word = word.trim_matches(|c| c == '"' || c == '\'');
                match word.split_once('=') {
                    Some((k, v)) => {
                        let k = k.trim_start_matches('-');
                        let v = v.trim_matches(|c| c == '"' || c == '\'');
                        let by_name = is_secret_name(k)
                            && !v.is_empty()
                            && !v.starts_with('$')
                            && !is_placeholder(v);
                        if by_name || is_secret_value(v) {
                            hits.push(redacted(k));
                        }
                    }
                    None if is_secret_value(word) => hits.push("<redacted token>".into()),
                    None => {}
                }
            }
            hits.dedup();
            if !hits.is_empty() {
                out.line(
                    0,
                    format!("history entry {i} records a secret: {}", hits.join(", ")),
                    format!("history[{i}].created_by"),
                );
            }
        }
    }
}

pub mod im006_setuid {
    use super::*;

    rule! {
        id: "BH-IM-006", title: "setuid or setgid file in the image", severity: Medium, kind: Image,
        rationale: "A setuid/setgid binary runs with its owner's (usually root's) privileges whatever user starts it: a bug in it is a privilege escalation inside the container. Most services need none.",
        fix: "Remove the bits in the Dockerfile (`RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`), or remove the binaries; run with `--security-opt no-new-privileges` so the bits have no effect.",
        hadolint: [], trivy: [], dockle: ["CIS-DI-0008"], cis: "4.8",
        check: check,
    }

    fn check(cx: &ImageCx<'_>, out: &mut Sink<'_>) {
        for f in cx.files.iter().filter(|f| !f.dir && f.mode & 0o6000 != 0) {
            let bits = match (f.mode & 0o4000 != 0, f.mode & 0o2000 != 0) {
                (true, true) => "setuid and setgid",
                (true, false) => "setuid",
                _ => "setgid",
            };
            out.line(
                0,
                format!(
                    "/{} is {bits} (mode {:04o}, layer {})",
                    f.path,
                    f.mode & 0o7777,
                    f.layer
                ),
                format!("/{} {:04o}", f.path, f.mode & 0o7777),
            );
        }
    }
}

pub mod im007_world_writable {
    use super::*;

    rule! {
        id: "BH-IM-007", title: "World-writable file or folder in the image", severity: Medium, kind: Image,
        rationale: "Any user in the container can change a world-writable file (replace a binary or config another process trusts) or plant files in a world-writable folder without the sticky bit.",
        fix: "Fix the modes in the Dockerfile (`COPY --chmod=644`, `chmod o-w`), or give folders the sticky bit like /tmp (`chmod 1777`).",
        hadolint: [], trivy: [], dockle: [], cis: "",
        check: check,
    }

    fn check(cx: &ImageCx<'_>, out: &mut Sink<'_>) {
        for f in cx.files.iter().filter(|f| f.mode & 0o002 != 0) {
            if f.dir && f.mode & 0o1000 != 0 {
                continue; // sticky folders such as /tmp
            }
            let what = if f.dir { "folder" } else { "file" };
            out.line(
                0,
                format!(
                    "/{} is a world-writable {what} (mode {:04o}, layer {})",
                    f.path,
                    f.mode & 0o7777,
                    f.layer
                ),
                format!("/{} {:04o}", f.path, f.mode & 0o7777),
            );
        }
    }
}

pub mod im008_add_in_history {
    use super::*;

    rule! {
        id: "BH-IM-008", title: "ADD used in the image build", severity: Low, kind: Image,
        rationale: "ADD fetches URLs without checksum verification and unpacks local archives implicitly: the image content depends on remote servers and archive contents nobody reviewed.",
        fix: "Use COPY for local files; download with `ADD --checksum=sha256:…` or a verified `curl` + `sha256sum -c` step; unpack archives explicitly.",
        hadolint: ["DL3020"], trivy: ["DS-0005"], dockle: ["CIS-DI-0009"], cis: "4.9",
        check: check,
    }

    /// Whether `created_by` is an ADD step (classic builder `#(nop) ADD`, or
    /// BuildKit's `ADD … # buildkit`).
    pub fn is_add(created_by: &str) -> bool {
        let t = created_by.trim();
        let t = t
            .strip_prefix("/bin/sh -c")
            .map(str::trim_start)
            .unwrap_or(t);
        let t = t.strip_prefix("#(nop)").map(str::trim_start).unwrap_or(t);
        t.starts_with("ADD ")
    }

    fn check(cx: &ImageCx<'_>, out: &mut Sink<'_>) {
        let history: Vec<(usize, &str)> = cx.config["history"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, h)| h["created_by"].as_str().map(|c| (i, c)))
            .collect();
        // The earliest ADD of a base filesystem (`ADD file:… in /`, or the
        // first step of the image) is how base images are made: skipped, as
        // dockle does.
        let first_add = history.iter().find(|(_, c)| is_add(c)).map(|(i, _)| *i);
        for (i, c) in history {
            if !is_add(c) {
                continue;
            }
            let base = Some(i) == first_add
                && (c.contains(" in / ") || c.trim_end().ends_with(" in /") || i == 0);
            if base {
                continue;
            }
            let shown: String = c.chars().take(120).collect();
            out.line(
                0,
                format!("history entry {i} is an ADD step: {}", shown.trim()),
                format!("history[{i}].created_by"),
            );
        }
    }
}

/// Every image-config rule, in id order.
pub static RULES: &[&crate::rules::Rule] = &[
    &im001_root_user::RULE,
    &im002_user_name::RULE,
    &im003_no_healthcheck::RULE,
    &im004_env_secret::RULE,
    &im005_history_token::RULE,
    &im006_setuid::RULE,
    &im007_world_writable::RULE,
    &im008_add_in_history::RULE,
];

#[cfg(test)]
mod tests {
    use super::im008_add_in_history::is_add;

    #[test]
    fn add_forms() {
        assert!(is_add("/bin/sh -c #(nop) ADD file:abc in / "));
        assert!(is_add("ADD app.tar.gz /opt/ # buildkit"));
        assert!(!is_add("/bin/sh -c apt-get install -y adduser"));
        assert!(!is_add("COPY . . # buildkit"));
    }
}

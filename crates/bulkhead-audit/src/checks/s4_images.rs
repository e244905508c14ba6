//! Section 4, images: non-root user (4.1, judged on running containers as
//! docker-bench does), content trust (4.5), HEALTHCHECK (4.6), update
//! instructions (4.7), ADD (4.9), and the manual items as NOTE.

use super::{Check, Outcome, Run, Target, Verdict, daemon, manual, settings};
use crate::snapshot::{ContainerFacts, Snapshot};
use bulkhead_types::Severity;

fn user(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let s = settings(c);
    Verdict::warn_if(
        bulkhead_policy::controls::user::check(&super::spec(c)).is_some(),
        format!("Config.User={:?}", s.user),
    )
}

fn content_trust(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    let v = snap.host.as_ref().and_then(|h| h.content_trust.clone());
    daemon(
        Verdict::info(format!("DOCKER_CONTENT_TRUST={:?}", v.unwrap_or_default()))
            .with_message("Docker Content Trust (Notary v1) is being retired: verify images with signatures (bulkhead verify) instead"),
    )
}

fn per_image(
    snap: &Snapshot,
    f: impl Fn(&crate::snapshot::ImageFacts) -> Option<Verdict>,
) -> Vec<Outcome> {
    snap.images
        .iter()
        .filter_map(|i| {
            f(i).map(|verdict| Outcome {
                target: Target::Image(i.name.clone()),
                verdict,
            })
        })
        .collect()
}

fn healthcheck(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    per_image(snap, |i| {
        Some(match &i.healthcheck {
            None => Verdict::warn("Config.Healthcheck=null"),
            Some(t) if t.first().is_some_and(|x| x == "NONE") => {
                Verdict::warn(format!("Config.Healthcheck.Test={t:?} (disabled)"))
            }
            Some(t) => Verdict::pass(format!("Config.Healthcheck.Test={t:?}")),
        })
    })
}

/// A history line that runs a package-index update without installing in
/// the same instruction (`RUN apt-get update` alone).
pub(crate) fn update_alone(created_by: &str) -> bool {
    let l = created_by.to_ascii_lowercase();
    let managers = [
        "apt-get update",
        "apt update",
        "apk update",
        "yum update",
        "dnf update",
        "zypper refresh",
        "zypper ref",
    ];
    managers.iter().any(|m| l.contains(m))
        && !["install", "upgrade", "add ", "apk add"]
            .iter()
            .any(|w| l.contains(w))
}

fn update_instructions(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    per_image(snap, |i| {
        let hits: Vec<&String> = i.history.iter().filter(|h| update_alone(h)).collect();
        Some(if hits.is_empty() {
            Verdict::pass("no package-index update alone in history")
        } else {
            Verdict::info(format!("history: {hits:?}"))
                .with_message("update instruction alone in a layer: combine it with the install")
        })
    })
}

/// A history line from an `ADD` instruction.
pub(crate) fn is_add(created_by: &str) -> bool {
    let t = created_by.trim();
    let t = t.strip_prefix("/bin/sh -c #(nop)").map_or(t, str::trim);
    t.starts_with("ADD ")
}

fn add_used(snap: &Snapshot, _: &Check) -> Vec<Outcome> {
    per_image(snap, |i| {
        // The oldest entry (last, API order is newest first) is the base
        // image's root filesystem, usually an ADD: skip it, as docker-bench does.
        let n = i.history.len().saturating_sub(1);
        let hits: Vec<&String> = i.history.iter().take(n).filter(|h| is_add(h)).collect();
        Some(if hits.is_empty() {
            Verdict::pass("no ADD instruction above the base layer")
        } else {
            Verdict::info(format!("history: {hits:?}")).with_message("ADD used: prefer COPY")
        })
    })
}

pub(super) static CHECKS: &[Check] = &[
    Check {
        id: "AUDIT-4.1",
        cis: "4.1",
        title: "A user for the container has been created",
        description: "Config.User of each running container must name a non-root user. Unlike docker-bench's exact match on \"\", \"0\" and \"root\", the uid part is compared, so 0:0 and root:root are caught.",
        resolution: "Add a USER instruction to the image or run with --user UID:GID.",
        severity: Severity::Medium,
        run: Run::Container(user),
    },
    Check {
        id: "AUDIT-4.2",
        cis: "4.2",
        title: "Containers use only trusted base images",
        description: "Manual.",
        resolution: "Build from trusted, verified base images.",
        severity: Severity::Low,
        run: Run::Global(manual),
    },
    Check {
        id: "AUDIT-4.3",
        cis: "4.3",
        title: "Unnecessary packages not installed in the container",
        description: "Manual.",
        resolution: "Keep images minimal.",
        severity: Severity::Low,
        run: Run::Global(manual),
    },
    Check {
        id: "AUDIT-4.4",
        cis: "4.4",
        title: "Images scanned and rebuilt to include security patches",
        description: "Manual here; run `bulkhead image` on each image.",
        resolution: "Scan images regularly and rebuild them on fixes.",
        severity: Severity::Low,
        run: Run::Global(manual),
    },
    Check {
        id: "AUDIT-4.5",
        cis: "4.5",
        title: "Content trust for Docker is enabled",
        description: "Reports DOCKER_CONTENT_TRUST of the auditing process as INFO: Docker Content Trust (Notary v1) is being retired, so docker-bench's WARN on it is no longer a useful signal.",
        resolution: "Sign and verify images (bulkhead sign / bulkhead verify, or cosign).",
        severity: Severity::Low,
        run: Run::Global(content_trust),
    },
    Check {
        id: "AUDIT-4.6",
        cis: "4.6",
        title: "HEALTHCHECK instructions added to container images",
        description: "Each image's Config.Healthcheck must be set and not disabled with NONE (docker-bench accepts NONE).",
        resolution: "Add a HEALTHCHECK instruction to the Dockerfile.",
        severity: Severity::Low,
        run: Run::Global(healthcheck),
    },
    Check {
        id: "AUDIT-4.7",
        cis: "4.7",
        title: "Update instructions not used alone in Dockerfiles",
        description: "History lines running apt-get/apk/yum/dnf update without an install in the same instruction are listed as INFO (docker-bench matches the word `update` anywhere).",
        resolution: "Combine the update and install in one RUN instruction.",
        severity: Severity::Low,
        run: Run::Global(update_instructions),
    },
    Check {
        id: "AUDIT-4.8",
        cis: "4.8",
        title: "setuid and setgid permissions removed",
        description: "Manual here; `bulkhead image` reports setuid/setgid files layer by layer.",
        resolution: "Remove setuid/setgid bits from binaries that do not need them.",
        severity: Severity::Low,
        run: Run::Global(manual),
    },
    Check {
        id: "AUDIT-4.9",
        cis: "4.9",
        title: "COPY used instead of ADD in Dockerfiles",
        description: "History entries from ADD above the base layer are listed as INFO.",
        resolution: "Use COPY unless ADD's archive extraction is needed.",
        severity: Severity::Low,
        run: Run::Global(add_used),
    },
    Check {
        id: "AUDIT-4.10",
        cis: "4.10",
        title: "Secrets not stored in Dockerfiles",
        description: "Manual here; `bulkhead image --scanners secret` searches layers and history, and AUDIT-ENV-SECRETS checks running containers.",
        resolution: "Use build secrets (RUN --mount=type=secret).",
        severity: Severity::Low,
        run: Run::Global(manual),
    },
    Check {
        id: "AUDIT-4.11",
        cis: "4.11",
        title: "Only verified packages installed",
        description: "Manual.",
        resolution: "Install packages from signed repositories only.",
        severity: Severity::Low,
        run: Run::Global(manual),
    },
    Check {
        id: "AUDIT-4.12",
        cis: "4.12",
        title: "All signed artifacts validated",
        description: "Manual.",
        resolution: "Verify signatures of images and artifacts before use.",
        severity: Severity::Low,
        run: Run::Global(manual),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_detection() {
        assert!(update_alone("/bin/sh -c apt-get update"));
        assert!(!update_alone(
            "/bin/sh -c apt-get update && apt-get install -y curl"
        ));
        assert!(!update_alone("/bin/sh -c #(nop) COPY file:abc in /"));
    }

    #[test]
    fn add_detection() {
        assert!(is_add("/bin/sh -c #(nop) ADD file:abc in /"));
        assert!(is_add("ADD app.tar.gz /srv # buildkit"));
        assert!(!is_add("COPY busybox /bin/busybox # buildkit"));
        assert!(!is_add("/bin/sh -c echo ADD"));
    }
}

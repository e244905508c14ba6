//! Section 5, runtime behaviour: swarm mode (5.1), sshd (5.7), read-only
//! rootfs (5.13), restart policy (5.15), health (5.27), image reference
//! (5.28), and our own check for secrets passed in the environment.

use super::{Check, Run, Verdict, daemon, settings, spec};
use crate::snapshot::{ContainerFacts, Snapshot};
use bulkhead_policy::controls;
use bulkhead_types::Severity;

fn swarm(snap: &Snapshot, _: &Check) -> Vec<super::Outcome> {
    let state = snap
        .daemon
        .info
        .swarm
        .as_ref()
        .and_then(|s| s.local_node_state)
        .map(|s| s.to_string())
        .unwrap_or_default();
    daemon(Verdict::warn_if(
        !(state == "inactive" || state.is_empty()),
        format!("docker info Swarm.LocalNodeState={state:?}"),
    ))
}

fn sshd(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    match &c.processes {
        None => Verdict::info("process list unavailable (GET /containers/{id}/top failed)"),
        Some(procs) => {
            let hits: Vec<&String> = procs
                .iter()
                .filter(|p| {
                    p.split_whitespace()
                        .next()
                        .and_then(|cmd| cmd.rsplit('/').next())
                        .is_some_and(|b| b == "sshd" || b.starts_with("sshd:"))
                })
                .collect();
            Verdict::warn_if(
                !hits.is_empty(),
                format!("{} process(es), sshd: {hits:?}", procs.len()),
            )
        }
    }
}

fn read_only(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let ro = settings(c).read_only_rootfs;
    Verdict::warn_if(
        controls::read_only::check(&spec(c)).is_some(),
        format!("HostConfig.ReadonlyRootfs={ro}"),
    )
}

fn restart(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let r = &settings(c).restart;
    let evidence = format!(
        "HostConfig.RestartPolicy.Name={:?} MaximumRetryCount={}",
        r.name, r.max_retries
    );
    Verdict::warn_if(
        controls::restart_policy::check(&spec(c)).is_some(),
        evidence,
    )
}

fn health(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let h = &settings(c).health;
    let configured = controls::healthcheck::check(&spec(c)).is_none();
    match &h.status {
        Some(status) if configured => Verdict::pass(format!("State.Health.Status={status:?}")),
        _ => Verdict::warn(format!(
            "State.Health absent (Config.Healthcheck.Test={:?})",
            h.test
        )),
    }
}

fn image_ref(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let image = &settings(c).image;
    let pinning = controls::image_pinning::check(&spec(c))
        .and_then(|f| f.hits.into_iter().next())
        .map(|h| h.value);
    match pinning.as_deref() {
        // No reference at all cannot be pinned either.
        _ if image.is_empty() => Verdict::info(format!("Config.Image={image:?}"))
            .with_message("image referenced by a moving tag: pin a version or digest"),
        None => Verdict::pass(format!("Config.Image={image:?} (pinned by digest)")),
        Some(controls::image_pinning::UNPINNED) => Verdict::info(format!("Config.Image={image:?}"))
            .with_message("image referenced by a moving tag: pin a version or digest"),
        Some(_) => Verdict::pass(format!("Config.Image={image:?}")),
    }
}

fn env_secrets(c: &ContainerFacts, _: &Snapshot) -> Verdict {
    let hits: Vec<String> = controls::env_secrets::check(&spec(c))
        .into_iter()
        .flat_map(|f| f.hits)
        .map(|h| h.value)
        .collect();
    if hits.is_empty() {
        Verdict::pass("no secret-like variable name in Config.Env")
    } else {
        Verdict::warn(format!("Config.Env names: {hits:?} (values not shown)"))
    }
}

pub(super) static CHECKS: &[Check] = &[
    Check {
        id: "AUDIT-5.1",
        cis: "5.1",
        title: "Swarm mode not enabled, if not needed",
        description: "docker info Swarm.LocalNodeState must be inactive.",
        resolution: "Leave swarm mode (docker swarm leave) on hosts that do not need it.",
        severity: Severity::Low,
        run: Run::Global(swarm),
    },
    Check {
        id: "AUDIT-5.7",
        cis: "5.7",
        title: "sshd not run within containers",
        description: "The container's processes come from the daemon's top endpoint (ps run on the host), so minimal images without ps are covered; docker-bench execs ps inside each container and WARNs when that fails.",
        resolution: "Do not run an SSH daemon in containers; use docker exec.",
        severity: Severity::Medium,
        run: Run::Container(sshd),
    },
    Check {
        id: "AUDIT-5.13",
        cis: "5.13",
        title: "Container root filesystem mounted read-only",
        description: "HostConfig.ReadonlyRootfs=false is flagged.",
        resolution: "Run with --read-only and mount writable paths as tmpfs or volumes (--tmpfs /tmp).",
        severity: Severity::Medium,
        run: Run::Container(read_only),
    },
    Check {
        id: "AUDIT-5.15",
        cis: "5.15",
        title: "on-failure restart policy limited to 5",
        description: "Restart policies always and unless-stopped, and on-failure with 0 (unlimited) or more than 5 retries, are flagged. docker-bench flags only MaximumRetryCount > 5, although CIS names `always` as non-compliant.",
        resolution: "Use --restart on-failure:5 (or no restart policy).",
        severity: Severity::Low,
        run: Run::Container(restart),
    },
    Check {
        id: "AUDIT-5.27",
        cis: "5.27",
        title: "Container health checked at runtime",
        description: "State.Health must be present (a HEALTHCHECK runs).",
        resolution: "Add a HEALTHCHECK to the image or run with --health-cmd.",
        severity: Severity::Low,
        run: Run::Container(health),
    },
    Check {
        id: "AUDIT-5.28",
        cis: "5.28",
        title: "Docker commands always use the latest version of the image",
        description: "Manual: containers running an untagged or :latest reference are listed as INFO (docker-bench prints INFO for every container).",
        resolution: "Reference images by a version tag or digest, and redeploy when it changes.",
        severity: Severity::Low,
        run: Run::Container(image_ref),
    },
    Check {
        id: "AUDIT-ENV-SECRETS",
        cis: "",
        title: "No secrets passed in environment variables",
        description: "Config.Env names that look like secrets (PASSWORD, SECRET, TOKEN, *_KEY and similar as a word of the name; not *_FILE, *_PATH, *_ID, …) are flagged: the environment is readable by anyone who can inspect the container. Values are never read into the report. Same classifier as Compose rule BH-CO-020.",
        resolution: "Pass secrets as files (Docker/Compose secrets mounted under /run/secrets) instead of environment variables.",
        severity: Severity::High,
        run: Run::Container(env_secrets),
    },
];

#[cfg(test)]
mod tests {
    use crate::snapshot::{ContainerFacts, Snapshot};
    /// Names only (inspect values are never read), through the same
    /// control as Compose rule BH-CO-020.
    #[test]
    fn image_reference_pinning() {
        use crate::runtime::RuntimeSettings;
        let status = |image: &str| {
            let c = ContainerFacts {
                settings: RuntimeSettings {
                    image: image.into(),
                    ..RuntimeSettings::default()
                },
                processes: None,
            };
            super::image_ref(&c, &Snapshot::default()).status
        };
        use bulkhead_types::MisconfStatus::{Info, Pass};
        assert_eq!(status(""), Info);
        assert_eq!(status("nginx"), Info);
        assert_eq!(status("nginx:latest"), Info);
        assert_eq!(status("registry:5000/app"), Info);
        assert_eq!(status("nginx:1.27"), Pass);
        assert_eq!(status("nginx@sha256:abc"), Pass);
    }

    #[test]
    fn secret_names() {
        let secret_like = |name: &str| {
            bulkhead_policy::controls::env_secrets::is_secret(&bulkhead_types::SpecEnv {
                name: name.into(),
                ..Default::default()
            })
        };
        assert!(secret_like("DB_PASSWORD"));
        assert!(secret_like("aws_secret_access_key"));
        assert!(secret_like("GITHUB_TOKEN"));
        assert!(!secret_like("PATH"));
        assert!(!secret_like("HOME"));
        // Names of files and ids are not secrets (the old audit list said so).
        assert!(!secret_like("DB_PASSWORD_FILE"));
        assert!(!secret_like("AWS_ACCESS_KEY_ID"));
    }
}

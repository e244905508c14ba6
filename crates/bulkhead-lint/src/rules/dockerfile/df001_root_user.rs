//! The final stage must switch to a non-root USER.
use super::common::{effective_user, is_root};
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-001", title: "Final stage runs as root", severity: High, kind: Dockerfile,
    rationale: "A container whose process runs as root turns any code-execution bug into root inside the container, one kernel bug or misconfigured mount away from root on the host. Without a USER instruction the image runs as root unless the base image sets a user.",
    fix: "Create an unprivileged user and add `USER 10001:10001` (numeric UID:GID) in the final stage before CMD/ENTRYPOINT.",
    hadolint: ["DL3002"], trivy: ["DS-0002"], dockle: ["CIS-DI-0001"], cis: "4.1",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    let Some(stage) = cx.df.final_stage(cx.target) else {
        return;
    };
    let Some(from) = cx.df.instructions.get(stage.from) else {
        return;
    };
    if stage.base == "scratch" && effective_user(cx.df, stage).is_none() {
        out.at(
            from.span,
            "final stage FROM scratch has no USER: the process runs as UID 0",
            "FROM scratch",
        );
        return;
    }
    match effective_user(cx.df, stage) {
        None => out.at(
            from.span,
            "no USER in the final stage: the container runs as root unless the base image sets a user",
            format!("FROM {}", stage.base_raw),
        ),
        Some(u) if is_root(u.expanded.trim()) => out.at(
            u.span,
            format!("the final stage switches to root (USER {})", u.expanded.trim()),
            format!("USER {}", u.expanded.trim()),
        ),
        Some(_) => {}
    }
}

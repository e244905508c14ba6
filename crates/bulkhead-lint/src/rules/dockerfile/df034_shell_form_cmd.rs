//! CMD/ENTRYPOINT (and HEALTHCHECK CMD) in shell form.
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-034", title: "CMD, ENTRYPOINT or HEALTHCHECK CMD in shell form", severity: Low, kind: Dockerfile,
    rationale: "The shell form runs `/bin/sh -c`, which becomes PID 1: SIGTERM never reaches the application, so stops wait for the kill timeout and graceful shutdown code never runs. A shell-form `HEALTHCHECK CMD` needs a shell in the image (it fails in distroless and scratch images) and gets the shell's word splitting and expansion.",
    fix: "Use the exec form: `CMD [\"/app/server\", \"--port\", \"8080\"]`, `HEALTHCHECK CMD [\"/app/healthcheck\"]`.",
    hadolint: ["DL3025"], trivy: [], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for i in cx
        .final_instructions()
        .iter()
        .filter(|i| (i.keyword == "CMD" || i.keyword == "ENTRYPOINT") && !i.is_json())
    {
        out.at(
            i.span,
            format!("{} uses the shell form", i.keyword),
            i.keyword.clone(),
        );
    }
    // Every stage up to the final one: a HEALTHCHECK set in a base stage is inherited.
    for i in cx
        .instructions()
        .iter()
        .filter(|i| i.keyword == "HEALTHCHECK")
    {
        if let Some(cmd) = healthcheck_shell_cmd(&i.args_text()) {
            out.at(
                i.span,
                "HEALTHCHECK CMD uses the shell form",
                format!("HEALTHCHECK CMD {cmd}"),
            );
        }
    }
}

/// The command of `HEALTHCHECK [flags] CMD <shell text>` when it is not an
/// exec-form JSON array; `None` for `NONE` and exec form.
fn healthcheck_shell_cmd(args: &str) -> Option<&str> {
    let t = args.trim_start();
    let kw = t.get(..3)?;
    if !kw.eq_ignore_ascii_case("CMD") {
        return None;
    }
    let rest = t.get(3..)?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let rest = rest.trim();
    if rest.starts_with('[') && serde_json::from_str::<Vec<String>>(rest).is_ok() {
        return None;
    }
    (!rest.is_empty()).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::healthcheck_shell_cmd;

    #[test]
    fn healthcheck_forms() {
        assert_eq!(
            healthcheck_shell_cmd("CMD curl -f http://x/ || exit 1"),
            Some("curl -f http://x/ || exit 1")
        );
        assert_eq!(healthcheck_shell_cmd("cmd true"), Some("true"));
        assert_eq!(healthcheck_shell_cmd("CMD [\"/hc\"]"), None);
        assert_eq!(healthcheck_shell_cmd("NONE"), None);
        assert_eq!(healthcheck_shell_cmd("CMD"), None);
        assert_eq!(healthcheck_shell_cmd("CMD [not json"), Some("[not json"));
    }
}

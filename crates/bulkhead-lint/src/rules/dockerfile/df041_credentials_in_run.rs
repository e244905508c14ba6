//! RUN writes or configures credentials without a secret mount.
use super::common::has_secret_mount;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-041", title: "RUN handles credentials without a secret mount", severity: High, kind: Dockerfile,
    rationale: "Credentials written to files (`~/.npmrc`, `~/.netrc`, `~/.aws/credentials`) or passed on the command line in a RUN are stored in the layer and its history.",
    fix: "Use `RUN --mount=type=secret,id=NAME[,target=PATH]` so the secret exists only while the RUN executes.",
    hadolint: [], trivy: ["DS-0031"], dockle: ["CIS-DI-0010"], cis: "4.10",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for r in cx.runs.iter().filter(|r| !has_secret_mount(r.inst)) {
        let hit = r.commands.iter().find_map(|c| {
            let a = c.argv();
            let w = |i: usize| a.get(i).map(String::as_str).unwrap_or("");
            let p = c.program();
            if p == "aws"
                && w(1) == "configure"
                && w(2) == "set"
                && w(3).contains("aws_secret_access_key")
            {
                return Some("aws configure set aws_secret_access_key");
            }
            if p == "npm"
                && w(1) == "config"
                && w(2) == "set"
                && a.iter()
                    .any(|x| x.contains("_authToken") || x.contains("_auth"))
            {
                return Some("npm config set _authToken");
            }
            if p == "gcloud" && a.iter().any(|x| x == "activate-service-account") {
                return Some("gcloud auth activate-service-account");
            }
            if p == "az"
                && w(1) == "login"
                && a.iter().any(|x| x == "-p" || x.starts_with("--password"))
            {
                return Some("az login -p");
            }
            if p == "doctl"
                && w(1) == "auth"
                && a.iter()
                    .any(|x| x == "-t" || x.starts_with("--access-token"))
            {
                return Some("doctl auth init -t");
            }
            if p == "docker"
                && w(1) == "login"
                && a.iter().any(|x| x == "-p" || x.starts_with("--password="))
            {
                return Some("docker login -p");
            }
            let writes = c
                .words
                .iter()
                .any(|x| x == ">" || x == ">>" || x.starts_with('>'))
                || p == "tee";
            if writes
                && c.words.iter().any(|x| {
                    x.ends_with(".npmrc")
                        || x.ends_with(".netrc")
                        || x.ends_with(".aws/credentials")
                        || x.ends_with(".git-credentials")
                        || x.ends_with(".pypirc")
                })
            {
                return Some("credentials written to a file");
            }
            None
        });
        if let Some(h) = hit {
            out.at(
                r.inst.span,
                format!("{h} in RUN without --mount=type=secret"),
                h,
            );
        }
    }
}

//! Ownership changed by RUN chown/chmod instead of COPY --chown/--chmod.
use super::common::copy_parts;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-003", title: "Copied files re-owned with RUN chown instead of COPY --chown", severity: Low, kind: Dockerfile,
    rationale: "`RUN chown -R` (or chmod) on files an earlier COPY added writes every file again into a new layer: the image doubles in size and the root-owned copy stays in the lower layer.",
    fix: "Set ownership and mode while copying: `COPY --chown=10001:10001 --chmod=0550 src/ /app/`. Keep app files owned by root and read-only unless the app must write them.",
    hadolint: [], trivy: [], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for stage in &cx.df.stages {
        let mut dests: Vec<String> = Vec::new();
        for i in cx.df.stage_instructions(stage) {
            match i.keyword.as_str() {
                "COPY" | "ADD" => {
                    if let (_, Some(d)) = copy_parts(i) {
                        dests.push(d.trim_end_matches('/').to_string());
                    }
                }
                "RUN" => {
                    for c in crate::dockerfile::shell::commands(&i.script()) {
                        let p = c.program();
                        if p != "chown" && p != "chmod" {
                            continue;
                        }
                        let hit = c
                            .argv()
                            .iter()
                            .skip(1)
                            .filter(|a| !a.starts_with('-'))
                            .skip(1)
                            .find(|a| {
                                let a = a.trim_end_matches('/');
                                dests.iter().any(|d| {
                                    !d.is_empty() && (a == d || a.starts_with(&format!("{d}/")))
                                })
                            });
                        if let Some(path) = hit {
                            out.at(i.span, format!("RUN {p} on {path}, which an earlier COPY/ADD created: use COPY --{}", if p == "chown" { "chown" } else { "chmod" }), c.words.join(" "));
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

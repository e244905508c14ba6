//! ADD used for plain local files.
use super::common::copy_parts;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-012", title: "ADD used where COPY suffices", severity: Low, kind: Dockerfile,
    rationale: "ADD silently unpacks local archives and fetches URLs; for plain files COPY is explicit and cannot surprise you with extraction.",
    fix: "Use COPY for local files and folders; keep ADD only to extract a local tar archive.",
    hadolint: ["DL3020"], trivy: ["DS-0005"], dockle: ["CIS-DI-0009"], cis: "4.9",
    check: check,
}

const ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst", ".tzst",
    ".gz", ".bz2", ".xz",
];

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for i in cx
        .df
        .instructions
        .iter()
        .filter(|i| i.keyword == "ADD" && i.heredocs.is_empty())
    {
        let (srcs, _) = copy_parts(i);
        let local: Vec<&String> = srcs
            .iter()
            .filter(|s| !(s.contains("://") || s.starts_with("git@")))
            .filter(|s| !ARCHIVES.iter().any(|a| s.to_ascii_lowercase().ends_with(a)))
            .collect();
        if !local.is_empty() && local.len() == srcs.len() {
            out.at(
                i.span,
                format!(
                    "ADD of local files ({}): use COPY",
                    local
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
                format!(
                    "ADD {}",
                    local
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            );
        }
    }
}

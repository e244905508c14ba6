//! EXPOSE with an invalid port.
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-027", title: "EXPOSE port out of range", severity: Medium, kind: Dockerfile,
    rationale: "Ports above 65535 or malformed port specs are rejected at run time or silently ignored, so the documented interface of the image is wrong.",
    fix: "Use ports 1-65535, e.g. `EXPOSE 8080/tcp`.",
    hadolint: ["DL3011"], trivy: ["DS-0008"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for i in cx.df.instructions.iter().filter(|i| i.keyword == "EXPOSE") {
        for w in i.words() {
            let port = w.split('/').next().unwrap_or("");
            if port.contains('$') || port.is_empty() {
                continue;
            }
            let ok = port
                .split('-')
                .all(|p| p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n)));
            if !ok {
                out.at(
                    i.span,
                    format!("EXPOSE {w}: not a valid port"),
                    format!("EXPOSE {w}"),
                );
            }
        }
    }
}

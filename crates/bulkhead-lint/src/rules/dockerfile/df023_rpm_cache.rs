//! yum/dnf/microdnf/zypper caches left in the layer.
use super::common::{has_cache_mount, in_final};
use super::pm::is;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-023", title: "RPM package manager cache not cleaned", severity: Low, kind: Dockerfile,
    rationale: "yum/dnf/microdnf/zypper keep metadata and downloaded packages in the layer after install.",
    fix: "End the RUN with `&& yum clean all` (dnf/microdnf: `clean all`, zypper: `zypper clean`), or mount /var/cache/<pm> as a cache.",
    hadolint: ["DL3032", "DL3036", "DL3040"], trivy: ["DS-0015", "DS-0019", "DS-0020", "DS-0027"], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    for r in cx.runs.iter().filter(|r| in_final(cx, r.inst)) {
        for pm in ["yum", "dnf", "microdnf", "zypper"] {
            let installs = r
                .commands
                .iter()
                .any(|c| is(c, &[pm], &["install", "in", "groupinstall", "localinstall"]));
            if !installs || has_cache_mount(r.inst, &format!("/var/cache/{pm}")) {
                continue;
            }
            let cleaned = r.commands.iter().any(|c| {
                is(c, &[pm], &["clean", "cc"])
                    || (c.program() == "rm" && c.words.iter().any(|w| w.starts_with("/var/cache/")))
            });
            if !cleaned {
                out.at(
                    r.inst.span,
                    format!("{pm} install without `{pm} clean`"),
                    pm,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::pm::finding_lines;

    fn lines(run: &str) -> Vec<usize> {
        finding_lines(&format!("FROM fedora:40\n{run}\n"), "BH-DF-023")
    }

    #[test]
    fn cache_left_behind() {
        for run in [
            "RUN yum install -y httpd-2.4.6",
            "RUN dnf -y install \\\n    git-2.43.0",
            "RUN microdnf install -y tzdata-2024a-1.el9",
            "RUN zypper -n in vim=9.1",
            "RUN <<EOF\ndnf install -y git-2.43.0\nEOF",
        ] {
            assert_eq!(lines(run), [2], "{run}");
        }
    }

    #[test]
    fn cache_cleaned_or_mounted() {
        for run in [
            "RUN yum install -y httpd-2.4.6 && yum clean all",
            "RUN dnf install -y git-2.43.0 \\\n    && dnf clean all",
            "RUN microdnf install -y tzdata && microdnf clean all",
            "RUN zypper -n in vim=9.1 && zypper clean --all",
            "RUN dnf install -y git && rm -rf /var/cache/dnf",
            "RUN --mount=type=cache,target=/var/cache/dnf dnf install -y git",
        ] {
            assert!(lines(run).is_empty(), "{run}");
        }
        // a build stage's cache does not ship
        assert!(
            finding_lines(
                "FROM fedora:40 AS b\nRUN dnf install -y git\nFROM scratch\nCOPY --from=b /x /x\n",
                "BH-DF-023"
            )
            .is_empty()
        );
    }
}

//! yum install without version pins (hadolint DL3033).
use super::pm::{flag_unpinned, is_local_or_url, rpm_versioned};
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-047", title: "yum install without pinned versions", severity: Low, kind: Dockerfile,
    rationale: "Unpinned packages make builds unreproducible: a rebuild can silently pull a different version, and an SBOM of one build says nothing about the next.",
    fix: "Pin each package to a version (`yum install -y nginx-1.20.1`) or version-release (`nginx-1.20.1-14.el9`), and refresh the pins when the base image is updated.",
    hadolint: ["DL3033"], trivy: [], dockle: [], cis: "",
    check: check,
}

/// Flags of yum/dnf/microdnf that take the next word as their value.
pub(super) const RPM_VALUE_FLAGS: &[&str] = &[
    "-c",
    "--config",
    "--installroot",
    "--releasever",
    "--enablerepo",
    "--disablerepo",
    "--repo",
    "--repoid",
    "--setopt",
    "-x",
    "--exclude",
    "-d",
    "--debuglevel",
    "-e",
    "--errorlevel",
    "--downloaddir",
    "--destdir",
    "--forcearch",
    "--rpmverbosity",
    "--color",
    "--disableplugin",
    "--enableplugin",
];

/// A yum/dnf package argument counts as pinned with a version
/// (`name-1.2.3`, `name-1.2.3-1.el9`, `name-0:1.2-3`), a version constraint
/// (`'name >= 1.2'`), as a local `.rpm`, path or URL, or as a group (`@…`),
/// which has no version to pin.
pub(super) fn rpm_pinned(w: &str) -> bool {
    rpm_versioned(w)
        || w.contains(['=', '<', '>'])
        || w.starts_with('@')
        || w.ends_with(".rpm")
        || is_local_or_url(w)
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    flag_unpinned(cx, out, &["yum"], &["install"], RPM_VALUE_FLAGS, rpm_pinned);
}

#[cfg(test)]
mod tests {
    use super::super::pm::finding_lines;

    fn lines(run: &str) -> Vec<usize> {
        finding_lines(&format!("FROM centos:7\n{run}\n"), "BH-DF-047")
    }

    #[test]
    fn unpinned_yum_install() {
        assert_eq!(lines("RUN yum install -y httpd && yum clean all"), [2]);
        assert_eq!(lines("RUN yum -y install httpd-2.4.6 rpm-sign"), [2]);
        // flags with values before and after the subcommand are not packages
        assert_eq!(
            lines(
                "RUN yum --enablerepo epel -c /etc/yum.conf install -y --setopt tsflags=nodocs jq"
            ),
            [2]
        );
        // multi-line RUN: reported on the RUN line
        assert_eq!(
            lines("RUN set -e; \\\n    yum install -y \\\n      nginx-1.20.1 \\\n      curl"),
            [2]
        );
        // heredoc RUN
        assert_eq!(lines("RUN <<EOF\nyum install -y git\nEOF"), [2]);
    }

    #[test]
    fn pinned_or_not_yum_install() {
        for run in [
            "RUN yum install -y httpd-2.4.6 nginx-1.20.1-14.el9 openssl-1:1.0.2k-26.el7_9",
            "RUN yum install -y ./local.rpm https://example.com/x.rpm @development",
            "RUN yum --enablerepo epel install -y -- jq-1.6",
            "RUN yum update -y && yum clean all",
            "RUN notyum install httpd",
            "RUN dnf install -y httpd",
            "RUN <<EOF\nyum install -y git-2.39.3\nEOF",
        ] {
            assert!(lines(run).is_empty(), "{run}");
        }
    }
}

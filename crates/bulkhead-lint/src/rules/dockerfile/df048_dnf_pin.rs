//! dnf/microdnf install without version pins (hadolint DL3041).
use super::df047_yum_pin::{RPM_VALUE_FLAGS, rpm_pinned};
use super::pm::flag_unpinned;
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-048", title: "dnf install without pinned versions", severity: Low, kind: Dockerfile,
    rationale: "Unpinned packages make builds unreproducible: a rebuild can silently pull a different version, and an SBOM of one build says nothing about the next.",
    fix: "Pin each package to a version (`dnf install -y nginx-1.24.0`) or version-release (`nginx-1:1.24.0-4.fc40`), and refresh the pins when the base image is updated.",
    hadolint: ["DL3041"], trivy: [], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    flag_unpinned(
        cx,
        out,
        &["dnf", "microdnf"],
        &["install"],
        RPM_VALUE_FLAGS,
        rpm_pinned,
    );
}

#[cfg(test)]
mod tests {
    use super::super::pm::finding_lines;

    fn lines(run: &str) -> Vec<usize> {
        finding_lines(&format!("FROM fedora:40\n{run}\n"), "BH-DF-048")
    }

    #[test]
    fn unpinned_dnf_install() {
        assert_eq!(lines("RUN dnf install -y tomcat && dnf clean all"), [2]);
        assert_eq!(lines("RUN microdnf install -y rpm-sign"), [2]);
        assert_eq!(
            lines("RUN dnf -y --setopt install_weak_deps=False install \\\n    java-11-openjdk"),
            [2]
        );
        assert_eq!(lines("RUN <<EOF\nset -e\ndnf install -y git\nEOF"), [2]);
    }

    #[test]
    fn pinned_or_not_dnf_install() {
        for run in [
            "RUN dnf install -y tomcat-9.0.1 java-11-openjdk-11.0.20.0.8-1.fc40",
            "RUN microdnf install -y --nodocs openssl-1:3.0.7-27.el9 && microdnf clean all",
            "RUN dnf install -y 'nginx >= 1.24' /tmp/x.rpm",
            "RUN dnf module install -y nodejs:20",
            "RUN dnf upgrade -y",
            "RUN yum install -y tomcat",
        ] {
            assert!(lines(run).is_empty(), "{run}");
        }
    }
}

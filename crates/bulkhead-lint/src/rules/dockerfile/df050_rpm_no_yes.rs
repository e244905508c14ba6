//! yum/dnf/zypper install without the non-interactive switch.
use super::pm::{has_flag, is};
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-050", title: "RPM package manager install without -y / -n", severity: Low, kind: Dockerfile,
    rationale: "Without -y (yum, dnf) or -n (zypper) the package manager waits for a confirmation no one can give during a build: the build aborts.",
    fix: "`yum install -y …`, `dnf install -y …`, `zypper --non-interactive install …` (or `zypper install -y …`).",
    hadolint: ["DL3030", "DL3038", "DL3034"], trivy: [], dockle: [], cis: "",
    check: check,
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    // microdnf never asks (its -y is accepted and ignored), so unlike
    // hadolint DL3038 it is not checked.
    for r in &cx.runs {
        for c in &r.commands {
            let yum_dnf = is(
                c,
                &["yum", "dnf"],
                &["install", "groupinstall", "localinstall"],
            ) && !has_flag(c, &["--assumeyes"], Some('y'));
            let zypper = is(
                c,
                &["zypper"],
                &[
                    "install",
                    "in",
                    "remove",
                    "rm",
                    "source-install",
                    "si",
                    "patch",
                ],
            ) && !has_flag(c, &["--non-interactive", "--no-confirm"], Some('n'))
                && !has_flag(c, &[], Some('y'));
            if yum_dnf || zypper {
                out.at(
                    r.inst.span,
                    format!("{} without a non-interactive switch", c.program()),
                    c.words.join(" "),
                );
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::pm::finding_lines;

    fn lines(run: &str) -> Vec<usize> {
        finding_lines(&format!("FROM rockylinux:9\n{run}\n"), "BH-DF-050")
    }

    #[test]
    fn interactive_installs() {
        for run in [
            "RUN yum install httpd-2.4.6 && yum clean all",
            "RUN yum groupinstall 'Development Tools'",
            "RUN dnf install tomcat-9.0.1",
            "RUN dnf --refresh install -q tomcat-9.0.1",
            "RUN zypper install httpd=2.4.24",
            "RUN zypper rm vim",
            "RUN zypper patch",
            "RUN set -eux; \\\n    yum update -y; \\\n    yum install \\\n      git",
            "RUN <<EOF\ndnf install git\nEOF",
        ] {
            assert_eq!(lines(run), [2], "{run}");
        }
    }

    #[test]
    fn non_interactive_installs() {
        for run in [
            "RUN yum install -y httpd",
            "RUN yum -y install httpd",
            "RUN yum install --assumeyes httpd",
            "RUN yum install -qy httpd",
            "RUN dnf install -y tomcat",
            "RUN dnf --assumeyes install tomcat",
            "RUN microdnf install tomcat",
            "RUN zypper --non-interactive install httpd",
            "RUN zypper -n in httpd",
            "RUN zypper install -y httpd",
            "RUN zypper install --no-confirm httpd",
            "RUN zypper -n patch",
            "RUN yum update -y",
            "RUN zypper refresh",
            "RUN <<EOF\ndnf install -y git\nEOF",
        ] {
            assert!(lines(run).is_empty(), "{run}");
        }
    }
}

//! zypper install without version pins (hadolint DL3037).
use super::pm::{flag_unpinned, is_local_or_url, rpm_versioned};
use crate::rules::{DockerfileCx, Sink, rule};

rule! {
    id: "BH-DF-049", title: "zypper install without pinned versions", severity: Low, kind: Dockerfile,
    rationale: "Unpinned packages make builds unreproducible: a rebuild can silently pull a different version, and an SBOM of one build says nothing about the next.",
    fix: "Pin each package (`zypper install -n nginx=1.21.5`, or a range such as `'nginx>=1.21'`), and refresh the pins when the base image is updated.",
    hadolint: ["DL3037"], trivy: [], dockle: [], cis: "",
    check: check,
}

/// `name=1.2`, `name>=1.2`, `name<1.2` and `name-1.2` are versions; local
/// `.rpm` files, paths and URLs have one.
fn pinned(w: &str) -> bool {
    w.contains(['=', '<', '>']) || rpm_versioned(w) || w.ends_with(".rpm") || is_local_or_url(w)
}

fn check(cx: &DockerfileCx<'_>, out: &mut Sink<'_>) {
    flag_unpinned(
        cx,
        out,
        &["zypper"],
        &["install", "in"],
        &[
            "-t",
            "--type",
            "-r",
            "--repo",
            "--from",
            "-R",
            "--root",
            "-c",
            "--config",
            "-D",
            "--reposd-dir",
            "-C",
            "--cache-dir",
            "--raw-cache-dir",
            "--solv-cache-dir",
            "--pkg-cache-dir",
        ],
        pinned,
    );
}

#[cfg(test)]
mod tests {
    use super::super::pm::finding_lines;

    fn lines(run: &str) -> Vec<usize> {
        finding_lines(&format!("FROM opensuse/leap:15.6\n{run}\n"), "BH-DF-049")
    }

    #[test]
    fn unpinned_zypper_install() {
        assert_eq!(lines("RUN zypper install -y httpd && zypper clean"), [2]);
        assert_eq!(
            lines("RUN zypper --non-interactive in --from oss curl"),
            [2]
        );
        assert_eq!(
            lines(
                "RUN zypper -n refresh && \\\n    zypper -n in -r oss \\\n      nginx=1.21.5 git"
            ),
            [2]
        );
        assert_eq!(lines("RUN <<EOF\nzypper -n in git\nEOF"), [2]);
    }

    #[test]
    fn pinned_or_not_zypper_install() {
        for run in [
            "RUN zypper install -y httpd=2.4.24 'nginx>=1.21' 'curl<9' git-2.43.0",
            "RUN zypper -n in ./local.rpm",
            "RUN zypper -n refresh",
            "RUN zypper -n rm vim",
            "RUN apt-get install -y curl=8.0",
        ] {
            assert!(lines(run).is_empty(), "{run}");
        }
    }
}

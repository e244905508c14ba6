FROM rockylinux/rockylinux:9.3@sha256:4444444444444444444444444444444444444444444444444444444444444444 AS el
RUN yum install httpd-2.4.57 && yum clean all
RUN yum --enablerepo epel install -y jq nginx-1:1.20.1-14.el9 && yum clean all
RUN dnf -y --setopt install_weak_deps=False install \
      java-11-openjdk \
      openssl-1:3.0.7-27.el9 \
    && dnf clean all
RUN microdnf install -y --nodocs tzdata-2024a-1.el9 && microdnf clean all
RUN dnf install -y git-2.43.0
FROM opensuse/leap:15.6@sha256:5555555555555555555555555555555555555555555555555555555555555555
RUN zypper install curl=8.6.0 && zypper clean --all
RUN zypper --non-interactive in --from oss 'nginx>=1.21' git && zypper clean
RUN zypper -n dist-upgrade && zypper -n in vim-9.1.0330 && zypper clean
RUN zypper -n in less-643-150600.1.2
USER 10001:10001
HEALTHCHECK --timeout=2s CMD ["/bin/true"]
CMD ["/app"]

# Bulkhead's own image: one static binary on an empty base.
#
#   docker build -t bulkhead:0.1.0 .
#   docker run --rm -v bulkhead-cache:/cache bulkhead:0.1.0 db update
#
# The final stage holds the binary, CA certificates, an /etc/passwd and
# /etc/group naming the non-root user 65532, and nothing else: no shell, no
# package manager, no OS packages to patch. It is the stage after the last
# FROM; crates/bulkhead-cli/tests/own_image.rs builds it from the test
# binary and scans it with `bulkhead image`, so keep its COPY --from=build
# sources to the ones that test knows (/out/bulkhead, /out/empty/ and the
# CA file).
#
# Base images are pinned by tag. Pin them by digest too where you build
# (`rust:1.95.0-bookworm@sha256:…`): digests cannot be checked from the
# offline machine this file was written on.

FROM rust:1.95.0-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY crates/ crates/
# A static glibc binary: +crt-static on an explicit --target applies to the
# binary only, not to build scripts and proc-macros. Name lookups go through
# glibc's built-in files and dns sources (/etc/hosts, /etc/resolv.conf),
# which need no shared library at run time.
ENV RUSTFLAGS="-C target-feature=+crt-static" \
    CARGO_TERM_COLOR=never
RUN cargo build --release --locked -p bulkhead-cli --bin bulkhead \
        --target x86_64-unknown-linux-gnu \
 && install -D -m 0555 target/x86_64-unknown-linux-gnu/release/bulkhead /out/bulkhead \
 && install -d -m 0755 /out/empty

FROM scratch AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="bulkhead" \
      org.opencontainers.image.description="Container security scanner: images, SBOMs, Dockerfile, Compose and Kubernetes checks, Harbor scanner adapter, fleet server and worker" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://example.invalid/bulkhead"
COPY deploy/image/passwd /etc/passwd
COPY deploy/image/group /etc/group
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/bulkhead /bulkhead
# The advisory database and the layer cache go to /cache, temporary files
# to /tmp; both belong to 65532 (mode 0755, not world-writable). Mount a
# volume (Docker) or an emptyDir (Kubernetes) on each, so the root
# filesystem can stay read-only.
COPY --from=build --chown=65532:65532 /out/empty/ /cache/
COPY --from=build --chown=65532:65532 /out/empty/ /tmp/
ENV BULKHEAD_CACHE_DIR=/cache
VOLUME ["/cache"]
USER 65532:65532
EXPOSE 8080
# No health command: the image runs several commands (server, worker,
# one-shot scans) and has no shell or HTTP client. The server's health is
# its /probe/healthy and /probe/ready endpoints, which Kubernetes probes
# (deploy/kubernetes/server.yaml); a HEALTHCHECK that only ran the binary
# would say healthy while the server hung.
HEALTHCHECK NONE
ENTRYPOINT ["/bulkhead"]
CMD ["--help"]

# syntax=docker/dockerfile:1.7
ARG BASE=debian:12.5-slim@sha256:0000000000000000000000000000000000000000000000000000000000000000
FROM golang:1.22.2@sha256:1111111111111111111111111111111111111111111111111111111111111111 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/root/.cache/go-build go build -o /out/app ./cmd/app

FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates=20230311 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build --chown=10001:10001 /out/app /app/app
USER 10001:10001
HEALTHCHECK --interval=30s --timeout=3s CMD ["/app/app", "health"]
ENTRYPOINT ["/app/app"]

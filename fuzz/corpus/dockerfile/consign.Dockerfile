# syntax=docker/dockerfile:1
# consign's own image: one static (musl) binary and the CA bundle on an empty base, run as a
# non-root user, with no shell and nothing else. docs/ci.md ("consign's own image") explains
# every choice and how the tests check it.
#
#   docker buildx build -t consign:0.1.0 --build-arg VERSION=0.1.0 \
#     --build-arg REVISION="$(git rev-parse HEAD)" .
#   docker run --rm --read-only -v "$PWD:/work" consign:0.1.0 sbom app.tar -o spdx-json=app.spdx.json

ARG RUST_VERSION=1.95

# --- build: the Rust toolchain on Alpine, so the binary links musl statically (the musl
# targets' default is crt-static) and needs no libc at run time. The bundled SQLite, zstd and
# ring compile their C with the image's gcc; nothing is installed with apk.
FROM rust:${RUST_VERSION}-alpine AS build
WORKDIR /src
ENV CARGO_PROFILE_RELEASE_STRIP=debuginfo
COPY Cargo.toml Cargo.lock ./
COPY benches ./benches
COPY src ./src
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin consign \
 && install -D -m 0755 target/release/consign /out/consign

# --- the image: scratch, i.e. no shell, no package manager, no libc.
FROM scratch
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE=https://github.com/consign-dev/consign
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY docker/rootfs/ /
COPY --from=build /out/consign /usr/local/bin/consign
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
WORKDIR /work
USER 65532:65532
LABEL org.opencontainers.image.title="consign" \
      org.opencontainers.image.description="SBOMs, audits and attestations for container images" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.vendor="The consign project"
# A CLI that runs once and exits has nothing for a health check to probe.
HEALTHCHECK NONE
ENTRYPOINT ["/usr/local/bin/consign"]
CMD ["--help"]

# syntax=docker/dockerfile:1
ARG BASE=debian:12
FROM ${BASE} AS build
RUN apt-get update && \
    apt-get install -y curl
RUN <<EOF
set -e
curl -fsSL https://example.com/install.sh | sh
EOF
FROM gcr.io/distroless/static@sha256:0000000000000000000000000000000000000000000000000000000000000000
COPY --from=build /out /app
USER 65532:65532
ENTRYPOINT ["/app"]

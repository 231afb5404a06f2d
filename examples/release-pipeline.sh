#!/usr/bin/env bash
# consign in a release pipeline, end to end: the recipe of docs/ci.md as one script that runs
# anywhere consign, skopeo and a registry are. tests/run.sh runs it against a local registry
# for two releases in a row (tests/it/pipeline.rs).
#
#   REGISTRY=localhost:5000 INSECURE=1 IMAGE=oci-archive:app.tar VERSION=1.1.0 \
#     PREVIOUS=1.0.0 examples/release-pipeline.sh
#   REGISTRY=localhost:5000 INSECURE=1 VERSION=1.0.0 examples/release-pipeline.sh   # a demo image
#
# 0. build (only without IMAGE): a demo image made from samples/ without a daemon (skopeo
#          and umoci), hardened as a real build would be: non-root user, labels;
# 1. push  the image the build produced (docker buildx --output type=oci, docker save, …)
#          to the registry, keeping its digest (skopeo);
# 2. sbom  CycloneDX and SPDX of exactly what was pushed, scanned from the registry;
# 3. audit the pushed image against the policy; SARIF for code scanning; a finding at or
#          above --fail-on stops the release here (exit 1), after the reports are written;
# 4. diff  against the previous release's SBOM (attached to it in the registry, or a file),
#          Markdown for the release notes;
# 5. attest + attach: the SBOMs and the signed attestation next to the image (OCI referrers),
#          where the next release's step 4 and `consign verify` find them;
# 6. verify the attestation with the public key, as a consumer would.
#
# Environment (default in brackets):
#   IMAGE          the built image, as consign names it: oci-archive:TAR, oci-dir:DIR or
#                  docker-archive:TAR [a demo image built from samples/]
#   REGISTRY       registry host[:port] [required]
#   VERSION        this release's tag [required]
#   REPOSITORY     repository in the registry [example/app]
#   PREVIOUS       the previous release's tag, whose attached SBOM step 4 compares with [none]
#   PREVIOUS_SBOM  the previous release's SBOM as a file instead (e.g. a release asset) [none]
#   POLICY         audit policy [examples/audit-policy.toml beside this script]
#   DOCKERFILE     the Dockerfile the image was built from, for the audit [none]
#   SIGNING_KEY    private key (PKCS#8 PEM) [a throwaway key generated in OUT]
#   PUBLIC_KEY     its public key, for step 6 [the throwaway key's; else step 6 is skipped]
#   OUT            the release assets' directory [release/VERSION]
#   CONSIGN        the consign binary [consign]
#   INSECURE       1: plain HTTP to a registry on this machine [0]
#   REGISTRY_CA    PEM file of the registry's CA [the system's]
# Registry credentials are read where docker login writes them ($DOCKER_CONFIG/config.json).
# consign's own defaults can also come from CONSIGN_* variables or consign.toml (docs/ci.md).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
: "${REGISTRY:?REGISTRY: the registry host[:port] to push to}"
: "${VERSION:?VERSION: the tag of this release}"
REPOSITORY="${REPOSITORY:-example/app}"
POLICY="${POLICY:-$here/audit-policy.toml}"
OUT="${OUT:-release/$VERSION}"
CONSIGN="${CONSIGN:-consign}"
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*" >&2; }

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# consign reads its registry settings from the environment in every step below.
skopeo_tls=()
if [ "${INSECURE:-0}" = 1 ]; then
  export CONSIGN_INSECURE_REGISTRY=true
  skopeo_tls=(--dest-tls-verify=false)
elif [ -n "${REGISTRY_CA:-}" ]; then
  export CONSIGN_REGISTRY_CA="$REGISTRY_CA"
  mkdir -p "$scratch/certs"
  cp "$REGISTRY_CA" "$scratch/certs/ca.crt"
  skopeo_tls=(--dest-cert-dir "$scratch/certs")
fi

if [ -z "${IMAGE:-}" ]; then
  step "0. no IMAGE: building a demo image from samples/ (skopeo and umoci, no daemon)"
  layout="$scratch/image"
  skopeo copy -q "docker-archive:$here/../samples/distroless-debian-12.docker25.tar" "oci:$layout:app"
  umoci config --image "$layout:app" --created "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --config.user 65532:65532 \
    --config.label org.opencontainers.image.source=https://example.com/demo/app \
    --config.label "org.opencontainers.image.revision=demo-$VERSION" \
    --config.label "org.opencontainers.image.version=$VERSION" \
    --history.created_by "USER 65532:65532 # examples/release-pipeline.sh demo"
  IMAGE="oci-dir:$layout"
fi

step "1. push $IMAGE to $REGISTRY/$REPOSITORY:$VERSION"
case "$IMAGE" in
  oci-dir:*) from="oci:${IMAGE#oci-dir:}" ;;
  oci-archive:* | docker-archive:*) from="$IMAGE" ;;
  *) echo "IMAGE=$IMAGE: name it oci-archive:TAR, oci-dir:DIR or docker-archive:TAR" >&2; exit 2 ;;
esac
skopeo copy -q --preserve-digests --digestfile "$OUT/digest" "${skopeo_tls[@]}" \
  "$from" "docker://$REGISTRY/$REPOSITORY:$VERSION"
digest="$(cat "$OUT/digest")"
ref="$REGISTRY/$REPOSITORY@$digest"
echo "pushed $ref" >&2

step "2. SBOMs of $ref"
"$CONSIGN" sbom "registry:$ref" \
  -o "cyclonedx-json=$OUT/sbom.cdx.json" -o "spdx-json=$OUT/sbom.spdx.json"

step "3. audit $ref with $POLICY"
audit=("$CONSIGN" audit "registry:$ref" --policy "$POLICY" -o "sarif=$OUT/audit.sarif" -o "json=$OUT/audit.json" -o table)
if [ -n "${DOCKERFILE:-}" ]; then audit+=(--dockerfile "$DOCKERFILE"); fi
status=0
"${audit[@]}" || status=$?
case "$status" in
  0) ;;
  1) echo "release blocked: the audit has findings at or above --fail-on (see $OUT/audit.sarif)" >&2; exit 1 ;;
  *) exit "$status" ;;
esac

step "4. changes since the previous release"
previous="${PREVIOUS_SBOM:-}"
if [ -z "$previous" ] && [ -n "${PREVIOUS:-}" ]; then
  previous="$OUT/previous.cdx.json"
  "$CONSIGN" sbom "registry:$REGISTRY/$REPOSITORY:$PREVIOUS" --from-referrers \
    -o "cyclonedx-json=$previous"
fi
if [ -n "$previous" ]; then
  "$CONSIGN" diff "$previous" "$OUT/sbom.cdx.json" \
    -o "markdown=$OUT/CHANGES.md" -o "json=$OUT/diff.json"
else
  echo "no previous release: no diff" >&2
fi

step "5. attest and attach"
key="${SIGNING_KEY:-}"
pub="${PUBLIC_KEY:-}"
if [ -z "$key" ]; then
  echo "SIGNING_KEY is not set: signing with a throwaway key (keep a real one in your CI secrets)" >&2
  rm -f "$OUT/release.key" "$OUT/release.pub"
  "$CONSIGN" key generate --out "$OUT/release"
  key="$OUT/release.key"
  pub="$OUT/release.pub"
fi
"$CONSIGN" attest "$OUT/sbom.cdx.json" --key "$key" -o "$OUT/sbom.att.json"
for f in sbom.cdx.json sbom.spdx.json sbom.att.json; do
  "$CONSIGN" attach "$OUT/$f" --to "$ref" >"$OUT/$f.referrer"
done

step "6. verify"
if [ -n "$pub" ]; then
  "$CONSIGN" verify "$OUT/sbom.att.json" --key "$pub" --image-digest "$digest" -q
  echo "verified $OUT/sbom.att.json for $digest" >&2
else
  echo "PUBLIC_KEY is not set: not verifying" >&2
fi
# The throwaway private key is not a release asset.
if [ -z "${SIGNING_KEY:-}" ]; then rm -f "$OUT/release.key"; fi

step "release assets in $OUT"
ls -1 "$OUT" >&2

